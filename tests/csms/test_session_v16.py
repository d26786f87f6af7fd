"""A whole 1.6J session between the simulated charger and the real central system."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from custom_components.ocpp_core.csms import (
    CentralSystem,
    CentralSystemConfig,
    Event,
    EventType,
    MemoryPersistence,
    NotConnected,
)
from custom_components.ocpp_core.csms.model.station import CURRENT_IMPORT, ENERGY_IMPORT_REGISTER, POWER_IMPORT, VOLTAGE
from sim.charger16 import connect

from .support.helpers import BOOT, RawCharger


async def wait_for(predicate: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_full_session(central: CentralSystem, url: str) -> None:
    events: list[Event] = []
    central.events.subscribe(events.append)
    charger, task, ws = await connect(url, "cp-1")
    await charger.boot()
    await charger.send_status(0, "Available")
    await charger.send_status(1, "Available")
    assert (await charger.authorize("TAG-1")).id_tag_info["status"] == "Accepted"
    tx_id = await charger.start_transaction(1, "TAG-1")
    await charger.send_meter_values(1, seconds=3600)

    station = central.stations["cp-1"]
    assert (station.vendor, station.model, station.serial_number) == ("OCPP Core", "Simulator 16", "SIM-cp-1")
    connector = station.connectors[1]
    assert connector.status == "Charging"
    assert connector.transaction is not None and connector.transaction.transaction_id == str(tx_id)
    assert connector.reading(POWER_IMPORT) == pytest.approx(11000.0)  # sent in kW
    assert connector.reading(ENERGY_IMPORT_REGISTER) == pytest.approx(1_011_000.0)
    assert connector.reading(CURRENT_IMPORT, "L2") is not None
    assert connector.reading(VOLTAGE, "L3-N") is not None
    assert connector.transaction.energy_wh == pytest.approx(11000.0)

    answer = await central.remote_stop("cp-1", str(tx_id))
    assert answer == {"status": "Accepted"}
    await wait_for(lambda: connector.transaction is None and connector.status == "Available")
    ended = [e for e in events if e.type is EventType.TRANSACTION_ENDED]
    assert ended[-1].data["energy_wh"] == pytest.approx(11000.0)
    assert ended[-1].data["stop_reason"] == "Remote"

    answer = await central.remote_start("cp-1", 1, "HA")
    assert answer == {"status": "Accepted"}
    await wait_for(lambda: connector.transaction is not None)
    assert connector.transaction is not None and connector.transaction.id_tag == "HA"
    assert int(connector.transaction.transaction_id) == tx_id + 1

    await ws.close()
    await wait_for(lambda: not central.is_connected("cp-1"))
    assert not station.connected
    with pytest.raises(NotConnected):
        await central.remote_start("cp-1", 1, "HA")
    task.cancel()


async def test_transaction_ids_survive_restart(central_config: CentralSystemConfig) -> None:
    persistence = MemoryPersistence()
    first = CentralSystem(central_config, persistence)
    await first.start()
    charger, task, ws = await connect(f"ws://127.0.0.1:{first.port}", "cp-r")
    await charger.boot()
    tx_id = await charger.start_transaction(1, "TAG")
    await ws.close()
    await first.stop()
    task.cancel()

    second = CentralSystem(central_config, persistence)
    await second.start()
    # the open session is remembered, with its meter start
    remembered = second.stations["cp-r"].connectors[1].transaction
    assert remembered is not None and remembered.transaction_id == str(tx_id)
    charger, task, ws = await connect(f"ws://127.0.0.1:{second.port}", "cp-r")
    await charger.boot()
    charger.sim.connectors[1].transaction_id = tx_id
    charger.sim.connectors[1].energy_wh += 5000
    await charger.stop_transaction(1)
    assert second.stations["cp-r"].connectors[1].transaction is None
    new_id = await charger.start_transaction(1, "TAG")
    assert new_id > tx_id
    await ws.close()
    await second.stop()
    task.cancel()


async def test_second_connection_replaces_first(central: CentralSystem, url: str) -> None:
    first, first_task, _first_ws = await connect(url, "dup")
    await first.boot()
    second, second_task, second_ws = await connect(url, "dup")
    await second.boot()
    await wait_for(lambda: first_task.done())
    assert central.is_connected("dup")
    assert (await central.remote_start("dup", 1, "T")) == {"status": "Accepted"}
    assert second.remote_starts and not first.remote_starts
    async with asyncio.timeout(5):  # the remote start's follow-up messages, then close
        await first.settle()
        await second.settle()
    await second_ws.close()
    await wait_for(lambda: not central.is_connected("dup"))
    second_task.cancel()


async def test_one_outstanding_call_at_a_time(central: CentralSystem, url: str) -> None:
    charger, task, ws = await connect(url, "queue")
    await charger.boot()
    in_flight = 0
    peak = 0
    original = charger.route_message

    async def counting(raw: str) -> None:
        nonlocal in_flight, peak
        if raw.startswith("[2"):
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.05)
            in_flight -= 1
        await original(raw)

    charger.route_message = counting  # type: ignore[method-assign]
    answers = await asyncio.gather(
        *(central.call("queue", "RemoteStartTransaction", {"idTag": f"T{i}", "connectorId": 2}) for i in range(4))
    )
    assert all(a == {"status": "Rejected"} for a in answers)
    assert peak == 1
    await ws.close()
    task.cancel()


async def test_call_timeout_and_late_answer(central: CentralSystem, url: str) -> None:
    from custom_components.ocpp_core.csms import CallTimeout

    charger, task, ws = await connect(url, "slow")
    await charger.boot()
    original = charger.route_message

    async def slow(raw: str) -> None:
        await asyncio.sleep(0.5)
        await original(raw)

    charger.route_message = slow  # type: ignore[method-assign]
    with pytest.raises(CallTimeout):
        await central.call("slow", "RemoteStopTransaction", {"transactionId": 99}, timeout=0.1)
    charger.route_message = original  # type: ignore[method-assign]
    await asyncio.sleep(0.6)  # the late answer arrives and is ignored
    assert (await central.call("slow", "RemoteStopTransaction", {"transactionId": 99})) == {"status": "Rejected"}
    await ws.close()
    task.cancel()


async def test_handler_calling_charger_does_not_block(central: CentralSystem, url: str) -> None:
    """A handler awaiting its own call to the charger leaves the receive loop free."""
    charger, task, ws = await connect(url, "nested")
    await charger.boot()
    session = central._sessions["nested"]
    adapter = session.adapter

    async def heartbeat_then_ask(payload: dict[str, Any]) -> dict[str, Any]:
        await adapter.call("RemoteStopTransaction", {"transactionId": 1})
        return {"currentTime": "2025-01-01T00:00:00.000Z"}

    session.rpc._handlers = lambda action: heartbeat_then_ask if action == "Heartbeat" else adapter.handler(action)
    from ocpp.v16 import call

    response = await asyncio.wait_for(charger.call(call.Heartbeat()), 5)
    assert response.current_time.startswith("2025")
    assert charger.remote_stops == [1]
    await ws.close()
    task.cancel()


async def test_invalid_call_is_refused_before_sending(central: CentralSystem, url: str) -> None:
    from custom_components.ocpp_core.csms import InvalidCall

    charger, task, ws = await connect(url, "invalid")
    await charger.boot()
    with pytest.raises(InvalidCall, match="type"):
        await central.v16("invalid").reset("Sideways")
    with pytest.raises(InvalidCall, match="not an OCPP"):
        await central.call("invalid", "NoSuchAction", {})
    assert (await central.v16("invalid").remote_stop_transaction(5)) == {"status": "Rejected"}
    await ws.close()
    task.cancel()


async def test_raw_calls_are_recorded_like_typed_ones(central: CentralSystem, url: str) -> None:
    """send_call goes through the same layer: what the charger accepts is kept."""
    charger, task, ws = await connect(url, "raw")
    await charger.boot()
    answer = await central.call("raw", "SendLocalList", {"listVersion": 7, "updateType": "Full"})
    assert answer == {"status": "Accepted"}
    assert central.stations["raw"].local_list_version == 7
    async with asyncio.timeout(5):
        await charger.settle()
    await ws.close()
    task.cancel()


async def test_meter_stop_below_the_last_reading_is_flagged_not_trusted(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Someone ending the session with a made-up meterStop (1 Wh after 5,000+) does not wipe its energy."""
    events: list[Event] = []
    central.events.subscribe(events.append)
    charger = await RawCharger.connect(url, "meter-cp")
    await charger.call("BootNotification", BOOT)
    start = {"connectorId": 1, "idTag": "TAG-1", "meterStart": 5000, "timestamp": "2026-01-01T10:00:00Z"}
    tx_id = (await charger.call("StartTransaction", start, "s1"))[2]["transactionId"]
    sample = {"value": "5200", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    meter = {
        "connectorId": 1,
        "transactionId": tx_id,
        "meterValue": [{"timestamp": "2026-01-01T10:30:00Z", "sampledValue": [sample]}],
    }
    await charger.call("MeterValues", meter, "m1")
    low = {**meter, "meterValue": [{"timestamp": "2026-01-01T10:40:00Z", "sampledValue": [{**sample, "value": "10"}]}]}
    await charger.call("MeterValues", low, "m2")  # a lower register reading does not lower the session's
    stop = {"transactionId": tx_id, "meterStop": 1, "timestamp": "2026-01-01T11:00:00Z", "reason": "Local"}
    assert (await charger.call("StopTransaction", stop, "s2"))[0] == 3
    await charger.close()

    ended = [e for e in events if e.type is EventType.TRANSACTION_ENDED][-1]
    assert ended.data["energy_wh"] == pytest.approx(200.0)
    assert ended.data["meter_stop_wh"] == pytest.approx(5200.0)
    assert ended.data["anomaly"] == "meter_stop_below_last_reading"
    assert ended.data["reported_meter_stop_wh"] == 1
    (record,) = central.transactions("meter-cp")
    assert (record["energy_wh"], record["anomaly"]) == (pytest.approx(200.0), "meter_stop_below_last_reading")
    assert "lower than its last reading (5200.0 Wh)" in caplog.text


async def test_a_meter_stop_rounded_below_the_last_reading_is_trusted(central: CentralSystem, url: str) -> None:
    """The integer Wh of meterStop against a register in kWh with decimals, rounded up: no anomaly."""
    charger = await RawCharger.connect(url, "plain-cp")
    await charger.call("BootNotification", BOOT)
    start = {"connectorId": 1, "idTag": "TAG-1", "meterStart": 5000, "timestamp": "2026-01-01T10:00:00Z"}
    tx_id = (await charger.call("StartTransaction", start, "s1"))[2]["transactionId"]
    sample = {"value": "5.25", "measurand": "Energy.Active.Import.Register", "unit": "kWh"}
    meter = {
        "connectorId": 1,
        "transactionId": tx_id,
        "meterValue": [{"timestamp": "2026-01-01T10:30:00Z", "sampledValue": [sample]}],
    }
    await charger.call("MeterValues", meter, "m1")
    stop = {"transactionId": tx_id, "meterStop": 5204, "timestamp": "2026-01-01T11:00:00Z", "reason": "Local"}
    await charger.call("StopTransaction", stop, "s2")
    await charger.close()
    (record,) = central.transactions("plain-cp")
    assert record["energy_wh"] == 204.0 and "anomaly" not in record
