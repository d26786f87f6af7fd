"""The app as the add-on runs it: `python3 -m ocpp_core_app` in a subprocess, `addon/` on PYTHONPATH."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ADDON = Path(__file__).resolve().parents[2] / "addon"
READY = "OCPP central system on port"
# how the app is run: the add-on's own program (tests/addon/older_app.py runs an older add-on's)
APP: tuple[str, ...] = ("-m", "ocpp_core_app")


_GIVEN: set[int] = set()


def free_port() -> int:
    """A port free now and not given before in this process: one app takes three (OCPP, UI, web), and the
    kernel may hand the same just-closed port out twice in a row (the app then refused its options)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in _GIVEN:
            _GIVEN.add(port)
            return port


def app_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCPP_CORE_") and k != "SUPERVISOR_TOKEN"}
    env["PYTHONPATH"] = str(ADDON)
    env.update(extra or {})
    return env


def run_app(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the app to its end (bad options, --health, --snapshot, a database it cannot use)."""
    return subprocess.run(
        [sys.executable, "-m", "ocpp_core_app", *args],
        cwd=ADDON, env=app_env(env), capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


class App:
    """A running app whose output goes to `log_path`."""

    def __init__(
        self, data_dir: Path, port: int, *args: str, env: dict[str, str] | None = None, program: tuple[str, ...] = APP
    ) -> None:
        self.data_dir = data_dir
        self.port = port
        self.log_path = data_dir.parent / f"{data_dir.name}-app.log"
        self._offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, *program, "--data-dir", str(data_dir), "--ocpp-port", str(port),
             "--ui-port", str(free_port()), *args],
            cwd=ADDON, env=app_env(env), stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def output(self) -> str:
        """What this run printed (not earlier runs on the same data dir)."""
        return self.log_path.read_text()[self._offset :]

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while READY not in self.output():
            if self.process.poll() is not None:
                raise AssertionError(f"the app exited ({self.process.returncode}):\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the app did not get ready:\n{self.output()}")
            time.sleep(0.05)

    def kill(self) -> None:
        """kill -9: no chance to write anything."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self._log.close()

    def stop(self) -> int:
        """SIGTERM, as the Supervisor stops the add-on; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(30)
        self._log.close()
        return code


def start_app(
    data_dir: Path,
    *args: str,
    port: int | None = None,
    env: dict[str, str] | None = None,
    program: tuple[str, ...] = APP,
) -> App:
    app = App(data_dir, port or free_port(), *args, env=env, program=program)
    try:
        app.wait_ready()
    except BaseException:
        app.stop()
        raise
    return app
