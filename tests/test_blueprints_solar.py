"""The solar-surplus blueprint: the limits it sets for a sequence of grid and charger powers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from .helpers_blueprints import Numbers, advance, automations_off, install_blueprints, power, use_blueprint

GRID = "sensor.grid_power"
CAR = "sensor.wb_power"
LIMIT = "number.wb_current_limit"
PER_AMP = 3 * 230  # W per ampere on three phases


@pytest.fixture
async def numbers(hass: HomeAssistant, tmp_path: Path) -> AsyncIterator[Numbers]:
    await install_blueprints(hass, tmp_path)
    numbers = Numbers(hass)
    numbers.add(LIMIT, 0)
    power(hass, GRID, 0)
    power(hass, CAR, 0)
    yield numbers
    await automations_off(hass)


def charger_follows(hass: HomeAssistant, numbers: Numbers, export: float) -> None:
    """The car draws what the limit allows; the grid exports what is left of `export` (the sun's surplus)."""
    drawn = numbers.value(LIMIT) * PER_AMP
    power(hass, CAR, drawn)
    power(hass, GRID, drawn - export)


async def test_three_entities_are_enough_start_follow_stop(
    hass: HomeAssistant, numbers: Numbers, freezer: FrozenDateTimeFactory
) -> None:
    await use_blueprint(hass, "solar_surplus", {"grid_power": GRID, "charger_power": CAR, "current_limit": LIMIT})

    power(hass, GRID, -3000)  # 3 kW export: less than 6 A on three phases (4140 W)
    await advance(hass, freezer, 15 * 60)
    assert numbers.taken() == []

    power(hass, GRID, -5000)
    await advance(hass, freezer, 4 * 60)
    assert numbers.taken() == []  # the start delay (5 min) has not passed
    await advance(hass, freezer, 61)
    assert numbers.taken() == [(LIMIT, 7)]  # 5000 W / 690 W per A, rounded down

    charger_follows(hass, numbers, export=5000)
    await advance(hass, freezer, 5 * 60)
    assert numbers.taken() == []  # the same surplus: the same limit

    charger_follows(hass, numbers, export=5700)  # 8.26 A would fit, but 7.8 A less the 300 W hysteresis: stays
    await advance(hass, freezer, 5 * 60)
    assert numbers.taken() == []
    charger_follows(hass, numbers, export=6600)  # 9.13 A less the hysteresis: up to 9
    await advance(hass, freezer, 60)
    assert numbers.taken() == [(LIMIT, 9)]
    charger_follows(hass, numbers, export=6600)
    await advance(hass, freezer, 5 * 60)
    assert numbers.taken() == []

    charger_follows(hass, numbers, export=13000)  # more than the 16 A maximum
    await advance(hass, freezer, 60)
    assert numbers.taken() == [(LIMIT, 16)]

    # a cloud: 640 W short of 6 A, more than the hysteresis: down to the minimum, and stop after 10 min
    charger_follows(hass, numbers, export=3500)
    await advance(hass, freezer, 60)
    assert numbers.taken() == [(LIMIT, 6)]
    charger_follows(hass, numbers, export=3500)
    await advance(hass, freezer, 8 * 60)
    assert numbers.taken() == []  # the stop delay (10 min since the cloud came) has not passed
    await advance(hass, freezer, 90)
    assert numbers.taken() == [(LIMIT, 0)]


async def test_within_the_hysteresis_charging_goes_on_at_the_minimum(
    hass: HomeAssistant, numbers: Numbers, freezer: FrozenDateTimeFactory
) -> None:
    numbers.add(LIMIT, 6)
    await use_blueprint(hass, "solar_surplus", {"grid_power": GRID, "charger_power": CAR, "current_limit": LIMIT})
    charger_follows(hass, numbers, export=3900)  # 240 W short of 6 A: within the 300 W hysteresis
    await advance(hass, freezer, 30 * 60)
    assert numbers.taken() == []
    charger_follows(hass, numbers, export=3800)  # now 340 W short
    await advance(hass, freezer, 10 * 60 + 60)
    assert numbers.taken() == [(LIMIT, 0)]


async def test_settings_sign_units_phases_and_delays(
    hass: HomeAssistant, numbers: Numbers, freezer: FrozenDateTimeFactory
) -> None:
    numbers.add(LIMIT, 0, maximum=20, step=0.5)
    power(hass, GRID, 0, unit="kW")
    await use_blueprint(
        hass,
        "solar_surplus",
        {
            "grid_power": GRID,
            "charger_power": CAR,
            "current_limit": LIMIT,
            "grid_sign": "export_positive",
            "phases": "1",
            "voltage": 230,
            "min_current": 6,
            "max_current": 32,
            "start_delay": {"seconds": 30},
        },
    )
    power(hass, GRID, 1.0, unit="kW")  # export 1 kW: 4.3 A on one phase
    await advance(hass, freezer, 5 * 60)
    assert numbers.taken() == []
    power(hass, GRID, 2.5, unit="kW")  # 10.87 A: 10.5 A in steps of 0.5 A
    await advance(hass, freezer, 31)
    assert numbers.taken() == [(LIMIT, 10.5)]
    power(hass, CAR, 10.5 * 230)
    power(hass, GRID, 6.0, unit="kW")  # far above the number's own maximum (20 A)
    await advance(hass, freezer, 120)  # at most once a minute (the adjustment interval)
    assert numbers.taken() == [(LIMIT, 20)]


async def test_nothing_is_set_while_the_grid_power_is_unknown(
    hass: HomeAssistant, numbers: Numbers, freezer: FrozenDateTimeFactory
) -> None:
    numbers.add(LIMIT, 10)
    await use_blueprint(hass, "solar_surplus", {"grid_power": GRID, "charger_power": CAR, "current_limit": LIMIT})
    hass.states.async_set(GRID, "unavailable")
    await advance(hass, freezer, 20 * 60)
    assert numbers.taken() == []
