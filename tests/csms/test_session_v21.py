"""OCPP 2.1 on top of the 2.0.1 use cases: the SEND and CALLRESULTERROR frames end to end, unknown 2.1
actions, transaction limits and costs, V2X energy requests, periodic event streams."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from custom_components.ocpp_core.csms import CentralSystem, Event, EventType, Reservation
from custom_components.ocpp_core.csms.rpc.timeutil import utcnow

from .support.helpers import RawCharger, wait_for
from .support.helpers_v201 import booted

BOOT21 = {"chargingStation": {"vendorName": "Raw", "model": "Raw 2.1"}, "reason": "PowerUp"}
STREAM = {"id": 3, "pending": 0, "basetime": "2025-01-01T00:00:00Z", "data": [{"t": 0, "v": "230.1"}]}


async def test_send_frames_are_applied_and_never_answered(central: CentralSystem, url: str) -> None:
    events: list[Event] = []
    central.events.subscribe(events.append)
    cp = await booted(central, url, "streams", "2.1")
    opened = await cp.open_periodic_event_stream(3, monitor_id=12, interval=5)
    assert opened.status == "Accepted"
    await cp.send_periodic_event_stream(3, [(0.0, "230.1"), (5.0, "229.8")], pending=2)
    v2 = central.stations["streams"].v2
    assert v2 is not None
    await wait_for(lambda: "data" in v2.periodic_streams.get(3, {}))
    stream = v2.periodic_streams[3]
    assert stream["params"] == {"interval": 5} and stream["variable_monitoring_id"] == 12
    assert (stream["data"], stream["pending"]) == ([{"t": 0.0, "v": "230.1"}, {"t": 5.0, "v": "229.8"}], 2)
    await cp.send("ClosePeriodicEventStream", id=3)
    assert 3 not in v2.periodic_streams
    kinds = [e.data for e in events if e.type is EventType.PERIODIC_EVENT_STREAM]
    assert [("opened" in k, "data" in k, k.get("closed")) for k in kinds] == [
        (True, False, None),
        (False, True, None),
        (False, False, True),
    ]
    await cp.close()


async def test_send_frame_gets_no_reply_on_the_wire(central: CentralSystem, url: str) -> None:
    raw = await RawCharger.connect(url, "raw21", ["ocpp2.1"])
    assert raw.ws.subprotocol == "ocpp2.1"
    assert (await raw.call("BootNotification", BOOT21))[0] == 3
    await raw.ws.send(json.dumps([6, "s1", "NotifyPeriodicEventStream", STREAM]))
    await raw.ws.send(json.dumps([6, "s2", "NoSuchAction", {}]))  # unknown, and still not answered
    # the next frame back answers the heartbeat: nothing came for s1 / s2
    reply = await raw.call("Heartbeat", {}, message_id="hb")
    assert reply[:2] == [3, "hb"]
    station = central.stations["raw21"]
    assert station.v2 is not None and station.v2.periodic_streams[3]["data"] == [{"t": 0, "v": "230.1"}]
    await raw.close()


async def test_callresulterror_from_the_station_is_logged(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    raw = await RawCharger.connect(url, "cre", ["ocpp2.1"])
    await raw.call("BootNotification", BOOT21, message_id="b1")
    await raw.ws.send(json.dumps([5, "b1", "FormatViolation", "currentTime unreadable", {}]))
    reply = await raw.call("Heartbeat", {}, message_id="hb")
    assert reply[:2] == [3, "hb"]  # no answer to the CALLRESULTERROR, the connection goes on
    assert "could not process our answer to its message b1: FormatViolation currentTime unreadable" in caplog.text
    await raw.close()


async def test_unusable_answer_gets_a_callresulterror(central: CentralSystem, url: str) -> None:
    """2.1: an answer to our CALL that cannot be used is refused with CALLRESULTERROR (5)."""
    ws = await websockets.connect(f"{url}/bad-answer", subprotocols=["ocpp2.1"])  # type: ignore[list-item]
    await ws.send(json.dumps([2, "b1", "BootNotification", BOOT21]))
    frames: list[Any] = []
    async with asyncio.timeout(5):
        while not any(f[0] == 2 for f in frames):
            frames.append(json.loads(await ws.recv()))
    call = next(f for f in frames if f[0] == 2)
    assert call[2] == "GetBaseReport"
    await ws.send(json.dumps([3, call[1], "not an object"]))
    refused = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert refused[:3] == [5, call[1], "RpcFrameworkError"]
    await ws.close()


@pytest.mark.parametrize("protocol", ["ocpp2.1", "ocpp2.0.1"])
async def test_unknown_21_action_is_not_implemented(url: str, protocol: str) -> None:
    raw = await RawCharger.connect(url, "der", [protocol])
    alarm = {"controlType": "FreqDroop", "timestamp": "2025-01-01T00:00:00Z"}
    reply = await raw.call("NotifyDERAlarm", alarm, message_id="d1")
    assert reply[:3] == [4, "d1", "NotImplemented"]
    assert (await raw.call("Heartbeat", {}))[0] == 3
    await raw.close()


async def test_transaction_limits_and_costs(central: CentralSystem, url: str) -> None:
    cp = await booted(central, url, "cost21", "2.1")
    limit = {"max_energy": 20_000.0, "max_cost": 12.5, "max_time": 7200, "max_so_c": 80}
    await cp.start_transaction(1, "T", info={"transaction_limit": limit, "tariff_id": "TARIFF-1"})
    tx = central.stations["cost21"].connectors[1].transaction
    assert tx is not None
    assert tx.transaction_limit == {"max_energy": 20_000.0, "max_cost": 12.5, "max_time": 7200, "max_soc": 80}
    assert tx.tariff_id == "TARIFF-1"
    await cp.update_transaction(
        1, seconds=3600, trigger_reason="RunningCost", info={"transaction_limit": {"max_energy": 15_000.0}}
    )
    assert tx.transaction_limit == {"max_energy": 15_000.0}
    cost = {
        "total_cost": {"currency": "EUR", "type_of_cost": "NormalCost", "total": {"excl_tax": 3.53, "incl_tax": 4.2}},
        "total_usage": {"energy": 11_000.0, "charging_time": 3600, "idle_time": 0},
    }
    await cp.stop_transaction(1, cost_details=cost)
    assert (tx.total_cost, tx.currency) == (4.2, "EUR")
    assert tx.cost_details is not None and tx.cost_details["totalUsage"]["energy"] == 11_000.0
    record = central.transactions("cost21")[0]
    assert (record["total_cost"], record["currency"], record["tariff_id"]) == (4.2, "EUR", "TARIFF-1")
    assert record["energy_wh"] == pytest.approx(11_000.0)
    await cp.close()


async def test_v2x_needs_and_no_transaction_reservations(central: CentralSystem, url: str) -> None:
    cp = await booted(central, url, "v2x", "2.1")
    needs = {
        "requested_energy_transfer": "DC_BPT",
        "v2x_charging_parameters": {"ev_target_energy_request": 25_000.0, "max_discharge_power": 7_000.0},
        "control_mode": "DynamicControl",
    }
    await cp.send("NotifyEVChargingNeeds", charging_needs=needs, evse_id=1)
    evse = central.stations["v2x"].connectors[1]
    assert (evse.ev_requested_energy_wh, evse.ev_energy_transfer) == (25_000.0, "DC_BPT")
    assert evse.ev_charging_needs is not None and evse.ev_charging_needs["controlMode"] == "DynamicControl"
    central.state.reservations.set("v2x", Reservation(8, 1, "R", utcnow().replace(year=2099)))
    await cp.reservation_status_update(8, "NoTransaction")
    assert evse.reservation is None
    await cp.close()
