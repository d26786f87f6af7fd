"""From a fresh install to solar-surplus charging: the blueprint, three entities, a real charger.

OCPP Core runs in Home Assistant with a simulated OCPP 1.6 charger that obeys the charging
profiles it gets (its power and status follow the limit); the solar-surplus blueprint drives
the charger's real *Current limit* number from a grid power sensor and the charger's real
*Power* sensor.  No limit was set before: the number starts unknown.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from sim.charger16 import SimulatedChargePoint, connect

from .helpers_blueprints import automations_off, install_blueprints, power, use_blueprint
from .helpers_ha import ACCEPT_ALL, free_port, state, until

GRID = "sensor.grid_power"


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None) -> None:
    """Load our integration from custom_components."""


@pytest.fixture
async def entry(hass: HomeAssistant, tmp_path: Path) -> AsyncIterator[MockConfigEntry]:
    await install_blueprints(hass, tmp_path)
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()}, options=ACCEPT_ALL)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entry.runtime_data.central.config.limit_interval = 0
    yield entry
    await automations_off(hass)
    if entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def charger(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[SimulatedChargePoint]:
    cp, task, ws = await connect(f"ws://127.0.0.1:{entry.data[CONF_PORT]}", "wb")
    await cp.boot()
    await cp.send_status(0, "Available")
    await cp.send_status(1, "Available")
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available")
    yield cp
    async with asyncio.timeout(5):
        await cp.settle()
    await ws.close()
    task.cancel()


def last_limit(cp: SimulatedChargePoint) -> tuple[int, float]:
    sent: list[dict[str, Any]] = [payload for name, payload in cp.requests if name == "SetChargingProfile"]
    assert sent, "no SetChargingProfile reached the charger"
    profile = sent[-1]["csChargingProfiles"]
    return sent[-1]["connectorId"], float(profile["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"])


def watts(hass: HomeAssistant, entity_id: str) -> float:
    current = hass.states.get(entity_id)
    assert current is not None
    return float(current.state)


async def test_solar_surplus_with_a_real_charger(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    await charger.start_transaction(1, "TAG")  # no limit yet: the car takes 11 kW
    await charger.send_meter_values(1)
    await until(hass, lambda: state(hass, "sensor.wb_power") == "11000.0")
    assert state(hass, "number.wb_current_limit") == "unknown"
    power(hass, GRID, -2000)  # the sun covers the car and exports 2 kW more

    # the user's part: import the blueprint, pick three entities (delays shortened for the test)
    await use_blueprint(
        hass,
        "solar_surplus",
        {
            "grid_power": GRID,
            "charger_power": "sensor.wb_power",
            "current_limit": "number.wb_current_limit",
            "start_delay": {"seconds": 0},
            "stop_delay": {"seconds": 0},
        },
    )

    power(hass, GRID, 8000)  # clouds: 3 kW of sun left, 8 kW from the grid — less than 6 A on three phases
    await until(hass, lambda: state(hass, "sensor.wb_limit_in_force") == "0.0")
    assert last_limit(charger) == (1, 0.0)
    assert state(hass, "number.wb_current_limit") == "0.0"
    assert state(hass, "sensor.wb_limit_status") == "accepted"
    await until(hass, lambda: state(hass, "sensor.wb_status") == "suspended_evse")  # the charger obeyed
    await charger.send_meter_values(1)
    await until(hass, lambda: watts(hass, "sensor.wb_power") == 0)

    power(hass, GRID, -6000)  # sun again: 6 kW to spare, 8 A on three phases
    await until(hass, lambda: state(hass, "sensor.wb_limit_in_force") == "8.0")
    assert last_limit(charger) == (1, 8.0)
    await until(hass, lambda: state(hass, "sensor.wb_status") == "charging")
    await charger.send_meter_values(1)
    await until(hass, lambda: watts(hass, "sensor.wb_power") == 8 * 230 * 3)
