"""OCPP 2.1 stations that calculate costs themselves (TariffCostCtrlr.Enabled[Tariff] true) get our tariffs:
SetDefaultTariff (ClearTariffs first when one changes), a tag's own in its AuthorizeResponse; a session the
station costs by our very tariff (its transactionInfo.tariffId) gets no CostUpdated nor totalCost, every
other one keeps them; a station that cannot take a tariff keeps the central system's costs."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig
from custom_components.ocpp_core.csms.features.pricing import Scope, Tariff
from custom_components.ocpp_core.csms.features.pricing.station_tariffs import tariff_id
from custom_components.ocpp_core.csms.v21.tariffs import tariff_type
from sim.state201 import _entry

from .support.helpers import wait_for
from .support.helpers_v201 import Sim, actions, connect, settled

# 0.30 per kWh and 1.00 per session: 11 kWh (an hour at 11 kW) cost 4.30
PRICES = {"currency": "EUR", "energy_price": "0.30", "session_fee": "1.00"}
GUEST = {"currency": "EUR", "energy_price": "0.50", "name": "Guest"}
NIGHT_AND_DAY = {
    "currency": "EUR",
    "energy_price": "0.30",
    "time_price": "0.02",
    "time_grace_minutes": 60,
    "idle_price": "0.10",
    "idle_grace_minutes": 30,
    "bands": [{"start": "22:00", "end": "06:00", "energy_price": "0.20"}, {"start": "06:00", "end": "22:00"}],
}


@pytest.fixture
def central_config() -> CentralSystemConfig:
    return CentralSystemConfig(
        host="127.0.0.1", port=0, call_timeout=5.0, heartbeat_interval=60, cost_update_interval=0
    )


def _set(cp: Sim, variable: str, value: str, instance: str = "Tariff") -> None:
    entry = _entry("TariffCostCtrlr", variable, value, "ReadWrite", "boolean")
    entry["variable"]["instance"] = instance
    model = cp.sim.device_model
    model.entries[model.key(entry["component"], entry["variable"])] = entry


async def _station(
    central: CentralSystem, url: str, cp_id: str, local: bool = True, evses: int = 1, **variables: str
) -> Sim:
    """A 2.1 station, booted, its inventory read: with local cost calculation unless `local` is False."""
    cp = await connect(url, cp_id, "2.1", evses)
    if local:
        _set(cp, "Enabled", "true")
    for variable, value in variables.items():
        _set(cp, variable, value)
    await cp.boot()
    await wait_for(lambda: (v2 := central.stations[cp_id].v2) is not None and v2.inventory_time is not None)
    await settled(cp)
    await cp.send_all_statuses()
    return cp


def _sent(cp: Sim, action: str) -> list[dict[str, Any]]:
    return [payload for name, payload in cp.requests if name == action]


def _held(cp: Sim) -> dict[str, set[int]]:
    """The station's default tariffs: id -> EVSEs (a request is seen before the station has handled it)."""
    return {tid: held["evses"] for tid, held in cp.sim.extra.get("tariffs", {}).items()}


async def test_tariff_type_is_our_tariff_in_2_1_form() -> None:
    """Hand-checked: bands as times of day, grace times as minTime / minIdleTime, idle = time + idle."""
    tariff = Tariff.from_dict(NIGHT_AND_DAY)
    data = tariff_type(tariff, "t1")
    night, day = (
        {"startTimeOfDay": "22:00", "endTimeOfDay": "06:00"},
        {"startTimeOfDay": "06:00", "endTimeOfDay": "22:00"},
    )
    assert data["energy"]["prices"] == [
        {"priceKwh": 0.2, "conditions": night},
        {"priceKwh": 0.3, "conditions": day},
    ]
    assert data["chargingTime"]["prices"] == [
        {"priceMinute": 0.02, "conditions": {**night, "minTime": 3600}},
        {"priceMinute": 0.02, "conditions": {**day, "minTime": 3600}},
    ]
    assert data["idleTime"]["prices"] == [
        {"priceMinute": 0.12, "conditions": {**night, "minTime": 3600, "minIdleTime": 1800}},
        {"priceMinute": 0.02, "conditions": {**night, "minTime": 3600}},
        {"priceMinute": 0.12, "conditions": {**day, "minTime": 3600, "minIdleTime": 1800}},
        {"priceMinute": 0.02, "conditions": {**day, "minTime": 3600}},
        {"priceMinute": 0.1, "conditions": {"minIdleTime": 1800}},
    ]
    assert "fixedFee" not in data and data["currency"] == "EUR"
    simple = tariff_type(Tariff.from_dict(PRICES), "t2")
    assert simple["energy"] == {"prices": [{"priceKwh": 0.3}]}
    assert simple["fixedFee"] == {"prices": [{"priceFixed": 1}]}
    assert "chargingTime" not in simple and "idleTime" not in simple
    assert simple["description"] == [{"format": "UTF8", "content": "0.30 EUR/kWh, 1.00 EUR/session"}]
    # the id follows the content: the same tariff the same id, another one another
    assert tariff_id(Tariff.from_dict(PRICES)) == tariff_id(Tariff.from_dict(dict(PRICES)))
    assert tariff_id(Tariff.from_dict(PRICES)) != tariff_id(Tariff.from_dict({**PRICES, "session_fee": "1.01"}))
    assert len(tariff_id(tariff)) <= 60


