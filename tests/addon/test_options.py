"""The options reach the central system: flags and OCPP_CORE_* variables, the unknown-charger and -tag policies."""

from __future__ import annotations

from pathlib import Path

import pytest
from ocpp_core_app.app import central_config
from ocpp_core_app.options import parse

from tests.csms.support.helpers import BOOT, RawCharger

from .app_process import start_app


def test_flags_and_environment_to_the_config(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    options = parse(
        ["--data-dir", str(tmp_path), "--security-profile", "2", "--certfile", str(cert), "--keyfile", str(cert),
         "--heartbeat-interval", "120", "--max-message-rate", "0"],
        {"OCPP_CORE_STRICT": "true", "OCPP_CORE_OCPP_PORT": "9100", "OCPP_CORE_HEARTBEAT_INTERVAL": "60"},
    )  # fmt: skip
    config = central_config(options)
    assert (config.port, config.heartbeat_interval, config.lenient) == (9100, 120, False)  # a flag beats the variable
    assert (config.security_profile, config.certfile, config.keyfile) == (2, str(cert), str(cert))
    assert config.max_message_rate == 0
    assert config.max_stations == 100  # the central system's own cap, unless raised
    assert central_config(parse(["--max-stations", "1000"], {})).max_stations == 1000
    assert central_config(parse([], {"OCPP_CORE_MAX_STATIONS": "2000"})).max_stations == 2000
    assert options.database_path == tmp_path / "ocpp_core.db"
    assert (
        parse(["--database-url", f"sqlite:///{tmp_path}/elsewhere.db"], {}).database_path == tmp_path / "elsewhere.db"
    )
    postgres = parse([], {"OCPP_CORE_DATABASE_URL": "postgresql://ocpp:pw@db:5433/ocpp"})
    assert postgres.database_url == "postgresql://ocpp:pw@db:5433/ocpp"
    defaults = parse([], {})
    assert defaults.database_url is None
    assert (defaults.data_dir, defaults.ocpp_port, defaults.ui_port, defaults.log_level) == (
        Path("addon-data"), 9000, 8099, "info"
    )  # fmt: skip


@pytest.mark.parametrize(("policy", "status"), [("accept", "Accepted"), ("reject", "Rejected"), ("ask", "Pending")])
async def test_unknown_chargers(tmp_path: Path, policy: str, status: str) -> None:
    app = start_app(tmp_path / "data", "--unknown-chargers", policy)
    try:
        cp = await RawCharger.connect(app.url, "newcomer")
        answer = await cp.call("BootNotification", BOOT)
        assert answer[2]["status"] == status
        await cp.close()
    finally:
        assert app.stop() == 0
    if status != "Accepted":
        assert f"newcomer: registration {status}" in app.output()


@pytest.mark.parametrize(("policy", "status"), [("accept", "Accepted"), ("reject", "Invalid")])
async def test_unknown_tags(tmp_path: Path, policy: str, status: str) -> None:
    app = start_app(tmp_path / "data", "--unknown-tags", policy)
    try:
        cp = await RawCharger.connect(app.url, "CP1")
        await cp.call("BootNotification", BOOT)
        answer = await cp.call("Authorize", {"idTag": "STRANGER"})
        assert answer[2]["idTagInfo"]["status"] == status
        await cp.close()
    finally:
        assert app.stop() == 0
