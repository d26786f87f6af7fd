"""Load-management sensors: the limit in force (read back from the charger) and the state of the last change.

"In force" is what GetCompositeSchedule answered after the charger accepted the last change — the
limit the charger really applies, which may be lower than the one asked for (another profile, the
grid operator, its own maximum).  "Limit status" is the state of the last change, with the
charger's answer as an attribute; a refusal also raises a repair issue (repairs/limits.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfElectricCurrent, UnitOfPower

from .coordinator import OcppRuntimeData
from .csms import LimitState
from .entity import OcppEntity

LIMIT_STATUS_OPTIONS = ["pending", "sent", "accepted", "overridden", "rejected", "failed"]


@dataclass(frozen=True, kw_only=True)
class LimitSensorDescription(SensorEntityDescription):
    value_fn: Callable[[LimitState], float | str | None]


def _in_force_amps(key: str) -> LimitSensorDescription:
    return LimitSensorDescription(
        key="limit_in_force",
        translation_key=key,
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        value_fn=lambda state: state.in_force_amps,
    )


def _in_force_watts(key: str) -> LimitSensorDescription:
    return LimitSensorDescription(
        key="limit_in_force_power",
        translation_key=key,
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        entity_registry_enabled_default=False,  # the same limit as the one in amperes
        value_fn=lambda state: state.in_force_watts,
    )


def _status(key: str) -> LimitSensorDescription:
    return LimitSensorDescription(
        key="limit_status",
        translation_key=key,
        device_class=SensorDeviceClass.ENUM,
        options=LIMIT_STATUS_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: state.status,
    )


# a single-connector charger shows both on one device: the charger's own names differ
STATION_LIMIT_SENSORS = (
    _in_force_amps("charger_limit_in_force"),
    _in_force_watts("charger_limit_in_force_power"),
    _status("charger_limit_status"),
)
CONNECTOR_LIMIT_SENSORS = (
    _in_force_amps("limit_in_force"),
    _in_force_watts("limit_in_force_power"),
    _status("limit_status"),
)


def limit_sensors(
    runtime: OcppRuntimeData, entry_id: str, station_id: str, connector_id: int | None
) -> list[LimitSensor]:
    """The load-management sensors of the charger (connector_id None) or of one connector / EVSE."""
    descriptions = STATION_LIMIT_SENSORS if connector_id is None else CONNECTOR_LIMIT_SENSORS
    return [LimitSensor(runtime, entry_id, station_id, connector_id, d) for d in descriptions]


class LimitSensor(OcppEntity, SensorEntity):
    """Unknown until a limit is set; like the numbers, it keeps its value while the charger is offline."""

    entity_description: LimitSensorDescription
    # the charger's answer to the last change is for the repair issue and the entity's page; history keeps the status
    _unrecorded_attributes = frozenset({"answer", "unit_sent", "overridden_by"})

    @property
    def _limit(self) -> LimitState | None:
        return self.runtime.central.limits.get(self.station_id, self.connector_id or 0)

    @property
    def available(self) -> bool:
        return self.station_id in self.runtime.central.stations

    @property
    def native_value(self) -> float | str | None:
        state = self._limit
        return None if state is None else self.entity_description.value_fn(state)

    def _shown_now(self) -> tuple[Any, ...]:
        return (self.available, self.native_value, self.extra_state_attributes)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The status sensor carries the charger's answer (status, statusInfo) and the limit it was about."""
        if self.entity_description.key != "limit_status":
            return None
        state = self._limit
        if state is None:
            return None
        return {
            "answer": state.answer,
            "amps": state.amps,
            "unit_sent": state.unit_sent,
            "overridden_by": state.overridden_by,
        }