async def test_local_station_gets_the_default_tariff_and_costs_the_session_itself(
    central: CentralSystem, url: str
) -> None:
    await central.pricing.set_tariff(Scope.of(), PRICES)
    cp = await _station(central, url, "st-local")
    expected = tariff_id(Tariff.from_dict(PRICES))
    await wait_for(lambda: "st-local" in central.pricing.station_tariffs.results)
    (request,) = _sent(cp, "SetDefaultTariff")
    assert request["evseId"] == 0 and request["tariff"]["tariffId"] == expected
    assert request["tariff"]["energy"] == {"prices": [{"priceKwh": 0.3}]}
    assert _held(cp) == {expected: {1}}
    assert central.pricing.station_tariffs.results["st-local"]["status"] == "Installed"

    tx_id = await cp.start_transaction(1, "TAG-1")
    assert cp.sent_events[-1]["transaction_info"]["tariff_id"] == expected
    await cp.update_transaction(1, seconds=3600)
    await cp.heartbeat()
    # the station shows its own cost: no totalCost, no CostUpdated; ours is kept all the same
    assert getattr(cp.event_answers[-1], "total_cost", None) is None
    assert "CostUpdated" not in actions(cp)
    await cp.stop_transaction(1)
    assert getattr(cp.event_answers[-1], "total_cost", None) is None
    record = next(t for t in central.transactions("st-local") if t["transaction_id"] == tx_id)
    assert (record["cost"]["total"], record["cost"]["tariff"]["id"]) == ("4.30", expected)
    await cp.close()


async def test_a_changed_tariff_clears_the_old_one_first(central: CentralSystem, url: str) -> None:
    await central.pricing.set_tariff(Scope.of(), PRICES)
    cp = await _station(central, url, "st-change")
    await wait_for(lambda: _held(cp))
    old = tariff_id(Tariff.from_dict(PRICES))
    await central.pricing.set_tariff(Scope.of(), {**PRICES, "energy_price": "0.35"})
    new = tariff_id(Tariff.from_dict({**PRICES, "energy_price": "0.35"}))
    await wait_for(lambda: _held(cp) == {new: {1}})
    assert _sent(cp, "ClearTariffs") == [{"tariffIds": [old]}]
    # the same tariff again: nothing sent
    await central.pricing.set_tariff(Scope.of(), {**PRICES, "energy_price": "0.35"})
    await cp.heartbeat()
    assert len(_sent(cp, "SetDefaultTariff")) == 2
    # no tariff left: the station's is cleared too
    await central.pricing.clear_tariff(Scope.of())
    await wait_for(lambda: not _held(cp) and not central.pricing.station_tariffs.installed)
    assert _sent(cp, "ClearTariffs")[-1] == {"tariffIds": [new]}
    await cp.close()


async def test_connector_tariff_goes_to_its_evse_and_the_charger_s_to_the_others(
    central: CentralSystem, url: str
) -> None:
    await central.pricing.set_tariff(Scope.of(), PRICES)
    cp = await _station(central, url, "st-two", evses=2)
    await wait_for(lambda: _held(cp))
    await central.pricing.set_tariff(Scope.of("st-two", 2), GUEST)
    base, guest = tariff_id(Tariff.from_dict(PRICES)), tariff_id(Tariff.from_dict(GUEST))
    await wait_for(lambda: _held(cp) == {base: {1}, guest: {2}})
    assert [(r["evseId"], r["tariff"]["tariffId"]) for r in _sent(cp, "SetDefaultTariff")[1:]] == [
        (1, base),
        (2, guest),
    ]
    await cp.close()


async def test_a_tag_s_own_tariff_goes_in_its_authorize_answer(central: CentralSystem, url: str) -> None:
    await central.pricing.set_tariff(Scope.of(), PRICES)
    await central.pricing.set_tariff(Scope.of(id_tag="GUEST-1"), GUEST)
    cp = await _station(central, url, "st-tag")
    answer = await cp.authorize("guest-1")  # tags match without regard to case
    guest = tariff_id(Tariff.from_dict(GUEST))
    assert answer.tariff["tariff_id"] == guest and answer.tariff["energy"]["prices"] == [{"price_kwh": 0.5}]
    assert answer.tariff["description"][0]["content"] == "Guest: 0.50 EUR/kWh"
    assert getattr(await cp.authorize("TAG-1"), "tariff", None) is None  # no tariff of its own
    tx_id = await cp.start_transaction(1, "guest-1")
    assert cp.sent_events[-1]["transaction_info"]["tariff_id"] == guest
    await cp.update_transaction(1, seconds=3600)
    assert getattr(cp.event_answers[-1], "total_cost", None) is None
    await cp.stop_transaction(1)
    record = next(t for t in central.transactions("st-tag") if t["transaction_id"] == tx_id)
    assert (record["cost"]["total"], record["cost"]["tariff"]["scope"]) == ("5.50", "tag")
    await cp.close()


