"""A charger that comes back speaking another OCPP version (firmware update): its sensors follow
without a reload, the other version's leave the entity registry, and the energy meter does not jump."""

from __future__ import annotations

import asyncio

import pytest
from homeassistant.const import CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from sim.charger16 import connect as connect16

from .helpers_ha import boot_station, state, until

V16_ONLY = ("sensor.fw_error", "sensor.fw_charger_status", "sensor.fw_connector_error", "sensor.fw_connectors")
V2_ONLY = ("sensor.fw_charging_state", "sensor.fw_charging_limited_by", "sensor.fw_evses")


def _kwh(hass: HomeAssistant) -> float:
    return float(state(hass, "sensor.fw_energy_meter") or "nan")


async def test_a_16_charger_becomes_a_201_station(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    registry = er.async_get(hass)
    cp, task, ws = await connect16(f"ws://127.0.0.1:{entry.data[CONF_PORT]}", "fw")
    await cp.boot()
    await cp.send_status(1, "Available")
    await cp.start_transaction(1, "TAG")
    await cp.send_meter_values(1, seconds=655)  # 2 kWh: the register reads 1,002 kWh
    await until(hass, lambda: _kwh(hass) == pytest.approx(1002.0, abs=0.01))
    await cp.stop_transaction(1)
    assert all(registry.async_get(entity_id) is not None for entity_id in V16_ONLY)
    assert not any(registry.async_get(entity_id) for entity_id in V2_ONLY)
    orphan = registry.async_get("sensor.fw_error")
    assert orphan is not None
    await ws.close()
    task.cancel()
    await until(hass, lambda: state(hass, "sensor.fw_status") == "unavailable")

    # the firmware update: the same charger, now OCPP 2.0.1, its meter at 1,000 kWh
    central = entry.runtime_data.central
    station = await boot_station(hass, central, "fw")
    await until(hass, lambda: state(hass, "sensor.fw_charging_state") == "idle")
    assert all(registry.async_get(entity_id) is not None for entity_id in V2_ONLY)
    assert not any(registry.async_get(entity_id) for entity_id in V16_ONLY)
    assert not any(hass.states.get(entity_id) for entity_id in V16_ONLY)
    assert state(hass, "sensor.fw_ocpp_version") == "ocpp2.0.1"
    await station.start_transaction(1, "TAG")
    await station.update_transaction(1, seconds=360)  # 1.1 kWh more
    await until(hass, lambda: state(hass, "sensor.fw_session_energy") == "1.1")
    assert _kwh(hass) == pytest.approx(1003.1, abs=0.01)  # not 2,003 kWh
    assert state(hass, "sensor.fw_status") == "charging"
    await station.stop_transaction(1)

    # an orphan left behind by an older version of the integration goes at the next start
    registry.async_get_or_create("sensor", DOMAIN, orphan.unique_id, config_entry=entry, suggested_object_id="fw_error")
    assert registry.async_get("sensor.fw_error") is not None
    await station.close()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get("sensor.fw_error") is None
    assert registry.async_get("sensor.fw_charging_state") is not None
    async with asyncio.timeout(5):
        await hass.async_block_till_done()
