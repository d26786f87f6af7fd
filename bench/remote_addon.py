"""The add-on's app as the OCPP server of the bench's Home Assistant remote mode (`--backend remote`).

The chargers connect to the app (`python -m ocpp_core_app`, addon/ on PYTHONPATH, a fresh data dir, the
per-charger message-rate limit off); bench.ha_server sets up a remote entry on its API (the token is the one
given to the app with --api-token, its option), so the meter messages reach HA's entities through the add-on's
event stream.  The app is pinned to the load generator's core, not HA's: HA's core then holds HA alone, as in
the embedded runs, and the CPU of each process is read from its own /proc entry (HA's by bench.load, the app's
by bench.ha_server at each mark), so neither figure takes the other's.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parent.parent / "addon"


@dataclass(frozen=True)
class RunningAddon:
    proc: subprocess.Popen[bytes]
    ocpp_port: int  # the chargers'
    api_port: int  # HA's remote entry's
    token: str

    def ha_args(self) -> list[str]:
        """bench.ha_server's arguments for a remote entry on this app."""
        return ["--remote-api-port", str(self.api_port), "--api-token", self.token, "--addon-pid", str(self.proc.pid)]


def _env() -> dict[str, str]:
    # nothing of a real add-on's environment (no Supervisor to announce to, no OCPP_CORE_* options)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCPP_CORE_") and k != "SUPERVISOR_TOKEN"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ADDON_DIR), os.environ.get("PYTHONPATH"))))
    return env


@contextlib.contextmanager
def running_addon(
    chargers: int,
    core: int,
    free_port: Callable[[], int],
    wait_listening: Callable[[subprocess.Popen[bytes], int, float], None],
) -> Iterator[RunningAddon]:
    """The app started and listening for chargers; stopped (SIGTERM, as the Supervisor does) on exit."""
    token = secrets.token_hex(16)
    ocpp_port, api_port = free_port(), free_port()
    while api_port == ocpp_port:
        api_port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-addon-") as data_dir, tempfile.TemporaryFile() as log:
        argv = [sys.executable, "-m", "ocpp_core_app", "--data-dir", data_dir, "--ocpp-port", str(ocpp_port),
                "--ui-port", str(api_port), "--api-token", token, "--log-level", "warning",
                "--max-message-rate", "0", "--max-stations", str(max(100, chargers))]  # fmt: skip
        proc = subprocess.Popen(
            argv, cwd=ADDON_DIR, env=_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=lambda: os.sched_setaffinity(0, {core}), start_new_session=True,
        )  # fmt: skip
        try:
            wait_listening(proc, ocpp_port, 60.0)
            wait_listening(proc, api_port, 30.0)
            yield RunningAddon(proc, ocpp_port, api_port, token)
        except RuntimeError as err:
            log.seek(0)
            raise RuntimeError(f"{err}; the add-on: {log.read().decode(errors='replace')[-300:]}") from err
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10.0)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
