"""Who gets registered (the boot policy, accept_station), and the configuration read after an Accepted boot."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, Event, EventType, MemoryPersistence
from sim.charger16 import connect

from .support.helpers import BOOT, RawCharger, wait_for


def _events(central: CentralSystem) -> list[Event]:
    events: list[Event] = []
    central.events.subscribe(events.append)
    return events


async def test_pending_until_accepted_without_reconnect(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    asked: list[tuple[str, str]] = []

    def policy(station_id: str, payload: dict[str, Any]) -> str:
        asked.append((station_id, payload["chargePointModel"]))
        return "Pending"  # every charger awaits the user's approval

    central.config.boot_policy = policy
    events = _events(central)
    cp, task, ws = await connect(url, "new-1")
    answer = await cp.boot(expect="Pending")
    assert answer.interval == 60  # when to try again
    station = central.stations["new-1"]
    assert station.registration_status == "Pending" and not station.booted
    assert (station.vendor, station.model) == ("OCPP Core", "Simulator 16")  # shown to the user who decides

    # other messages are answered anyway, and logged once
    assert (await cp.heartbeat()).current_time
    await cp.send_status(1, "Available")
    assert station.connectors[1].status == "Available"
    assert caplog.text.count("while its registration is Pending") == 1
    assert cp.requests == []  # no configuration read while Pending

    assert await central.accept_station("new-1") == {"status": "Accepted"}
    await wait_for(lambda: cp.registration_status == "Accepted" and station.configuration_time is not None)
    assert station.registration_status == "Accepted" and station.booted
    assert [action for action, _ in cp.requests] == ["TriggerMessage", "GetConfiguration"]
    assert cp.requests[0][1] == {"requestedMessage": "BootNotification"}
    # the same connection all along
    assert central.is_connected("new-1") and ws.state.name == "OPEN"
    assert [e.type for e in events].count(EventType.CONNECTED) == 1
    assert [e.type for e in events].count(EventType.DISCONNECTED) == 0
    assert [e.data["status"] for e in events if e.type is EventType.REGISTRATION] == ["Pending", "Accepted", "Accepted"]
    # the policy was asked both times; its Pending no longer applies to an accepted station
    assert asked == [("new-1", "Simulator 16"), ("new-1", "Simulator 16")]
    await ws.close()
    task.cancel()


async def test_rejected(central: CentralSystem, url: str) -> None:
    central.config.boot_policy = lambda station_id, payload: "Rejected" if station_id == "bad" else "Accepted"
    cp, task, ws = await connect(url, "bad")
    answer = await cp.boot(expect="Rejected")
    assert answer.interval == 60
    station = central.stations["bad"]
    assert station.registration_status == "Rejected" and not station.booted
    assert (await cp.authorize("T")).id_tag_info == {"status": "Accepted"}  # answered anyway
    assert cp.requests == []
    await ws.close()
    task.cancel()


async def test_rejected_overrides_an_earlier_acceptance(central: CentralSystem, url: str) -> None:
    cp, task, ws = await connect(url, "was-ok")
    await cp.boot()
    assert central.stations["was-ok"].registration_status == "Accepted"
    central.config.boot_policy = lambda station_id, payload: "Rejected"
    await cp.boot(expect="Rejected")
    assert central.stations["was-ok"].registration_status == "Rejected"
    await ws.close()
    task.cancel()


@pytest.mark.parametrize("decision", ["raise", "Maybe"])
async def test_broken_policy_means_pending(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture, decision: str
) -> None:
    def policy(station_id: str, payload: dict[str, Any]) -> str:
        if decision == "raise":
            raise RuntimeError("policy bug")
        return decision

    central.config.boot_policy = policy
    cp, task, ws = await connect(url, "odd")
    await cp.boot(expect="Pending")
    assert central.stations["odd"].registration_status == "Pending"
    assert "boot policy" in caplog.text
    await ws.close()
    task.cancel()


async def test_accept_station_offline_and_unknown(central_config: CentralSystemConfig) -> None:
    persistence = MemoryPersistence()
    central_config.boot_policy = lambda station_id, payload: "Pending"
    first = CentralSystem(central_config, persistence)
    await first.start()
    cp, task, ws = await connect(f"ws://127.0.0.1:{first.port}", "later")
    await cp.boot(expect="Pending")
    await ws.close()
    await wait_for(lambda: not first.is_connected("later"))
    assert await first.accept_station("later") is None  # not connected: nothing to trigger
    with pytest.raises(KeyError):
        await first.accept_station("never-seen")
    await first.stop()
    task.cancel()

    # the acceptance is kept: after a restart, the charger's next boot is Accepted despite the policy
    second = CentralSystem(central_config, persistence)
    await second.start()
    assert second.stations["later"].registration_status == "Accepted"
    cp, task, ws = await connect(f"ws://127.0.0.1:{second.port}", "later")
    await cp.boot()  # asserts Accepted
    await ws.close()
    await second.stop()
    task.cancel()


# ---- the configuration read ----------------------------------------------------------------------


async def test_configuration_callerror_logged_once(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    charger = await RawCharger.connect(url, "bare")  # answers every CALL with NotImplemented
    for _ in range(2):
        assert (await charger.call("BootNotification", BOOT))[2]["status"] == "Accepted"
        assert (await charger.call("Heartbeat", {}))[0] == 3  # the GetConfiguration CALL arrives meanwhile
    await wait_for(lambda: len(charger.server_calls) == 2)
    await wait_for(lambda: "configuration could not be read" in caplog.text)
    assert (await charger.call("Heartbeat", {}))[0] == 3  # the second CALLERROR is handled by now
    assert caplog.text.count("configuration could not be read") == 1
    assert [call[2] for call in charger.server_calls] == ["GetConfiguration", "GetConfiguration"]
    station = central.stations["bare"]
    assert station.booted and station.configuration == {} and station.number_of_connectors is None
    await charger.close()


async def test_configuration_timeout_does_not_delay_the_boot(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    central.config.call_timeout = 0.2
    ws = await websockets.connect(f"{url}/mute", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    await ws.send(json.dumps([2, "b1", "BootNotification", BOOT]))
    first = json.loads(await asyncio.wait_for(ws.recv(), 5))
    second = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert first[:2] == [3, "b1"] and first[2]["status"] == "Accepted"  # answered at once
    assert second[0] == 2 and second[2] == "GetConfiguration"  # never answered
    await wait_for(lambda: "configuration could not be read" in caplog.text)
    assert "no answer within 0.2 s" in caplog.text
    # a late answer is ignored
    await ws.send(
        json.dumps(
            [3, second[1], {"configurationKey": [{"key": "NumberOfConnectors", "readonly": True, "value": "3"}]}]
        )
    )
    await ws.send(json.dumps([2, "h1", "Heartbeat", {}]))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))[:2] == [3, "h1"]
    assert central.stations["mute"].configuration == {}
    assert central.stations["mute"].booted
    await ws.close()


@pytest.mark.parametrize(
    ("answer", "logged"),
    [
        # schema-valid, but says nothing
        ({"configurationKey": [{"key": "", "readonly": False}]}, "GetConfiguration answer not understood"),
        # not even schema-valid (a CALLERROR of ours to ourselves: TypeConstraintViolation)
        ({"configurationKey": "NumberOfConnectors=2"}, "configuration could not be read"),
    ],
)
async def test_garbage_configuration_ignored(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture, answer: dict[str, Any], logged: str
) -> None:
    ws = await websockets.connect(f"{url}/garbage", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    await ws.send(json.dumps([2, "b1", "BootNotification", BOOT]))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))[0] == 3
    call = json.loads(await asyncio.wait_for(ws.recv(), 5))
    await ws.send(json.dumps([3, call[1], answer]))
    await wait_for(lambda: logged in caplog.text)
    station = central.stations["garbage"]
    assert station.configuration == {} and station.booted
    await ws.send(json.dumps([2, "h1", "Heartbeat", {}]))  # still served
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))[:2] == [3, "h1"]
    await ws.close()


async def test_number_of_connectors_capped(central: CentralSystem, url: str) -> None:
    cp, task, ws = await connect(url, "huge")
    cp.sim.configuration["NumberOfConnectors"].value = "5000"
    await cp.boot()
    await wait_for(lambda: central.stations["huge"].configuration_time is not None)
    assert central.stations["huge"].number_of_connectors == 5000
    assert len(central.stations["huge"].connectors) == 64
    await ws.close()
    task.cancel()