async def test_a_session_the_station_costs_by_another_tariff_keeps_our_costs(central: CentralSystem, url: str) -> None:
    """A remote start of a tag with its own tariff (no Authorize): the station names its default tariff, so it
    is told our cost by the tag's tariff."""
    await central.pricing.set_tariff(Scope.of(), PRICES)
    await central.pricing.set_tariff(Scope.of(id_tag="GUEST-1"), GUEST)
    cp = await _station(central, url, "st-mixed")
    await wait_for(lambda: _held(cp))
    tx_id = await cp.start_transaction(1, "GUEST-1")
    assert cp.sent_events[-1]["transaction_info"]["tariff_id"] == tariff_id(Tariff.from_dict(PRICES))
    await cp.update_transaction(1, seconds=3600)
    assert cp.event_answers[-1].total_cost == pytest.approx(5.50)
    await wait_for(lambda: cp.sim.extra.get("cost_updates"))
    assert cp.sim.extra["cost_updates"][-1] == (tx_id, pytest.approx(5.50))
    await cp.close()


async def test_a_2_1_station_without_local_costs_gets_no_tariff(central: CentralSystem, url: str) -> None:
    await central.pricing.set_tariff(Scope.of(), PRICES)
    cp = await _station(central, url, "st-central", local=False)
    answer = await cp.authorize("TAG-1")
    assert getattr(answer, "tariff", None) is None
    tx_id = await cp.start_transaction(1, "TAG-1")
    await cp.update_transaction(1, seconds=3600)
    assert cp.event_answers[-1].total_cost == pytest.approx(4.30)
    await wait_for(lambda: cp.sim.extra.get("cost_updates"))
    assert cp.sim.extra["cost_updates"][-1] == (tx_id, pytest.approx(4.30))
    assert not _sent(cp, "SetDefaultTariff") and not _sent(cp, "ClearTariffs")
    await cp.close()


@pytest.mark.parametrize(
    ("variables", "refuse", "status"),
    [
        ({"ConditionsSupported": "false"}, None, "ConditionNotSupported"),
        ({"MaxElements": "1"}, None, "TooManyElements"),
        ({}, "Rejected", "Rejected"),
    ],
)
async def test_a_tariff_the_station_cannot_take_leaves_it_on_our_costs(
    central: CentralSystem, url: str, variables: dict[str, str], refuse: str | None, status: str
) -> None:
    await central.pricing.set_tariff(Scope.of(), NIGHT_AND_DAY)
    cp = await connect(url, "st-refuses", "2.1")
    cp.sim.extra["refuse_tariff"] = refuse
    _set(cp, "Enabled", "true")
    for variable, value in variables.items():
        _set(cp, variable, value)
    await cp.boot()
    await wait_for(lambda: "st-refuses" in central.pricing.station_tariffs.results)
    result = central.pricing.station_tariffs.results["st-refuses"]
    assert result["status"] == "Central" and status in result["detail"]
    # refused on the station's word: not even sent
    assert len(_sent(cp, "SetDefaultTariff")) == (1 if refuse else 0)
    assert central.pricing.station_tariffs.installed == {}
    await settled(cp)
    await cp.send_all_statuses()
    await cp.start_transaction(1, "TAG-1")
    assert "tariff_id" not in cp.sent_events[-1]["transaction_info"]
    await cp.update_transaction(1, seconds=600)
    assert cp.event_answers[-1].total_cost is not None  # the central system's cost, as for any station
    await cp.close()


async def test_what_was_installed_survives_a_restart(central_config: CentralSystemConfig, url: str) -> None:
    del url
    from custom_components.ocpp_core.csms import MemoryPersistence

    persistence = MemoryPersistence()
    first = CentralSystem(central_config, persistence)
    await first.start()
    try:
        await first.pricing.set_tariff(Scope.of(), PRICES)
        cp = await _station(first, f"ws://127.0.0.1:{first.port}", "st-kept")
        await wait_for(lambda: first.pricing.station_tariffs.installed)
        await cp.close()
    finally:
        await first.stop()
    second = CentralSystem(central_config, persistence)
    await second.load()
    assert second.pricing.station_tariffs.installed == {"st-kept": {0: tariff_id(Tariff.from_dict(PRICES))}}
    await second.stop()
