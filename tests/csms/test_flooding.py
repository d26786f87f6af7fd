"""A charger that floods is closed, and its reconnects are refused for a growing time; a charger catching
up after being offline (its queue replayed) is not closed for it, though only that much replay is free."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig

from .support.helpers import BOOT, RawCharger, wait_for
from .support.helpers_v201 import booted

QUEUE = 1020  # the offline queue of the report (issue 11)


@pytest.fixture
def central_config() -> CentralSystemConfig:
    return CentralSystemConfig(
        host="127.0.0.1",
        port=0,
        call_timeout=5.0,
        max_message_rate=20.0,  # a replay of QUEUE messages would need over 45 s to stay within it
        max_message_burst=80,
        flood_backoff=1.0,
    )


async def _send_until_closed(charger: RawCharger, frames: Iterable[list[Any]]) -> int | None:
    """Send the frames without waiting for answers, then read until closed; the close code."""
    async with asyncio.timeout(10):
        try:
            for frame in frames:
                await charger.ws.send(json.dumps(frame))
            while True:
                await charger.ws.recv()
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None


async def _flood(url: str, cp_id: str) -> int | None:
    """Connect and send Heartbeats without waiting for answers until closed; the close code."""
    charger = await RawCharger.connect(url, cp_id)
    return await _send_until_closed(charger, ([2, f"hb{n}", "Heartbeat", {}] for n in range(1000)))


async def _refused(url: str, cp_id: str) -> websockets.http11.Response:
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(f"{url}/{cp_id}", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    return refused.value.response


async def test_a_charger_closed_for_flooding_waits_longer_each_time(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert await _flood(url, "chatty") == 1008
    response = await _refused(url, "chatty")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert "chatty: closing its connection: more than 20 messages per second" in caplog.text
    assert "its reconnects are refused for 1 s" in caplog.text
    # the others behind the same address are not refused for it
    neighbour = await RawCharger.connect(url, "neighbour")
    assert (await neighbour.call("BootNotification", BOOT))[0] == 3
    await asyncio.sleep(1.2)
    # after the wait it may connect; flooding again costs twice as long
    assert await _flood(url, "chatty") == 1008
    response = await _refused(url, "chatty")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 2  # what is left of the 2 s
    assert "its reconnects are refused for 2 s" in caplog.text
    assert (await neighbour.call("Heartbeat", {}, message_id="still"))[0] == 3
    await neighbour.close()


async def test_an_address_flooding_under_ever_new_ids_is_refused(central: CentralSystem, url: str) -> None:
    """Security profile 0: anyone may pick any id; the address pays from its third close on."""
    for n in range(3):
        assert await _flood(url, f"fake-{n}") == 1008
    assert (await _refused(url, "fake-new")).status_code == 429


async def test_a_v201_station_replaying_its_offline_queue_is_not_closed(central: CentralSystem, url: str) -> None:
    station = await booted(central, url, "catching-up")
    await station.start_transaction(1)
    await station.go_offline()
    for _ in range(QUEUE - 1):
        await station.update_transaction(1, seconds=1.0)
    await station.stop_transaction(1, unplug=False)
    assert len(station.queued) == QUEUE
    await wait_for(lambda: not central.is_connected("catching-up"))
    async with asyncio.timeout(120):
        await station.reconnect(statuses=False)  # each event sent when the one before is answered
    assert central.is_connected("catching-up")
    assert len(station.event_answers) == QUEUE + 1  # the Started, then the queue
    assert all(answer is not None for answer in station.event_answers)
    assert central.transactions("catching-up")[0]["open"] is False
    await station.close()


async def test_a_v16_charger_replaying_stored_meter_values_is_not_closed(central: CentralSystem, url: str) -> None:
    """As an Alfen does after an outage: meter values days old, each sent when the one before is answered;
    live messages in between still find room."""
    charger = await RawCharger.connect(url, "alfen")
    assert (await charger.call("BootNotification", BOOT))[0] == 3
    start = datetime.now(UTC) - timedelta(days=2)
    for n in range(QUEUE):
        stamp = (start + timedelta(minutes=n)).isoformat().replace("+00:00", "Z")
        meter_values = {
            "connectorId": 1,
            "meterValue": [{"timestamp": stamp, "sampledValue": [{"value": str(1000 + n)}]}],
        }
        assert (await charger.call("MeterValues", meter_values, message_id=f"mv{n}"))[0] == 3
        if n % 100 == 0:
            assert (await charger.call("Heartbeat", {}, message_id=f"hb{n}"))[0] == 3
    assert central.is_connected("alfen")
    await charger.close()


async def test_replays_beyond_the_allowance_count_as_live_traffic(
    central_config: CentralSystemConfig, central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Stamping every message old is no way around the limit: the replay allowance is one queue's worth."""
    central.config.max_replayed_messages = 100
    charger = await RawCharger.connect(url, "faker")
    old = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    status = {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": old}
    assert await _send_until_closed(charger, ([2, f"s{n}", "StatusNotification", status] for n in range(1000))) == 1008
    assert "faker: closing its connection" in caplog.text
