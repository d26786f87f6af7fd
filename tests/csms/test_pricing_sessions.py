"""Priced sessions over real WebSockets: the cost kept with the transaction, and told to the chargers that
show it -- 2.0.1 CostUpdated and totalCost, 1.6 the California Pricing DataTransfer messages only to a
charger that advertises them; tag tariffs; the maximum energy; a restart mid-session."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, Event, EventType, MemoryPersistence
from custom_components.ocpp_core.csms.features.pricing import Scope
from sim.charger16 import SimulatedChargePoint, connect

from .support.helpers import wait_for
from .support.helpers_v201 import booted

COST_VENDOR = "org.openchargealliance.costmsg"
# 0.30 per kWh and 1.00 per session: 11 kWh (an hour at 11 kW) cost 4.30
PRICES = {"currency": "EUR", "energy_price": "0.30", "session_fee": "1.00"}


@pytest.fixture
def central_config() -> CentralSystemConfig:
    return CentralSystemConfig(
        host="127.0.0.1", port=0, call_timeout=5.0, heartbeat_interval=60, cost_update_interval=0
    )


async def _charger16(central: CentralSystem, url: str, cp_id: str, shows_costs: bool) -> AsyncIterator[Any]:
    cp, task, ws = await connect(url, cp_id)
    if shows_costs:
        cp.advertise_cost_display()
    await cp.boot()
    await wait_for(lambda: central.stations[cp_id].configuration_time is not None)
    await cp.send_status(1, "Available")
    yield cp
    await ws.close()
    task.cancel()


@pytest.fixture
async def shows(central: CentralSystem, url: str) -> AsyncIterator[SimulatedChargePoint]:
    async for cp in _charger16(central, url, "cp-shows", True):
        yield cp


@pytest.fixture
async def plain(central: CentralSystem, url: str) -> AsyncIterator[SimulatedChargePoint]:
    async for cp in _charger16(central, url, "cp-plain", False):
        yield cp


def _record(central: CentralSystem, station_id: str, transaction_id: str) -> dict[str, Any]:
    return next(t for t in central.transactions(station_id) if t["transaction_id"] == transaction_id)


async def test_v201_station_is_told_the_running_and_the_final_cost(central: CentralSystem, url: str) -> None:
    await central.pricing.set_tariff(Scope.of(), PRICES)
    cp = await booted(central, url, "st-201")
    tx_id = await cp.start_transaction(1, "TAG-1")
    assert getattr(cp.event_answers[-1], "total_cost", None) is None  # Started: nothing used yet

    await cp.update_transaction(1, seconds=3600)
    assert cp.event_answers[-1].total_cost == pytest.approx(4.30)  # Updated: the running cost
    await wait_for(lambda: cp.sim.extra.get("cost_updates"))
    assert cp.sim.extra["cost_updates"][-1] == (tx_id, pytest.approx(4.30))

    await cp.update_transaction(1, seconds=1800)  # 5.5 kWh more: 1.00 + 16.5 × 0.30 = 5.95
    assert cp.event_answers[-1].total_cost == pytest.approx(5.95)
    await cp.stop_transaction(1)
    assert cp.event_answers[-1].total_cost == pytest.approx(5.95)  # Ended: the final cost
    cost = _record(central, "st-201", tx_id)["cost"]
    assert (cost["total"], cost["currency"], cost["minor_units"], cost["final"]) == ("5.95", "EUR", 595, True)
    assert cost["tariff"]["scope"] == "central"
    assert cost["energy_kwh"] == "16.5"


async def test_v16_charger_that_shows_costs_gets_the_california_messages(
    central: CentralSystem, shows: SimulatedChargePoint
) -> None:
    events: list[Event] = []
    central.events.subscribe(events.append)
    await central.pricing.set_tariff(Scope.of(station_id="cp-shows"), PRICES)
    tx_id = await shows.start_transaction(1, "TAG-1")
    await wait_for(lambda: any(m == "SetUserPrice" for m, _ in shows.cost_messages))
    user_price = next(data for m, data in shows.cost_messages if m == "SetUserPrice")
    assert user_price["idToken"] == "TAG-1"
    assert "0.30 EUR/kWh" in user_price["priceText"]

    await shows.send_meter_values(1, seconds=3600)
    await wait_for(lambda: any(m == "RunningCost" for m, _ in shows.cost_messages))
    running = [data for m, data in shows.cost_messages if m == "RunningCost"][-1]
    assert (running["transactionId"], running["cost"], running["state"]) == (tx_id, pytest.approx(4.30), "Charging")
    assert running["meterValue"] == 1_011_000
    assert running["chargingPrice"] == {"kWhPrice": pytest.approx(0.3), "hourPrice": 0, "flatFee": 1}

    await shows.send_status(1, "SuspendedEV")  # the car is full: idle, as the next running cost says
    await shows.send_meter_values(1, seconds=60)
    await wait_for(lambda: [data for m, data in shows.cost_messages if m == "RunningCost"][-1]["state"] == "Idle")

    await shows.stop_transaction(1)
    await wait_for(lambda: any(m == "FinalCost" for m, _ in shows.cost_messages))
    final = next(data for m, data in shows.cost_messages if m == "FinalCost")
    assert (final["transactionId"], final["cost"]) == (tx_id, pytest.approx(4.35))  # meterStop 11.183 kWh: 4.3549
    ended = [e for e in events if e.type is EventType.TRANSACTION_ENDED][-1]
    assert ended.data["cost"]["total"] == "4.35" and ended.data["cost"]["final"] is True
    assert all(t["vendor_id"] == COST_VENDOR for t in shows.data_transfers)


async def test_running_costs_are_rate_limited(central: CentralSystem, url: str) -> None:
    central.config.cost_update_interval = 3600
    await central.pricing.set_tariff(Scope.of(), PRICES)
    cp = await booted(central, url, "st-rate")
    await cp.start_transaction(1, "TAG-1")
    for _ in range(3):
        await cp.update_transaction(1, seconds=600)
    assert cp.event_answers[-1].total_cost == pytest.approx(2.65)  # every answer carries the cost (5.5 kWh)
    await cp.heartbeat()
    assert len(cp.sim.extra["cost_updates"]) == 1  # CostUpdated: once an hour at most


async def test_v16_charger_without_it_is_told_nothing(central: CentralSystem, plain: SimulatedChargePoint) -> None:
    await central.pricing.set_tariff(Scope.of(), PRICES)
    tx_id = await plain.start_transaction(1, "TAG-1")
    await plain.send_meter_values(1, seconds=3600)
    await plain.stop_transaction(1)
    await plain.heartbeat()  # anything the central system would have sent is on its way by now
    assert plain.data_transfers == []
    assert _record(central, "cp-plain", str(tx_id))["cost"]["total"] == "4.30"  # priced all the same


async def test_the_most_specific_tariff_wins(central: CentralSystem, plain: SimulatedChargePoint) -> None:
    await central.pricing.set_tariff(Scope.of(), {"currency": "EUR", "energy_price": "1"})
    await central.pricing.set_tariff(Scope.of(station_id="cp-plain"), {"currency": "EUR", "energy_price": "0.50"})
    await central.pricing.set_tariff(Scope.of("cp-plain", 1), {"currency": "EUR", "energy_price": "0.40"})
    await central.pricing.set_tariff(Scope.of(id_tag="household"), {"currency": "EUR"})
    totals = []
    for tag in ("HOUSEHOLD", "guest"):
        tx_id = await plain.start_transaction(1, tag)
        await plain.send_meter_values(1, seconds=3600)
        await plain.stop_transaction(1)
        cost = _record(central, "cp-plain", str(tx_id))["cost"]
        totals.append((cost["total"], cost["tariff"]["scope"]))
    assert totals == [("0.00", "tag"), ("4.40", "connector")]


async def test_a_session_at_its_maximum_energy_is_stopped(central: CentralSystem, plain: SimulatedChargePoint) -> None:
    await central.pricing.set_tariff(Scope.of(), {**PRICES, "max_energy_kwh": "10"})
    tx_id = await plain.start_transaction(1, "TAG-1")
    await plain.send_meter_values(1, seconds=1800)  # 5.5 kWh
    assert plain.remote_stops == []
    await plain.send_meter_values(1, seconds=1800)  # 11 kWh: over
    await wait_for(lambda: plain.remote_stops == [tx_id])
    await wait_for(lambda: central.stations["cp-plain"].connectors[1].transaction is None)
    record = _record(central, "cp-plain", str(tx_id))
    assert record["cost"]["limit_reached"] == "max_energy"
    assert record["stop_reason"] == "Remote"


async def test_a_limited_maximum_pauses_the_connector_until_the_session_ends(
    central: CentralSystem, plain: SimulatedChargePoint
) -> None:
    await central.pricing.set_tariff(Scope.of(), {**PRICES, "max_energy_kwh": "10", "on_max_energy": "limit"})
    tx_id = await plain.start_transaction(1, "TAG-1")
    await plain.send_meter_values(1, seconds=3600)  # 11 kWh: over
    await wait_for(lambda: central.limits.paused("cp-plain", 1))
    await wait_for(lambda: any(
        p["profile"]["charging_schedule"]["charging_schedule_period"][0]["limit"] == 0
        for p in plain.sim.charging_profiles.values()
    ))  # fmt: skip
    tx = central.stations["cp-plain"].connectors[1].transaction
    assert tx is not None and tx.cost is not None and tx.cost["limit_reached"] == "max_energy"
    assert plain.remote_stops == []  # the session goes on, paused
    await plain.stop_transaction(1)
    await wait_for(lambda: not central.limits.paused("cp-plain", 1))  # the next session is not paused
    assert _record(central, "cp-plain", str(tx_id))["cost"]["limit_reached"] == "max_energy"


async def test_a_noted_maximum_does_not_stop(central: CentralSystem, plain: SimulatedChargePoint) -> None:
    await central.pricing.set_tariff(Scope.of(), {**PRICES, "max_energy_kwh": "10", "on_max_energy": "note"})
    await plain.start_transaction(1, "TAG-1")
    await plain.send_meter_values(1, seconds=3600)
    await plain.heartbeat()
    tx = central.stations["cp-plain"].connectors[1].transaction
    assert tx is not None and tx.cost is not None and tx.cost["limit_reached"] == "max_energy"
    assert plain.remote_stops == []


async def test_tariffs_and_a_running_session_survive_a_restart(url: str) -> None:
    persistence = MemoryPersistence()
    config = CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, cost_update_interval=0)
    first = CentralSystem(config, persistence)
    await first.start()
    cp, task, ws = await connect(f"ws://127.0.0.1:{first.port}", "cp-r")
    await cp.boot()
    await first.pricing.set_tariff(Scope.of(), PRICES)
    await first.pricing.set_tariff(Scope.of(id_tag="guest"), {"currency": "CHF", "energy_price": "0.5"})
    tx_id = await cp.start_transaction(1, "TAG-1")
    await cp.send_meter_values(1, seconds=3600)
    await ws.close()
    task.cancel()
    await first.stop()

    second = CentralSystem(config, persistence)
    await second.start()
    assert [e["scope"] for e in second.pricing.tariffs.entries()] == ["central", "tag"]
    cp, task, ws = await connect(f"ws://127.0.0.1:{second.port}", "cp-r")
    cp.sim.connectors[1].transaction_id = tx_id
    cp.sim.connectors[1].energy_wh = 1_011_000.0
    cp.sim.connectors[1].power_w = 11_000.0
    await cp.boot()
    await cp.send_meter_values(1, seconds=3600)
    await cp.stop_transaction(1)
    cost = _record(second, "cp-r", str(tx_id))["cost"]
    assert cost["total"] == "7.60"  # 22 kWh at 0.30 and one session fee: counted on from the stored meter
    await ws.close()
    task.cancel()
    await second.stop()


async def test_bad_tariffs_change_nothing(central: CentralSystem, plain: SimulatedChargePoint) -> None:
    from custom_components.ocpp_core.csms.features.pricing import TariffError

    await central.pricing.set_tariff(Scope.of(), PRICES)
    with pytest.raises(TariffError, match="negative_price"):
        await central.pricing.set_tariff(Scope.of(), {**PRICES, "energy_price": "-1"})
    with pytest.raises(TariffError, match="unknown_charger"):
        await central.pricing.set_tariff(Scope.of(station_id="nobody"), PRICES)
    assert [e["tariff"]["energy_price"] for e in central.pricing.tariffs.entries()] == ["0.30"]
    assert Decimal(central.pricing.tariffs.entries()[0]["tariff"]["session_fee"]) == 1


def test_running_cost_message_reads_as_json() -> None:
    """The DataTransfer data is a JSON text (California Pricing): numbers, not strings."""
    from datetime import UTC, datetime

    from custom_components.ocpp_core.csms.features.pricing import CostNotice, Tariff
    from custom_components.ocpp_core.csms.v16.pricing import running_cost

    tariff = Tariff.from_dict({**PRICES, "idle_price": "0.05", "idle_grace_minutes": 10})
    notice = CostNotice(
        "7", Decimal("4.30"), "EUR", datetime(2026, 1, 1, tzinfo=UTC), 1011000, Decimal(11), False, tariff
    )
    message_id, data = running_cost(notice)
    assert message_id == "RunningCost"
    assert json.loads(data) == {
        "transactionId": 7,
        "timestamp": "2026-01-01T00:00:00.000Z",
        "meterValue": 1011000,
        "cost": 4.3,
        "state": "Idle",
        "chargingPrice": {"kWhPrice": 0.3, "hourPrice": 0, "flatFee": 1},
        "idlePrice": {"graceMinutes": 10, "hourPrice": 3},
    }


async def test_a_driver_identified_later_gets_the_tags_tariff_from_the_start(central: CentralSystem, url: str) -> None:
    from custom_components.ocpp_core.csms import TagRecord

    central.tags.add(TagRecord("GUEST"))
    await central.pricing.set_tariff(Scope.of(), {"currency": "EUR", "energy_price": "1"})
    await central.pricing.set_tariff(Scope.of(id_tag="guest"), {"currency": "EUR", "energy_price": "0.10"})
    cp = await booted(central, url, "st-late")
    tx_id = await cp.start_transaction(1, None, trigger_reason="CablePluggedIn")
    await cp.update_transaction(1, seconds=3600)
    assert cp.event_answers[-1].total_cost == pytest.approx(11.0)  # the station's tariff, so far
    await cp.authorize_transaction(1, "GUEST")
    await cp.update_transaction(1, seconds=3600)
    await cp.stop_transaction(1)
    cost = _record(central, "st-late", tx_id)["cost"]
    assert (cost["total"], cost["tariff"]["scope"]) == ("2.20", "tag")  # 22 kWh at 0.10


async def test_a_v201_station_that_shows_no_cost_gets_no_cost_updated(central: CentralSystem, url: str) -> None:
    """TariffCostCtrlr.Enabled[Cost] false: no CostUpdated (the answers' totalCost, optional, stay)."""
    from sim.state201 import _entry

    from .support.helpers_v201 import connect as connect201

    await central.pricing.set_tariff(Scope.of(), PRICES)
    cp = await connect201(url, "st-nocost")
    entry = _entry("TariffCostCtrlr", "Enabled", "false", "ReadWrite", "boolean")
    entry["variable"]["instance"] = "Cost"
    model = cp.sim.device_model
    model.entries[model.key(entry["component"], entry["variable"])] = entry
    await cp.boot()
    await wait_for(lambda: (v2 := central.stations["st-nocost"].v2) is not None and v2.inventory_time is not None)
    await cp.settle()
    await cp.start_transaction(1, "TAG-1")
    await cp.update_transaction(1, seconds=3600)
    assert cp.event_answers[-1].total_cost == pytest.approx(4.30)
    await cp.heartbeat()
    assert "cost_updates" not in cp.sim.extra


async def test_a_station_answering_not_implemented_is_not_asked_again(central: CentralSystem, url: str) -> None:
    await central.pricing.set_tariff(Scope.of(), PRICES)
    cp = await booted(central, url, "st-old")
    cp.sim.extra["refuse_cost_updated"] = True
    await cp.start_transaction(1, "TAG-1")
    for _ in range(2):
        await cp.update_transaction(1, seconds=600)
        await cp.heartbeat()
    assert [name for name, _ in cp.requests].count("CostUpdated") == 1
