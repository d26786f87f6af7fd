"""OCPP 2.0.1 / 2.1 transactions over real WebSockets: whole sessions, remote start / stop, late
authorisation, duplicates and out-of-order events, offline queues replayed, reboots mid-session,
sessions the central system never saw, restarts of the central system, meter values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, Event, EventType, MemoryPersistence
from custom_components.ocpp_core.csms.model.station import (
    CURRENT_IMPORT,
    ENERGY_IMPORT_REGISTER,
    POWER_IMPORT,
    SOC,
    VOLTAGE,
)
from custom_components.ocpp_core.csms.model.transaction import Transaction

from .support.helpers_v201 import VERSIONS, booted, settled, wait_for


def _events(central: CentralSystem) -> list[Event]:
    events: list[Event] = []
    central.events.subscribe(events.append)
    return events


def _of(events: list[Event], kind: EventType) -> list[Event]:
    return [e for e in events if e.type is kind]


def _open(central: CentralSystem, station_id: str, evse_id: int = 1) -> Transaction:
    tx = central.stations[station_id].connectors[evse_id].transaction
    assert tx is not None
    return tx


@pytest.mark.parametrize("version", VERSIONS)
async def test_full_session(central: CentralSystem, url: str, version: str) -> None:
    events = _events(central)
    cp = await booted(central, url, "full", version, evses=2)
    answer = await cp.authorize("TAG-1")
    assert answer.id_token_info == {"status": "Accepted"}
    tx_id = await cp.start_transaction(1, "TAG-1")
    assert len(tx_id) == 36  # the station's own id, up to 36 characters
    station = central.stations["full"]
    evse = station.connectors[1]
    tx = _open(central, "full")
    assert (tx.transaction_id, tx.id_tag, tx.id_token_type, tx.evse_connector_id) == (tx_id, "TAG-1", "ISO14443", 1)
    assert (tx.trigger_reason, tx.charging_state, evse.charging_state) == ("Authorized", "Charging", "Charging")
    assert tx.meter_start_wh == 1_000_000.0 and tx.meter_start_known  # Transaction.Begin, kWh × 10^3
    assert evse.status == "Occupied"
    started = _of(events, EventType.TRANSACTION_STARTED)
    assert [(e.connector_id, e.data["transaction_id"]) for e in started] == [(1, tx_id)]
    assert cp.event_answers[-1].id_token_info == {"status": "Accepted"}

    await cp.update_transaction(1, seconds=3600)
    assert tx.energy_wh == pytest.approx(11_000.0)
    assert evse.reading(POWER_IMPORT) == 11_000.0
    assert evse.reading(CURRENT_IMPORT, "L2") == pytest.approx(15.94)
    assert evse.reading(VOLTAGE, "L3-N") == 230.0
    assert evse.reading(SOC) == 57.0
    updated = _of(events, EventType.TRANSACTION_UPDATED)
    assert [(e.data["seq_no"], e.data["trigger_reason"]) for e in updated] == [(1, "MeterValuePeriodic")]
    await cp.update_transaction(1, seconds=0, trigger_reason="ChargingStateChanged", charging_state="SuspendedEV")
    assert (tx.charging_state, evse.charging_state) == ("SuspendedEV", "SuspendedEV")

    await cp.stop_transaction(1, seconds=1800)
    assert evse.transaction is None
    assert (evse.status, evse.charging_state) == ("Available", "Idle")
    ended = _of(events, EventType.TRANSACTION_ENDED)[-1]
    assert ended.data["energy_wh"] == pytest.approx(16_500.0)
    assert (ended.data["stop_reason"], ended.data["known"]) == ("Local", True)
    assert tx.seq_min == 0 and tx.seq_max == 3 and tx.seq_missing == []
    records = central.transactions("full")
    assert len(records) == 1
    record = records[0]
    assert (record["transaction_id"], record["connector_id"], record["id_tag"], record["open"]) == (
        tx_id,
        1,
        "TAG-1",
        False,
    )
    assert record["meter_start_wh"] == 1_000_000.0
    assert record["energy_wh"] == pytest.approx(16_500.0)
    assert record["stop_reason"] == "Local"
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_remote_start_and_stop(central: CentralSystem, url: str, version: str) -> None:
    cp = await booted(central, url, "remote", version, evses=2)
    assert await central.remote_start("remote", 2, "HA") == {"status": "Accepted"}
    await wait_for(lambda: central.stations["remote"].connectors[2].transaction is not None)
    action, request = cp.requests[-1]
    assert action == "RequestStartTransaction"
    assert request == {"idToken": {"idToken": "HA", "type": "Central"}, "remoteStartId": 1, "evseId": 2}
    tx = _open(central, "remote", 2)
    assert (tx.id_tag, tx.id_token_type, tx.remote_start_id, tx.trigger_reason) == ("HA", "Central", 1, "RemoteStart")

    assert await central.remote_stop("remote", tx.transaction_id) == {"status": "Accepted"}
    await wait_for(lambda: central.stations["remote"].connectors[2].transaction is None)
    assert cp.requests[-1] == ("RequestStopTransaction", {"transactionId": tx.transaction_id})
    assert tx.stop_reason == "Remote"
    # remote start ids are never handed out twice
    assert await central.remote_start("remote", None, "HA") == {"status": "Accepted"}
    assert cp.requests[-1][1]["remoteStartId"] == 2 and "evseId" not in cp.requests[-1][1]
    await settled(cp)
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_late_authorisation(central: CentralSystem, url: str, version: str) -> None:
    cp = await booted(central, url, "late", version)
    await cp.start_transaction(1, id_token=None, trigger_reason="CablePluggedIn")
    tx = _open(central, "late")
    assert tx.id_tag is None and tx.trigger_reason == "CablePluggedIn"
    answer = await cp.authorize_transaction(1, "LATE-TAG", "MacAddress")
    assert answer.id_token_info == {"status": "Accepted"}
    assert (tx.id_tag, tx.id_token_type, tx.trigger_reason) == ("LATE-TAG", "MacAddress", "Authorized")
    # stopped with another card (a master pass): the answer authorises it, the session keeps its owner
    answer = await cp.stop_transaction(1, "MasterPass", id_token={"id_token": "MASTER", "type": "ISO14443"})
    assert answer.id_token_info == {"status": "Accepted"}
    record = central.transactions("late")[0]
    assert (record["id_tag"], record["stop_reason"]) == ("LATE-TAG", "MasterPass")
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_duplicates_gaps_and_out_of_order(central: CentralSystem, url: str, version: str) -> None:
    events = _events(central)
    cp = await booted(central, url, "order", version)
    await cp.start_transaction(1, "T")
    await cp.update_transaction(1, seconds=3600)
    tx = _open(central, "order")
    # the same event twice (our answer got lost): answered, applied once
    updates = len(_of(events, EventType.TRANSACTION_UPDATED))
    answer = await cp.resend_event()
    assert answer is not None
    assert len(_of(events, EventType.TRANSACTION_UPDATED)) == updates
    assert tx.energy_wh == pytest.approx(11_000.0)
    # a duplicate Started opens nothing new
    await cp.resend_event(0)
    assert _open(central, "order") is tx and len(_of(events, EventType.TRANSACTION_STARTED)) == 1

    # #2 and #3 arrive the wrong way round: #3 (newest) sets the state, #2 only fills in
    cp.holding = True
    await cp.update_transaction(1, seconds=3600, charging_state="Charging")
    await cp.update_transaction(1, seconds=3600, trigger_reason="ChargingStateChanged", charging_state="SuspendedEVSE")
    await cp.release_held(order=[1, 0])
    assert tx.seq_max == 3 and tx.seq_missing == []
    assert (tx.charging_state, tx.trigger_reason) == ("SuspendedEVSE", "ChargingStateChanged")
    assert central.stations["order"].connectors[1].charging_state == "SuspendedEVSE"
    assert tx.energy_wh == pytest.approx(33_000.0)  # the newest reading counts, the older one does not go back
    assert central.stations["order"].connectors[1].reading(ENERGY_IMPORT_REGISTER) == pytest.approx(1_033_000.0)

    # a gap: #5 before #4
    cp.holding = True
    await cp.update_transaction(1, seconds=60)
    cp.holding = False
    await cp.update_transaction(1, seconds=60)
    assert tx.seq_max == 5 and tx.seq_missing == [4]
    await cp.release_held()
    assert tx.seq_missing == []
    # the Ended, then a late Updated of the ended transaction: it is not opened again
    cp.holding = True
    await cp.update_transaction(1, seconds=60)
    cp.holding = False
    await cp.stop_transaction(1)
    await cp.release_held()
    assert central.stations["order"].connectors[1].transaction is None
    assert [r["open"] for r in central.transactions("order")] == [False]
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_offline_events_replayed_after_reconnect(central: CentralSystem, url: str, version: str) -> None:
    events = _events(central)
    cp = await booted(central, url, "offline", version, evses=2)
    await cp.start_transaction(1, "ONLINE")
    await cp.go_offline()
    await wait_for(lambda: not central.is_connected("offline"))
    # EVSE 1 charges on and stops while offline; EVSE 2 has a whole session offline
    await cp.update_transaction(1, seconds=3600)
    await cp.stop_transaction(1, "EVDisconnected", "EVDeparted", seconds=1800)
    tx2 = await cp.start_transaction(2, "OFFLINE")
    await cp.update_transaction(2, seconds=3600)
    await cp.stop_transaction(2, seconds=3600)
    assert len(cp.queued) == 5 and all(event["offline"] for event in cp.queued)
    queued_at = datetime.now(UTC)
    assert central.stations["offline"].connectors[1].transaction is not None  # still open here

    await cp.reconnect()
    assert cp.queued == []
    records = {r["connector_id"]: r for r in central.transactions("offline")}
    assert records[1]["energy_wh"] == pytest.approx(16_500.0)
    assert records[1]["stop_reason"] == "EVDisconnected" and records[1]["id_tag"] == "ONLINE"
    assert datetime.fromisoformat(records[1]["stop_time"]) < queued_at  # the time it ended, not of the replay
    assert records[2]["transaction_id"] == tx2
    assert records[2]["energy_wh"] == pytest.approx(22_000.0)
    assert records[2]["meter_start_wh"] == 2_000_000.0
    assert datetime.fromisoformat(records[2]["start_time"]) < queued_at
    offline_updates = [e.data["offline"] for e in _of(events, EventType.TRANSACTION_UPDATED)]
    assert offline_updates == [True, True]
    for tx in (r["transaction_id"] for r in records.values()):
        assert tx in {e.data["transaction_id"] for e in _of(events, EventType.TRANSACTION_ENDED)}
    assert all(c.status == "Available" for c in central.stations["offline"].connectors.values())
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_reboot_ends_the_session(central: CentralSystem, url: str, version: str) -> None:
    cp = await booted(central, url, "reboot-end", version)
    await cp.start_transaction(1, "T")
    await cp.update_transaction(1, seconds=3600)
    await cp.reboot("PowerUp", resume=False, stopped_reason="PowerLoss")
    station = central.stations["reboot-end"]
    assert station.connectors[1].transaction is None
    assert station.v2 is not None and station.v2.boot_reason == "PowerUp"
    record = central.transactions("reboot-end")[0]
    assert (record["stop_reason"], record["open"]) == ("PowerLoss", False)
    assert record["energy_wh"] == pytest.approx(11_000.0)
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_reboot_resumes_the_session(central: CentralSystem, url: str, version: str) -> None:
    cp = await booted(central, url, "reboot-go", version)
    tx_id = await cp.start_transaction(1, "T")
    await cp.update_transaction(1, seconds=3600)
    await cp.reboot("Watchdog", resume=True)
    tx = _open(central, "reboot-go")
    assert tx.transaction_id == tx_id
    assert tx.trigger_reason == ("TxResumed" if version == "2.1" else "Trigger")
    await cp.update_transaction(1, seconds=3600)
    await cp.stop_transaction(1)
    assert central.transactions("reboot-go")[0]["energy_wh"] == pytest.approx(22_000.0)
    await cp.close()


async def test_central_system_restart_mid_session(central_config: CentralSystemConfig) -> None:
    """The open session, its seqNos and the remote start counter outlive a restart of the central system."""
    persistence = MemoryPersistence()
    first = CentralSystem(central_config, persistence)
    await first.start()
    cp = await booted(first, f"ws://127.0.0.1:{first.port}", "survive", "2.0.1")
    tx_id = await cp.start_transaction(1, "T")
    await cp.update_transaction(1, seconds=3600)
    assert first.next_remote_start_id() == 1
    await first.stop()
    await wait_for(lambda: cp.serve_task is not None and cp.serve_task.done())

    second = CentralSystem(central_config, persistence)
    await second.start()
    remembered = _open(second, "survive")
    assert (remembered.transaction_id, remembered.seq_max, remembered.meter_start_wh) == (tx_id, 1, 1_000_000.0)
    assert remembered.id_token_type == "ISO14443" and remembered.evse_connector_id == 1
    assert second.next_remote_start_id() == 2
    cp.url = f"ws://127.0.0.1:{second.port}"
    await cp.reconnect()
    await cp.resend_event()  # seqNo 1 again: seen before the restart
    assert remembered.seq_max == 1 and remembered.energy_wh == pytest.approx(11_000.0)
    await cp.update_transaction(1, seconds=3600)
    await cp.stop_transaction(1)
    record = second.transactions("survive")[0]
    assert (record["transaction_id"], record["energy_wh"]) == (tx_id, pytest.approx(22_000.0))
    await cp.close()
    await second.stop()


async def test_sessions_the_central_system_never_saw(central: CentralSystem, url: str) -> None:
    """An Updated of an unknown transaction opens it; an Ended of an unknown one is recorded as it is."""
    events = _events(central)
    cp = await booted(central, url, "unseen")
    # a session started before this central system knew the station (its Started was lost)
    cp.holding = True
    tx_id = await cp.start_transaction(1, "LOST")
    cp.held.clear()
    cp.holding = False
    await cp.update_transaction(1, seconds=3600, with_evse=True, id_token={"id_token": "LOST", "type": "ISO14443"})
    tx = _open(central, "unseen")
    assert (tx.transaction_id, tx.id_tag, tx.seq_min) == (tx_id, "LOST", 1)
    assert tx.meter_start_wh == pytest.approx(1_011_000.0)  # its first reading here
    await cp.stop_transaction(1, seconds=3600)
    assert central.transactions("unseen")[0]["energy_wh"] == pytest.approx(11_000.0)

    # only the Ended of a session arrives, with its begin and end readings
    begin = datetime.now(UTC) - timedelta(hours=2)
    payload = {
        "event_type": "Ended",
        "timestamp": (begin + timedelta(hours=1)).isoformat(),
        "trigger_reason": "EVDeparted",
        "seq_no": 7,
        "offline": True,
        "evse": {"id": 1, "connector_id": 1},
        "transaction_info": {"transaction_id": "X" * 36, "stopped_reason": "EVDisconnected"},
        "meter_value": [
            {
                "timestamp": begin.isoformat(),
                "sampled_value": [
                    {"value": 5000.0, "context": "Transaction.Begin", "unit_of_measure": {"unit": "kWh"}}
                ],
            },
            {
                "timestamp": (begin + timedelta(hours=1)).isoformat(),
                "sampled_value": [{"value": 5007.5, "context": "Transaction.End", "unit_of_measure": {"unit": "kWh"}}],
            },
        ],
    }
    answer = await cp.send_transaction_event(payload)
    assert answer is not None
    record = next(r for r in central.transactions("unseen") if r["transaction_id"] == "X" * 36)
    assert (record["meter_start_wh"], record["meter_stop_wh"], record["energy_wh"]) == (
        5_000_000.0,
        5_007_500.0,
        7500.0,
    )
    assert record["stop_reason"] == "EVDisconnected"
    assert datetime.fromisoformat(record["start_time"]) == begin
    unknown = _of(events, EventType.TRANSACTION_ENDED)[-1]
    assert unknown.data["known"] is False and unknown.data["energy_wh"] == 7500.0
    # the same Ended again is not recorded twice
    await cp.send_transaction_event(payload)
    assert [r["transaction_id"] for r in central.transactions("unseen")].count("X" * 36) == 1
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_meter_values_of_evse_and_main_meter(central: CentralSystem, url: str, version: str) -> None:
    cp = await booted(central, url, "meters", version)
    await cp.send_main_meter_values(energy_wh=7_654_321.0, power_w=4_200.0)
    station = central.stations["meters"]
    assert station.reading(ENERGY_IMPORT_REGISTER) == 7_654_321.0  # evseId 0: the station's own meter
    assert station.readings[(ENERGY_IMPORT_REGISTER, None)].location == "Inlet"
    assert station.reading(POWER_IMPORT) == pytest.approx(4_200.0)  # sent in kW
    assert 0 not in station.connectors
    await cp.send_meter_values(1, seconds=0)
    assert station.connectors[1].reading(ENERGY_IMPORT_REGISTER) == 1_000_000.0
    # a session without a reading at its start takes its first reading (from MeterValues) as its start
    payload = {
        "event_type": "Started",
        "timestamp": datetime.now(UTC).isoformat(),
        "trigger_reason": "CablePluggedIn",
        "seq_no": 0,
        "evse": {"id": 1},
        "transaction_info": {"transaction_id": "no-reading", "charging_state": "EVConnected"},
    }
    await cp.send_transaction_event(payload)
    tx = _open(central, "meters")
    assert not tx.meter_start_known and tx.energy_wh == 0.0
    cp.sim.evses[1].energy_wh = 1_000_500.0
    await cp.send_meter_values(1, seconds=0)
    assert tx.meter_start_known and tx.meter_start_wh == 1_000_500.0
    await cp.close()


def test_the_simulated_station_is_whole() -> None:
    """The stations used here are the final ones: core, reports and every handler of sim/handlers201."""
    from sim.charger201 import SimulatedStation21, SimulatedStation201
    from sim.handlers201 import Handlers201
    from sim.reports201 import StationReports201

    for station_type in (SimulatedStation201, SimulatedStation21):
        assert issubclass(station_type, Handlers201) and issubclass(station_type, StationReports201)


@pytest.mark.parametrize("version", VERSIONS)
async def test_ended_reading_below_the_last_one_is_flagged(
    central: CentralSystem, url: str, version: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An Ended whose meter reading is lower than the session's last (a made-up one) keeps the last one."""
    events = _events(central)
    cp = await booted(central, url, "low-end", version)
    await cp.start_transaction(1, "TAG-1")
    await cp.update_transaction(1, seconds=3600)
    cp.sim.evses[1].energy_wh = 1.0  # the Ended reports 1 Wh
    await cp.stop_transaction(1)
    ended = _of(events, EventType.TRANSACTION_ENDED)[-1]
    assert ended.data["energy_wh"] == pytest.approx(11_000.0)
    assert ended.data["anomaly"] == "meter_stop_below_last_reading"
    assert ended.data["reported_meter_stop_wh"] == pytest.approx(1.0)
    assert "lower than its last reading" in caplog.text
    await cp.close()
