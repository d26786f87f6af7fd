"""A connector's (and a single-connector charger's) current-limit sensors: the limit in force and its status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription, SensorStateClass
from homeassistant.const import EntityCategory, UnitOfElectricCurrent, UnitOfPower

from ..csms import LimitState
from ..entity import OcppEntity, OcppEntityDescription
from . import values

# limit the charger really applies, which may be lower than the one asked for (another profile, the
# grid operator, its own maximum).  "Limit status" is the state of the last change, with the
# charger's answer as an attribute; a refusal also raises a repair issue (repairs/limits.py).


@dataclass(frozen=True, kw_only=True)
class LimitSensorDescription(OcppEntityDescription, SensorEntityDescription):
    value_fn: Callable[[LimitState], float | str | None]
    attrs_fn: Callable[[LimitState], dict[str, Any]] | None = None
    # like the numbers, they keep their value while the charger is offline
    available_offline: bool = True


def _in_force(
    key: str, device_class: SensorDeviceClass, unit: str, value_fn: Callable[[LimitState], float | None], **kwargs: Any
) -> LimitSensorDescription:
    """The limit in force, in one unit."""
    return LimitSensorDescription(
        key=key,
        translation_key=key,
        device_class=device_class,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=unit,
        value_fn=value_fn,
        **kwargs,
    )


CONNECTOR_LIMIT_SENSORS = (
    _in_force(
        "limit_in_force", SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE, lambda state: state.in_force_amps
    ),
    _in_force(
        "limit_in_force_power",
        SensorDeviceClass.POWER,
        UnitOfPower.WATT,
        lambda state: state.in_force_watts,
        entity_registry_enabled_default=False,  # the same limit as the one in amperes
    ),
    LimitSensorDescription(
        key="limit_status",
        translation_key="limit_status",
        device_class=SensorDeviceClass.ENUM,
        options=values.LIMIT_STATUS_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: state.status,
        attrs_fn=values.limit_answer,
    ),
)
# a single-connector charger shows both on one device: the charger's own names differ
STATION_LIMIT_SENSORS = tuple(
    replace(description, translation_key=f"charger_{description.translation_key}")
    for description in CONNECTOR_LIMIT_SENSORS
)


class LimitSensor(OcppEntity, SensorEntity):
    """Unknown until a limit is set."""

    entity_description: LimitSensorDescription
    shows_readings = False
    # the charger's answer to the last change is for the repair issue and the entity's page; history keeps the status
    _unrecorded_attributes = frozenset({"answer", "unit_sent", "overridden_by"})

    @property
    def _limit(self) -> LimitState | None:
        return self.runtime.central.limits.get(self.station_id, self.connector_id or 0)

    @property
    def native_value(self) -> float | str | None:
        state = self._limit
        return None if state is None else self.entity_description.value_fn(state)

    def _shown_now(self) -> tuple[Any, ...]:
        return (self.available, self.native_value, self.extra_state_attributes)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        state, attrs_fn = self._limit, self.entity_description.attrs_fn
        return None if state is None or attrs_fn is None else attrs_fn(state)
