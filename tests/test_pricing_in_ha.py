"""Pricing in Home Assistant: tariffs set by services (administrators only, translated errors), and a priced
1.6J session and a priced 2.0.1 session showing the same cost in the sensors, the session-ended event
and get_transactions — on either back end (the tariffs and the costs are the central system's: the embedded
one's, or the add-on's)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from homeassistant.auth.models import User
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.ocpp_core.const import DOMAIN
from sim.charger16 import connect

from .helpers_ha import boot_station, find_device, state, until
from .helpers_remote import both_backends, ocpp_url

# 1.00 per session and 0.30 per kWh: an hour at 11 kW costs 4.30
PRICES = {"currency": "EUR", "energy_price": "0.30", "session_fee": 1}


async def _service(hass: HomeAssistant, name: str, data: dict[str, Any], response: bool = False) -> Any:
    return await hass.services.async_call(DOMAIN, name, data, blocking=True, return_response=response)


def _cost(hass: HomeAssistant, entity_id: str) -> tuple[str, str | None] | None:
    found = hass.states.get(entity_id)
    return None if found is None else (found.state, found.attributes.get("unit_of_measurement"))


@both_backends
async def test_v16_and_v201_sessions_cost_the_same_in_ha(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    central = entry.runtime_data.central
    ended: list[Event] = async_capture_events(hass, f"{DOMAIN}_transaction_ended")
    answer = await _service(hass, "set_tariff", {**PRICES, "name": "Home"}, response=True)
    assert answer["scope"] == "central" and answer["tariff"]["energy_price"] == "0.30"

    charger, task, ws = await connect(ocpp_url(entry), "garage")
    await charger.boot()
    await charger.send_status(1, "Available")
    await until(hass, lambda: state(hass, "sensor.garage_status") == "available")
    assert _cost(hass, "sensor.garage_session_cost") == ("unknown", None)
    await charger.start_transaction(1, "TAG-1")
    await charger.send_meter_values(1, seconds=3600)
    await until(hass, lambda: _cost(hass, "sensor.garage_session_cost") == ("4.30", "EUR"))
    await charger.stop_transaction(1)
    await until(hass, lambda: _cost(hass, "sensor.garage_last_session_cost") == ("4.30", "EUR"))
    last = hass.states.get("sensor.garage_last_session_cost")
    assert last is not None and last.attributes["final"] is True and last.attributes["tariff"] == "Home"
    assert last.attributes["device_class"] == "monetary"

    hall = await boot_station(hass, central, "hall", url=ocpp_url(entry))
    await until(hass, lambda: hass.states.get("sensor.hall_session_cost") is not None)
    tx_id = await hall.start_transaction(1, "TAG-1")
    await hall.update_transaction(1, seconds=3600)
    await until(hass, lambda: _cost(hass, "sensor.hall_session_cost") == ("4.30", "EUR"))
    await hall.stop_transaction(1)
    assert hall.event_answers[-1].total_cost == pytest.approx(4.30)  # the station was told the final cost
    await until(hass, lambda: _cost(hass, "sensor.hall_last_session_cost") == ("4.30", "EUR"))

    await until(hass, lambda: len(ended) == 2)
    for event in ended:
        assert (event.data["cost_total"], event.data["cost_currency"], event.data["cost_minor_units"]) == (
            "4.30",
            "EUR",
            430,
        )
    assert ended[1].data["transaction_id"] == tx_id
    found = await _service(hass, "get_transactions", {}, response=True)
    costs = {t["station_id"]: (t["cost"]["total"], t["cost"]["final"]) for t in found["transactions"]}
    assert costs == {"garage": ("4.30", True), "hall": ("4.30", True)}
    async with asyncio.timeout(5):
        await hall.settle()
    await hall.close()
    await ws.close()
    task.cancel()


@both_backends
async def test_tariff_services_and_their_errors(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    charger, task, ws = await connect(ocpp_url(entry), "porch")
    await charger.boot()
    await until(hass, lambda: find_device(hass, "porch") is not None)
    device = find_device(hass, "porch")
    assert device is not None
    await _service(hass, "set_tariff", {"currency": "CHF", "energy_price": 0.5, "device_id": device.id})
    await _service(hass, "set_tariff", {"currency": "EUR", "id_tag": "household"})
    listed = await _service(hass, "get_tariffs", {}, response=True)
    assert [(t["scope"], t.get("station_id"), t["tariff"]["currency"]) for t in listed["tariffs"]] == [
        ("charger", "porch", "CHF"),
        ("tag", None, "EUR"),
    ]
    bad = [
        ({"currency": "EUX"}, "tariff_unknown_currency"),
        ({"currency": "EUR", "energy_price": -0.1}, "tariff_negative_price"),
        ({"currency": "EUR", "bands": [{"start": "06:00", "end": "22:00"}]}, "tariff_band_gap"),
        ({"currency": "EUR", "device_id": device.id, "id_tag": "x"}, "tariff_bad_scope"),
    ]
    for data, key in bad:
        with pytest.raises(ServiceValidationError) as caught:
            await _service(hass, "set_tariff", data)
        assert caught.value.translation_key == key
        assert str(caught.value)  # a message, translated
    assert len((await _service(hass, "get_tariffs", {}, response=True))["tariffs"]) == 2  # nothing changed
    await _service(hass, "clear_tariff", {"device_id": device.id})
    with pytest.raises(ServiceValidationError) as caught:
        await _service(hass, "clear_tariff", {"device_id": device.id})
    assert caught.value.translation_key == "tariff_not_set"
    await ws.close()
    task.cancel()


async def test_a_non_admin_may_not_set_prices(
    hass: HomeAssistant, entry: MockConfigEntry, hass_read_only_user: User
) -> None:
    for name, data in (("set_tariff", PRICES), ("clear_tariff", {})):
        with pytest.raises(Unauthorized):
            await hass.services.async_call(
                DOMAIN, name, data, blocking=True, context=Context(user_id=hass_read_only_user.id)
            )
    assert await entry.runtime_data.central.records.tariffs() == []
