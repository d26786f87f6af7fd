"""The cheap-hours blueprint: the limits it sets as a price or a schedule changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import CoreState, HomeAssistant

from .helpers_blueprints import Numbers, advance, automations_off, install_blueprints, use_blueprint

PRICE = "sensor.electricity_price"
A, B = "number.garage_current_limit", "number.carport_current_limit"


@pytest.fixture
async def numbers(hass: HomeAssistant, tmp_path: Path) -> AsyncIterator[Numbers]:
    await install_blueprints(hass, tmp_path)
    numbers = Numbers(hass)
    numbers.add(A, 0, maximum=32)
    numbers.add(B, 0, maximum=10)
    yield numbers
    await automations_off(hass)


async def test_price_below_the_threshold_charges(
    hass: HomeAssistant, numbers: Numbers, freezer: FrozenDateTimeFactory
) -> None:
    hass.states.async_set(PRICE, "0.31", {"unit_of_measurement": "EUR/kWh"})
    await use_blueprint(
        hass, "cheap_hours", {"cheap_entity": PRICE, "price_threshold": 0.2, "chargers": [A, B], "cheap_current": 16}
    )
    for price, expected in (
        ("0.25", []),  # still expensive: the limits are 0 already
        ("0.19", [(A, 16), (B, 10)]),  # cheap; the carport's maximum is 10 A
        ("0.20", []),  # at the threshold: still cheap
        ("0.12", []),
        ("0.35", [(A, 0), (B, 0)]),
        ("unavailable", []),  # unknown: nothing changes
    ):
        hass.states.async_set(PRICE, price, {"unit_of_measurement": "EUR/kWh"})
        await advance(hass, freezer, 1)
        assert numbers.taken() == expected, price


async def test_a_schedule_decides_and_a_returning_charger_gets_the_limit_again(
    hass: HomeAssistant, numbers: Numbers, freezer: FrozenDateTimeFactory
) -> None:
    hass.states.async_set("schedule.night", "off")
    await use_blueprint(
        hass,
        "cheap_hours",
        {"cheap_entity": "schedule.night", "chargers": [A], "cheap_current": 11, "expensive_current": 6},
    )
    hass.states.async_set("schedule.night", "on")
    await advance(hass, freezer, 1)
    assert numbers.taken() == [(A, 11)]
    hass.states.async_set("schedule.night", "off")
    await advance(hass, freezer, 1)
    assert numbers.taken() == [(A, 6)]

    hass.states.async_set(A, "unavailable")  # gone, and back with another value
    numbers.add(A, 16, maximum=32)
    await advance(hass, freezer, 1)
    assert numbers.taken() == [(A, 6)]


async def test_home_assistant_start_sets_the_limits(hass: HomeAssistant, numbers: Numbers) -> None:
    hass.set_state(CoreState.not_running)
    hass.states.async_set(PRICE, "0.05")
    await use_blueprint(hass, "cheap_hours", {"cheap_entity": PRICE, "chargers": [A, B]})
    assert numbers.taken() == []
    await hass.async_start()
    await hass.async_block_till_done()
    assert numbers.taken() == [(A, 16), (B, 10)]
