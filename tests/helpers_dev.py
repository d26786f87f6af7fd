"""scripts/develop's Home Assistant and scripts/simulate's charger as a new user runs them, in subprocesses
(own config folder and free ports, .venv-dev reused as scripts/develop does), scripts/addon's app for
`scripts/develop --with-addon`, and a client of HA's APIs."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from websockets.sync.client import connect
from websockets.sync.connection import Connection

ROOT = Path(__file__).resolve().parent.parent
# ensure_venv's first run installs Home Assistant into .venv-dev; later runs only compare a hash
VENV_TIMEOUT = 900
STARTUP_TIMEOUT = 180  # HA's start, onboarding and the config entry: ~15 s here
# a log record: "2026-12-01 15:00:21.509 ERROR (MainThread) [haffmpeg.core] FFmpeg fails ..."
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (?P<level>[A-Z]+) \([^)]*\) \[(?P<logger>[^\]]+)\]")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))  # the OCPP server listens on every interface
        return int(sock.getsockname()[1])


def script_env() -> dict[str, str]:
    """The environment for the scripts: a new .venv-dev is made with this Python when it is new enough."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIRTUAL_ENV")}
    if "PYTHON" not in env and sys.version_info >= (3, 13, 2):
        env["PYTHON"] = os.path.realpath(sys.executable)  # a new .venv-dev needs HA 2026.2's Python
    return env


def ensure_dev_venv() -> None:
    """What scripts/develop does first: create or update .venv-dev (kept between runs)."""
    subprocess.run(
        ["bash", "-c", f'source "{ROOT}/scripts/_venv.sh" && ensure_venv'],
        env=script_env(),
        check=True,
        timeout=VENV_TIMEOUT,
        stdout=subprocess.DEVNULL,
    )


@dataclass
class Process:
    """A script running in its own process group (stopped with all its children), its output collected."""

    args: list[str]
    output: list[str] = field(default_factory=list)
    popen: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.popen = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=script_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.popen.stdout is not None
        threading.Thread(target=self._collect, args=(self.popen.stdout,), daemon=True).start()

    def _collect(self, stream: IO[str]) -> None:
        for line in stream:
            self.output.append(line)

    def wait_for_output(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.output):
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.args[0]} exited ({self.popen.returncode}):\n{''.join(self.output)}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} within {timeout} s:\n{''.join(self.output[-50:])}")
            time.sleep(0.2)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to the group, as Ctrl-C would: HA shuts down, the loop ends; back when every process of the
        group has ended (the script may end before HA, which still writes its recorder's database)."""
        if self.popen is None or (self.popen.poll() is not None and not self._group_alive()):
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self.popen.poll() is None or self._group_alive():
            if time.monotonic() > deadline:
                self.kill()
                return
            time.sleep(0.1)

    def kill(self) -> None:
        """kill -9 of the whole group: nothing written, nothing closed."""
        assert self.popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)
        deadline = time.monotonic() + 10
        while self._group_alive() and time.monotonic() < deadline:
            time.sleep(0.05)

    def _group_alive(self) -> bool:
        assert self.popen is not None
        try:
            os.killpg(self.popen.pid, 0)
        except ProcessLookupError:
            return False
        return True


def _dev_onboard(base: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_onboard_client", ROOT / "scripts" / "dev_onboard.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, value in (("BASE", base), ("CLIENT_ID", f"{base}/"), ("REDIRECT_URI", f"{base}/?auth_callback=1")):
        setattr(module, name, value)  # the script's settings, as its main() sets them
    return module


@dataclass
class DevInstance:
    """scripts/develop running with its own config folder and ports."""

    config: Path
    port: int
    ocpp_port: int
    process: Process
    addon_port: int | None = None  # --with-addon: the add-on's app's API (ocpp_port is then the app's)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self) -> str:
        """Logs in as dev / dev through the login flow the frontend uses."""
        return str(_dev_onboard(self.base).login())

    @contextlib.contextmanager
    def websocket(self, token: str | None = None) -> Iterator[HAWebSocket]:
        """Logged in with `token` (default: a new login)."""
        # no keepalive thread, and the receiving one joined: HA's test plugin fails a test that leaves a thread
        with connect(f"ws://127.0.0.1:{self.port}/api/websocket", open_timeout=30, ping_interval=None) as ws:
            client = HAWebSocket(ws)
            client.login(token or self.token())
            yield client
        ws.recv_events_thread.join(10)

    def log_records(self) -> list[tuple[str, str, str]]:
        """(level, logger, text with any traceback) of each record in home-assistant.log."""
        records: list[tuple[str, str, str]] = []
        for line in (self.config / "home-assistant.log").read_text(errors="replace").splitlines():
            if match := RECORD.match(line):
                records.append((match["level"], match["logger"], line))
            elif records:
                level, logger, text = records[-1]
                records[-1] = (level, logger, f"{text}\n{line}")
        return records


@dataclass
class HAWebSocket:
    ws: Connection
    next_id: int = 1

    def login(self, token: str) -> None:
        json.loads(self.ws.recv(timeout=30))  # auth_required
        self.ws.send(json.dumps({"type": "auth", "access_token": token}))
        answer = json.loads(self.ws.recv(timeout=30))
        assert answer["type"] == "auth_ok", answer

    def command(self, type_: str, **fields: Any) -> Any:
        """The command's result; fails the test with HA's error when it fails (as the frontend would hang)."""
        message_id, self.next_id = self.next_id, self.next_id + 1
        self.ws.send(json.dumps({"id": message_id, "type": type_, **fields}))
        while True:
            answer = json.loads(self.ws.recv(timeout=60))
            if answer.get("id") == message_id and answer.get("type") == "result":
                assert answer["success"], f"{type_}: {answer.get('error')}"
                return answer["result"]


def develop(config: Path, port: int, ocpp_port: int, addon_port: int | None = None) -> DevInstance:
    """`scripts/develop` started on `config` (`addon_port`: --with-addon, the app's API there); not waited for."""
    args = ["bash", "scripts/develop", "--config", str(config), "--port", str(port), "--ocpp-port", str(ocpp_port)]
    if addon_port is not None:
        args += ["--with-addon", "--addon-port", str(addon_port)]
    process = Process(args)
    process.start()
    return DevInstance(config, port, ocpp_port, process, addon_port)


@contextlib.contextmanager
def dev_instance(config: Path) -> Iterator[DevInstance]:
    """`scripts/develop` on a fresh config folder, from its start until dev_onboard has added the entry."""
    ensure_dev_venv()
    instance = develop(config, free_port(), free_port())
    try:
        instance.process.wait_for_output("=== dev_onboard: created entry", STARTUP_TIMEOUT)
        yield instance
    finally:
        instance.process.stop()


# what the add-on's app logs once it listens for chargers (its API is up before)
ADDON_READY = "OCPP central system on port"


def addon_app(data_dir: Path, ocpp_port: int, api_port: int) -> Process:
    """`scripts/addon` (the add-on's app, .venv-addon created on its first run) started; not waited for."""
    ports = ["--ocpp-port", str(ocpp_port), "--ui-port", str(api_port)]
    process = Process(["bash", "scripts/addon", "--data-dir", str(data_dir), *ports])
    process.start()
    return process


@contextlib.contextmanager
def simulator(instance: DevInstance, *args: str) -> Iterator[Process]:
    """`scripts/simulate` against the instance's central system."""
    process = Process(["bash", "scripts/simulate", "--url", f"ws://127.0.0.1:{instance.ocpp_port}", *args])
    process.start()
    try:
        yield process
    finally:
        process.stop()
