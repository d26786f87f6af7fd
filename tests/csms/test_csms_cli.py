"""`python -m csms` (the add-on's entry point): the command line reaches the live server; it listens only
once it is ready, says that it keeps nothing, and does not log every event of a flooding charger."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_core.csms.__main__ import EVENT_LINES_PER_MINUTE, build_central, parse_args, start_central
from sim import charger16
from sim.auth import ConnectOptions

from .support.helpers import BOOT, RawCharger

PASSWORD = "welcome-new-chargers"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(("flags", "answer"), [([], "Accepted"), (["--refuse-unknown-tags"], "Invalid")])
async def test_unknown_tags_accepted_unless_refused(flags: list[str], answer: str) -> None:
    central = build_central(parse_args(["--host", "127.0.0.1", "--port", "0", *flags]))
    await central.start()
    try:
        cp, task, ws = await charger16.connect(f"ws://127.0.0.1:{central.port}", "cli-1")
        await cp.boot()
        reply = await cp.authorize("NEVER-SEEN")
        assert reply.id_tag_info["status"] == answer
        await ws.close()
        task.cancel()
    finally:
        await central.stop()


def test_the_help_says_where_tags_are_managed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Id tags are managed by Home Assistant" in text
    assert "--refuse-unknown-tags" in text


async def test_it_listens_only_once_the_password_for_new_chargers_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """Knocking from the first moment: the first connection that gets through has the password checked
    against the one set (it used to get 401 for ~70 ms, while the password was being hashed)."""
    monkeypatch.setenv("OCPP_CHARGER_PASSWORD", PASSWORD)
    port = free_port()
    args = parse_args(["--host", "127.0.0.1", "--port", str(port), "--security-profile", "1"])
    starting = asyncio.create_task(start_central(args))
    headers = ConnectOptions(PASSWORD).headers("early-bird")
    status = None
    async with asyncio.timeout(30):
        while status is None:
            try:
                ws = await websockets.connect(
                    f"ws://127.0.0.1:{port}/early-bird",
                    subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                    additional_headers=headers,
                )
            except OSError:  # not listening yet
                await asyncio.sleep(0)
                continue
            except InvalidStatus as refused:
                status = refused.response.status_code
            else:
                status = 101
                await ws.close()
    central = await starting
    await central.stop()
    assert status == 101


async def test_it_says_at_start_that_it_keeps_nothing(caplog: pytest.LogCaptureFixture) -> None:
    central = await start_central(parse_args(["--host", "127.0.0.1", "--port", "0"]))
    await central.stop()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if "keeps everything in memory" in w]) == 1
    assert any("sessions, id tags, chargers" in w and "Home Assistant integration" in w for w in warnings)


@pytest.mark.parametrize(("rate", "burst"), [("0", None), ("50", 200), ("500", 2000)])
def test_the_message_rate_flag_sets_the_burst_with_it(rate: str, burst: int | None) -> None:
    config = build_central(parse_args(["--max-message-rate", rate])).config
    assert config.max_message_rate == float(rate)
    if burst is not None:
        assert config.max_message_burst == burst


async def test_the_event_log_of_a_flooding_charger_is_rate_limited(caplog: pytest.LogCaptureFixture) -> None:
    """Every event is logged at INFO — but not 30,000 DataTransfers of one charger (once 120 MB of log)."""
    caplog.set_level(logging.INFO)
    central = await start_central(parse_args(["--host", "127.0.0.1", "--port", "0", "--max-message-rate", "0"]))
    try:
        charger = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "chatty")
        assert (await charger.call("BootNotification", BOOT))[0] == 3
        for n in range(EVENT_LINES_PER_MINUTE + 300):
            await charger.call("DataTransfer", {"vendorId": "x", "data": "y" * 200}, message_id=f"dt{n}")
        assert (await charger.call("Heartbeat", {}, message_id="hb"))[0] == 3
        await charger.close()
    finally:
        await central.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "csms.events"]
    assert len([line for line in lines if line.startswith("data_transfer chatty")]) == EVENT_LINES_PER_MINUTE
    assert any(line.startswith("booted chatty") or "chatty" in line for line in lines if "data_transfer" not in line)


def test_the_station_cap_is_a_flag() -> None:
    assert build_central(parse_args([])).config.max_stations == 100
    assert build_central(parse_args(["--max-stations", "5000"])).config.max_stations == 5000
