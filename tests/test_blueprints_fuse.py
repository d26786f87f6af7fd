"""The fuse-protection blueprint: the headroom under the main fuse shared among the cars that charge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from .helpers_blueprints import Numbers, advance, automations_off, current, install_blueprints, power, use_blueprint

PHASES = ("sensor.house_l1", "sensor.house_l2", "sensor.house_l3")
A, B = "number.garage_current_limit", "number.carport_current_limit"
POWER = {A: "sensor.garage_power", B: "sensor.carport_power"}
PER_AMP = 3 * 230


@pytest.fixture
async def numbers(hass: HomeAssistant, tmp_path: Path) -> AsyncIterator[Numbers]:
    await install_blueprints(hass, tmp_path)
    numbers = Numbers(hass)
    numbers.add(A, 10, maximum=16, session_active=True)
    numbers.add(B, 10, maximum=10, session_active=True)
    yield numbers
    await automations_off(hass)


def house(hass: HomeAssistant, numbers: Numbers, other: tuple[float, float, float]) -> None:
    """The cars draw their limits (when they have a session); the house meter sees them on every phase."""
    drawn = 0.0
    for number, sensor in POWER.items():
        amps = numbers.value(number) if (s := hass.states.get(number)) and s.attributes["session_active"] else 0.0
        power(hass, sensor, amps * PER_AMP)
        drawn += amps
    for entity_id, amps in zip(PHASES, other, strict=True):
        current(hass, entity_id, amps + drawn)


async def test_shares_the_headroom_and_never_goes_over_the_fuse(
    hass: HomeAssistant, numbers: Numbers, freezer: FrozenDateTimeFactory
) -> None:
    house(hass, numbers, (2, 1, 1))
    await use_blueprint(
        hass,
        "fuse_protection",
        {"house_currents": list(PHASES), "fuse": 25, "chargers": [A, B], "charger_powers": [POWER[A], POWER[B]]},
    )
    house(hass, numbers, (8, 3, 5))  # 28 A on L1 with both cars at 10 A: 24 A usable, 16 A for the cars
    await advance(hass, freezer, 1)
    assert sorted(numbers.taken()) == [(B, 8), (A, 8)]

    house(hass, numbers, (2, 1, 1))  # room again: 22 A for the cars; the carport's maximum is 10 A
    await advance(hass, freezer, 1)
    assert numbers.taken() == []  # a limit goes up only once it has held for the raise delay (30 s)
    await advance(hass, freezer, 40)
    assert sorted(numbers.taken()) == [(B, 10), (A, 12)]

    numbers.set_attribute(B, session_active=False)  # the carport's car leaves
    house(hass, numbers, (2, 1, 1))
    await advance(hass, freezer, 1)
    assert numbers.taken() == [(B, 0)]  # no session: 0 A, so a car plugged in next starts paused
    await advance(hass, freezer, 40)
    assert numbers.taken() == [(A, 16)]  # the garage's maximum

    house(hass, numbers, (20, 4, 4))  # the oven and the heat pump: 4 A left, not enough for one car
    await advance(hass, freezer, 1)
    assert numbers.taken() == [(A, 0)]
    for entity_id in PHASES:
        current_amps = float(hass.states.get(entity_id).state)  # type: ignore[union-attr]
        assert current_amps - 16 + numbers.value(A) <= 24


async def test_too_little_for_two_cars_the_first_one_listed_charges(
    hass: HomeAssistant, numbers: Numbers, freezer: FrozenDateTimeFactory
) -> None:
    numbers.add(A, 0, maximum=16, session_active=True)
    numbers.add(B, 0, maximum=16, session_active=True)
    house(hass, numbers, (14, 14, 14))
    await use_blueprint(
        hass,
        "fuse_protection",
        {
            "house_currents": list(PHASES),
            "fuse": 25,
            "reserve": 2,
            "chargers": [B, A],
            "charger_powers": [POWER[B], POWER[A]],
            "raise_delay": 0,
        },
    )
    await advance(hass, freezer, 31)  # the periodic check
    assert numbers.taken() == [(B, 9)]  # 9 A free: one car at 9 A rather than two below 6 A


async def test_an_unknown_house_current_changes_nothing(
    hass: HomeAssistant, numbers: Numbers, freezer: FrozenDateTimeFactory
) -> None:
    house(hass, numbers, (2, 1, 1))
    await use_blueprint(
        hass,
        "fuse_protection",
        {"house_currents": list(PHASES), "fuse": 25, "chargers": [A, B], "charger_powers": [POWER[A], POWER[B]]},
    )
    hass.states.async_set(PHASES[1], "unavailable")
    await advance(hass, freezer, 120)
    assert numbers.taken() == []
