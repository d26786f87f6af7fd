"""Helpers for the blueprint tests: the blueprints as a user imports them, and stand-in entities.

The blueprints are copied into the test instance's own blueprints folder and set up as
automations by the real automation and blueprint integrations.  The current-limit numbers
they drive are plain states, and number.set_value a recording service that moves the
number to the value asked for (as OCPP Core's number does at once).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_fire_time_changed

BLUEPRINTS = Path(__file__).resolve().parent.parent / "blueprints" / "automation" / "ocpp_core"


def _copy_blueprints(target: Path) -> None:
    target.mkdir(parents=True)
    for blueprint in BLUEPRINTS.glob("*.yaml"):
        shutil.copy(blueprint, target / blueprint.name)


async def install_blueprints(hass: HomeAssistant, config_dir: Path) -> None:
    """Give the instance a config folder of its own, with our blueprints where an import puts them."""
    hass.config.config_dir = str(config_dir)
    await hass.async_add_executor_job(_copy_blueprints, Path(hass.config.path("blueprints/automation/ocpp_core")))


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """One automation from the blueprint `name`, as the UI would write it."""
    config = {"automation": [{"alias": name, "use_blueprint": {"path": f"ocpp_core/{name}.yaml", "input": inputs}}]}
    assert await async_setup_component(hass, "automation", config)
    await hass.async_block_till_done()
    automation = hass.states.get(f"automation.{name}")
    assert automation is not None, f"the {name} blueprint did not load"
    assert automation.state == "on"


async def automations_off(hass: HomeAssistant) -> None:
    """Turn the automations off at the end of a test: their time patterns would outlive it."""
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)
        await hass.async_block_till_done()


@dataclass
class Numbers:
    """Stand-in current-limit numbers; number.set_value is recorded and moves the number."""

    hass: HomeAssistant
    calls: list[tuple[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.hass.services.async_register("number", "set_value", self._set_value)

    def add(self, entity_id: str, value: float, maximum: float = 32, step: float = 1, **attributes: Any) -> None:
        self.hass.states.async_set(
            entity_id,
            str(value),
            {"min": 0, "max": maximum, "step": step, "mode": "slider", "unit_of_measurement": "A", **attributes},
        )

    def value(self, entity_id: str) -> float:
        current = self.hass.states.get(entity_id)
        assert current is not None
        return float(current.state)

    def set_attribute(self, entity_id: str, **attributes: Any) -> None:
        current = self.hass.states.get(entity_id)
        assert current is not None
        self.hass.states.async_set(entity_id, current.state, {**current.attributes, **attributes})

    def taken(self) -> list[tuple[str, float]]:
        """The calls since the last look."""
        calls, self.calls = self.calls, []
        return calls

    async def _set_value(self, call: ServiceCall) -> None:
        entity_ids = call.data["entity_id"]
        for entity_id in [entity_ids] if isinstance(entity_ids, str) else entity_ids:
            value = float(call.data["value"])
            self.calls.append((entity_id, value))
            current = self.hass.states.get(entity_id)
            assert current is not None
            self.hass.states.async_set(entity_id, str(value), dict(current.attributes))


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Let time pass in steps of 30 s at most, so every delay and time pattern fires in order."""
    await hass.async_block_till_done()  # what just changed starts its delays now, not after the first step
    left = seconds
    while left > 0:
        step = min(left, 30.0)
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        left -= step


def power(hass: HomeAssistant, entity_id: str, watts: float, unit: str = "W") -> None:
    hass.states.async_set(entity_id, str(watts), {"device_class": "power", "unit_of_measurement": unit})


def current(hass: HomeAssistant, entity_id: str, amps: float) -> None:
    hass.states.async_set(entity_id, str(amps), {"device_class": "current", "unit_of_measurement": "A"})
