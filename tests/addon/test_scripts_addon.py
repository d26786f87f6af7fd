"""scripts/addon as a new user runs it: the first time it makes its virtual environment (requirements/addon.txt
from PyPI), then runs the app in the foreground with the README's flags."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .app_process import READY, free_port, run_app

ROOT = Path(__file__).resolve().parents[2]


def test_scripts_addon_sets_up_and_runs(tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "OCPP_CORE_"))}
    env["ADDON_VENV"] = str(tmp_path / "venv")  # a new one: what a first run does
    env["PYTHON"] = os.path.realpath(sys.executable)
    port, ui_port = free_port(), free_port()
    log = (tmp_path / "out.log").open("w")
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "addon"), "--ocpp-port", str(port), "--ui-port", str(ui_port)],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 600  # the first run installs from PyPI
        while READY not in (tmp_path / "out.log").read_text():
            assert process.poll() is None, (tmp_path / "out.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "out.log").read_text()
            time.sleep(0.2)
        assert run_app("--health", "--ocpp-port", str(port)).returncode == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        code = process.wait(60)
        log.close()
    output = (tmp_path / "out.log").read_text()
    assert code == 0, output
    # the defaults: ./addon-data, the token generated, printed and kept there
    token = (tmp_path / "addon-data" / "api_token").read_text().strip()
    assert f"API token (generated, kept in addon-data/api_token): {token}" in output
    assert (tmp_path / "addon-data" / "ocpp_core.db").is_file()
    assert "Installing requirements/addon.txt into" in output
