"""Issue 12, the central system's part, over real WebSockets: a reused TransactionEvent seqNo, the
energy meter of chargers reporting only meterStart / meterStop, a charger changing its OCPP version,
the last session and the reservation's end kept (also across a restart)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, EventType, MemoryPersistence
from custom_components.ocpp_core.csms.model.station import Reservation
from custom_components.ocpp_core.csms.model.status import connector_status, delivering
from sim.charger16 import connect as connect16

from .support.helpers_v201 import VERSIONS, booted, wait_for


@pytest.mark.parametrize("version", VERSIONS)
async def test_an_ended_reusing_the_started_seqno_ends_the_session(
    central: CentralSystem, url: str, version: str
) -> None:
    """The virtual charge point numbers both Started and Ended of a remote-started session 0."""
    ended: list[dict[str, object]] = []
    central.events.subscribe(lambda e: ended.append(e.data), [EventType.TRANSACTION_ENDED])
    cp = await booted(central, url, "vcp", version)
    await cp.start_transaction(1, "TAG")
    evse = central.stations["vcp"].connectors[1]
    tx = evse.transaction
    assert tx is not None and tx.seq_max == 0
    cp.sim.evses[1].seq_no = 0  # the Ended is #0 too
    await cp.stop_transaction(1, stopped_reason="Remote", seconds=1800)
    assert evse.transaction is None
    assert evse.last_transaction is tx
    assert (tx.stop_reason, tx.energy_wh) == ("Remote", pytest.approx(5_500.0))
    assert [d["stop_reason"] for d in ended] == ["Remote"]  # not "Other" by the next start
    assert connector_status(central.stations["vcp"], evse) == "Available"
    await cp.close()


async def test_an_updated_reusing_a_seqno_is_applied_a_repeat_is_not(central: CentralSystem, url: str) -> None:
    cp = await booted(central, url, "reuse")
    await cp.start_transaction(1, "TAG")
    evse = central.stations["reuse"].connectors[1]
    cp.sim.evses[1].seq_no = 0  # an Updated numbered like the Started (another event: its type and time differ)
    await cp.update_transaction(1, seconds=0, trigger_reason="ChargingStateChanged", charging_state="SuspendedEV")
    assert evse.charging_state == "SuspendedEV"
    assert connector_status(central.stations["reuse"], evse) == "SuspendedEV"
    assert not delivering(central.stations["reuse"], evse)
    await cp.resend_event(0)  # the Started once more: the same event, a duplicate
    assert evse.charging_state == "SuspendedEV"
    await cp.close()


async def test_meter_start_and_stop_feed_the_energy_meter(central: CentralSystem, url: str) -> None:
    """open-ocpp chargers send no MeterValues: the register is known from StartTransaction / StopTransaction."""
    cp, task, ws = await connect16(url, "openocpp")
    try:
        await cp.boot()
        connector_sim = cp.sim.connectors[1]
        await cp.start_transaction(1, "TAG")
        connector = central.stations["openocpp"].connectors[1]
        assert connector.lifetime_energy_wh == 1_000_000.0
        connector_sim.energy_wh += 7_250.0  # charged, no meter values sent
        await cp.stop_transaction(1)
        assert connector.lifetime_energy_wh == 1_007_250.0
        assert connector.last_transaction is not None and connector.last_transaction.energy_wh == 7_250.0
        # a stray meterStart of 0 is no meter reset (it never moves the count back, nor doubles it)
        connector_sim.energy_wh = 0.0
        await cp.start_transaction(1, "TAG")
        await cp.stop_transaction(1)
        assert connector.lifetime_energy_wh == 1_007_250.0
    finally:
        await ws.close()
        task.cancel()


async def test_a_version_change_continues_the_energy_count(central: CentralSystem, url: str) -> None:
    """A 1.6 charger at 1,002 kWh comes back as a 2.0.1 station whose meter reads 1,000 kWh (issue 12:
    the count jumped to 2,004 kWh, a megawatt-hour used in the Energy dashboard)."""
    cp, task, ws = await connect16(url, "fw")
    await cp.boot()
    await cp.start_transaction(1, "TAG")
    await cp.send_meter_values(1, seconds=655)  # 11 kW: 2,001 Wh
    connector = central.stations["fw"].connectors[1]
    before = connector.lifetime_energy_wh
    assert before == pytest.approx(1_002_001.0, abs=1.0)
    await ws.close()
    task.cancel()
    await wait_for(lambda: not central.stations["fw"].connected)

    station = await booted(central, url, "fw", "2.0.1")
    await station.start_transaction(1, "TAG")  # its register: 1,000,000 Wh
    assert connector.lifetime_energy_wh == pytest.approx(before)
    await station.update_transaction(1, seconds=360)  # 1,100 Wh more
    assert connector.lifetime_energy_wh == pytest.approx(before + 1_100.0)
    await station.close()


async def test_last_session_and_reservation_end_survive_a_restart(central_config: CentralSystemConfig) -> None:
    persistence = MemoryPersistence()
    central = CentralSystem(central_config, persistence)
    state = central.state
    start = datetime.now(UTC) - timedelta(hours=1)
    await state.transactions.start("cp", 1, "7", "TAG-9", 1_000.0, start)
    await state.transactions.stop("cp", "7", 4_000.0, start + timedelta(minutes=30), "EVDisconnected")
    expiry = datetime.now(UTC) + timedelta(hours=1)
    state.reservations.set("cp", Reservation(3, 1, "GUEST", expiry))
    assert state.reservations.remove("cp", 3, "cancelled")
    await state.store.save_now()

    restarted = CentralSystem(central_config, persistence)
    await restarted.state.load()
    connector = restarted.stations["cp"].connectors[1]
    assert connector.transaction is None
    last = connector.session
    assert last is not None and (last.id_tag, last.energy_wh, last.is_open) == ("TAG-9", 3_000.0, False)
    assert connector.reservation_end == "cancelled"


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_2x_evse_status_reads_as_in_16(central: CentralSystem, url: str, version: str) -> None:
    """Connector status + charging state give 1.6's statuses (evcc and automations read one set)."""
    cp = await booted(central, url, "neutral", version)
    station = central.stations["neutral"]
    evse = station.connectors[1]
    assert connector_status(station, evse) == "Available"
    await cp.send_status(1, 1, "Occupied")
    assert connector_status(station, evse) == "Preparing"  # plugged in, no session yet
    await cp.start_transaction(1, "TAG")
    assert evse.status == "Occupied" and connector_status(station, evse) == "Charging"
    assert delivering(station, evse)
    await cp.update_transaction(1, seconds=0, trigger_reason="ChargingStateChanged", charging_state="SuspendedEVSE")
    assert connector_status(station, evse) == "SuspendedEVSE" and not delivering(station, evse)
    await cp.stop_transaction(1, unplug=False)
    assert connector_status(station, evse) == "Finishing"  # the session is over, the car still plugged in
    await cp.send_status(1, 1, "Available")
    assert connector_status(station, evse) == "Available"
    await cp.send_status(1, 1, "Faulted")
    assert connector_status(station, evse) == "Faulted"
    await cp.close()
