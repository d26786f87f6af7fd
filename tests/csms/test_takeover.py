"""Security profile 0: a known charger's live connection taken over from another address is announced."""

from __future__ import annotations

import json

import pytest
import websockets

from custom_components.ocpp_core.csms import CentralSystem, Event, EventType

from .support.helpers import BOOT, RawCharger, wait_for


async def _from(url: str, cp_id: str, address: str) -> RawCharger:
    """A charger connecting from a given loopback address (Linux routes all of 127.0.0.0/8 to lo)."""
    ws = await websockets.connect(f"{url}/{cp_id}", subprotocols=["ocpp1.6"], local_addr=(address, 0))  # type: ignore[list-item]
    return RawCharger(ws)


def _replaced(events: list[Event]) -> list[Event]:
    return [e for e in events if e.type is EventType.CONNECTION_REPLACED]


async def test_a_live_connection_replaced_from_elsewhere_is_announced(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[Event] = []
    central.events.subscribe(events.append)
    charger = await _from(url, "wallbox", "127.0.0.1")
    await charger.call("BootNotification", BOOT)
    await charger.call("Heartbeat", {}, "h1")

    intruder = await _from(url, "wallbox", "127.0.0.2")
    await intruder.call("Heartbeat", {}, "x1")
    (event,) = _replaced(events)
    assert event.station_id == "wallbox"
    assert (event.data["remote"], event.data["previous_remote"]) == ("127.0.0.2", "127.0.0.1")
    assert "replaced by a new one from 127.0.0.2" in caplog.text
    assert "use profile 1 with a password" in caplog.text

    # the charger itself coming back from its own address replaces the intruder: that is announced too
    charger = await _from(url, "wallbox", "127.0.0.1")
    await charger.call("Heartbeat", {}, "h2")
    assert [e.data["remote"] for e in _replaced(events)] == ["127.0.0.2", "127.0.0.1"]
    await charger.close()
    await intruder.close()


async def test_a_reconnect_from_the_same_address_or_of_an_unknown_id_is_not(central: CentralSystem, url: str) -> None:
    events: list[Event] = []
    central.events.subscribe(events.append)
    charger = await _from(url, "wallbox", "127.0.0.1")
    await charger.call("BootNotification", BOOT)
    again = await _from(url, "wallbox", "127.0.0.1")  # the charger reconnecting (its old socket not yet closed)
    await again.call("Heartbeat", {}, "h1")
    # an id nobody accepted: nothing to take over
    stranger = await _from(url, "stranger", "127.0.0.1")
    await stranger.ws.send(json.dumps([2, "1", "Heartbeat", {}]))
    await stranger.ws.recv()
    other = await _from(url, "stranger", "127.0.0.3")
    await other.call("Heartbeat", {}, "h2")
    await wait_for(lambda: central.is_connected("stranger"))
    assert _replaced(events) == []
    for client in (charger, again, stranger, other):
        await client.close()
