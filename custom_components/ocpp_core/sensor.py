"""Sensors of a station and its connectors (OCPP 2.x: EVSEs), declared as descriptions.

`exists_fn` decides per station: a 1.6 charger gets no OCPP 2.x sensors (charging state, EV charging needs,
limit source), a 2.x station none of the 1.6 status-notification error codes (2.x reports problems as
device-model events instead).  What the sensors show is read in sensors/values.py;
the limit and cost sensors are in sensors/limits.py and sensors/costs.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    MAX_LENGTH_STATE_STATE,
    PERCENTAGE,
    EntityCategory,
    Platform,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)

from .csms import (
    CURRENT_IMPORT,
    CURRENT_OFFERED,
    ENERGY_EXPORT_REGISTER,
    FREQUENCY,
    POWER_FACTOR,
    SOC,
    TEMPERATURE,
    VOLTAGE,
    Connector,
    Station,
)
from .entity import EntitySpecs, OcppEntity, OcppEntityDescription, ShownSensor, ocpp_platform
from .sensors import values
from .sensors.costs import COST_SENSORS, CostSensor
from .sensors.limits import CONNECTOR_LIMIT_SENSORS, STATION_LIMIT_SENSORS, LimitSensor

PARALLEL_UPDATES = 0

StateValue = str | int | float | datetime | None


def _is_v2(station: Station) -> bool:
    return station.is_v2


def _state(value: StateValue) -> StateValue:
    """A text longer than a state may be (a charger's free text, or any string in lenient mode) is unknown:
    Home Assistant would log an error on every write."""
    return None if isinstance(value, str) and len(value) > MAX_LENGTH_STATE_STATE else value


def _v16_only(station: Station) -> bool:
    return not station.is_v2


def _nothing(connector: Connector) -> None:
    return None


@dataclass(frozen=True, kw_only=True)
class StationSensorDescription(OcppEntityDescription, SensorEntityDescription):
    value_fn: Callable[[Station], StateValue]


@dataclass(frozen=True, kw_only=True)
class ConnectorSensorDescription(OcppEntityDescription, SensorEntityDescription):
    value_fn: Callable[[Connector], StateValue] = _nothing
    # when set, the value instead: of the connector and its station
    station_value_fn: Callable[[Station, Connector], StateValue] | None = None
    # the state attributes, and (state class total) when the count last started over
    attrs_fn: Callable[[Connector], dict[str, Any] | None] | None = None
    last_reset_fn: Callable[[Connector], datetime | None] | None = None


def _diagnostic(key: str, value_fn: Callable[[Station], StateValue], **kwargs: Any) -> StationSensorDescription:
    """A station's diagnostic sensor, translated by its key."""
    return StationSensorDescription(
        key=key, translation_key=key, entity_category=EntityCategory.DIAGNOSTIC, value_fn=value_fn, **kwargs
    )


STATION_SENSORS: tuple[StationSensorDescription, ...] = (
    _diagnostic("error_code", lambda station: values.error(station.error_code) or "none", exists_fn=_v16_only),
    _diagnostic(
        "vendor_error_code",
        lambda station: station.vendor_error_code,
        entity_registry_enabled_default=False,
        exists_fn=_v16_only,
    ),
    _diagnostic("ocpp_version", lambda station: station.ocpp_version.value if station.ocpp_version else None),
    _diagnostic("firmware_version", lambda station: station.firmware_version),
    StationSensorDescription(
        key="station_status",
        translation_key="station_status",
        device_class=SensorDeviceClass.ENUM,
        options=values.STATUS_OPTIONS,
        value_fn=lambda station: values.status_key(station.status),
        exists_fn=_v16_only,  # a 2.x station has no status of its own, its EVSEs have
    ),
    _diagnostic("firmware_status", lambda station: station.firmware_status),
    _diagnostic(
        "last_security_event",
        lambda station: station.security_events[-1]["type"] if station.security_events else None,
    ),
    _diagnostic("last_heartbeat", lambda station: station.last_heartbeat, device_class=SensorDeviceClass.TIMESTAMP),
    # counts kept across restarts (csms/model/counters.py): statistics can sum them per day or month
    StationSensorDescription(
        key="sessions",
        translation_key="sessions",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda station: station.counters.sessions,
    ),
    _diagnostic("boots", lambda station: station.counters.boots, state_class=SensorStateClass.TOTAL_INCREASING),
    _diagnostic(
        "disconnects",
        lambda station: station.counters.disconnects,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_registry_enabled_default=False,  # changes with every network hiccup
    ),
    _diagnostic(
        "connector_count",
        lambda station: len(station.connectors),
        entity_registry_enabled_default=False,
        exists_fn=_v16_only,
    ),
    _diagnostic(
        "evse_count", lambda station: len(station.connectors), entity_registry_enabled_default=False, exists_fn=_is_v2
    ),
)


def _translated(key: str, **kwargs: Any) -> ConnectorSensorDescription:
    """A connector's sensor, translated by its key."""
    return ConnectorSensorDescription(key=key, translation_key=key, **kwargs)


def _measurement(
    key: str, device_class: SensorDeviceClass | None, unit: str | None, precision: int, **kwargs: Any
) -> ConnectorSensorDescription:
    """A connector's reading of what flows or is measured now."""
    return ConnectorSensorDescription(
        key=key,
        device_class=device_class,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=unit,
        suggested_display_precision=precision,
        **kwargs,
    )


def _reading(
    key: str,
    measurand: str,
    device_class: SensorDeviceClass | None,
    unit: str | None,
    precision: int,
    *,
    enabled: bool = True,
    translation_key: str | None = None,
) -> ConnectorSensorDescription:
    """A connector's latest reading of one measurand (`enabled`: the entity's default)."""
    return _measurement(
        key,
        device_class,
        unit,
        precision,
        translation_key=translation_key,
        entity_registry_enabled_default=enabled,
        value_fn=lambda connector: connector.reading(measurand),
    )


def _register(
    key: str, translation_key: str, value_fn: Callable[[Connector], StateValue]
) -> ConnectorSensorDescription:
    """An energy register of the connector's meter (kWh, only ever growing)."""
    return ConnectorSensorDescription(
        key=key,
        translation_key=translation_key,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=value_fn,
    )


CONNECTOR_SENSORS: tuple[ConnectorSensorDescription, ...] = (
    ConnectorSensorDescription(
        key="error_code",
        translation_key="connector_error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda connector: values.error(connector.error_code) or "none",
        exists_fn=_v16_only,
    ),
    _reading("temperature", TEMPERATURE, SensorDeviceClass.TEMPERATURE, UnitOfTemperature.CELSIUS, 1, enabled=False),
    # when the session started: HA shows the time elapsed from it, with no state write while it runs
    _translated(
        "session_start",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=values.session_start,
        attrs_fn=values.session_attrs,
    ),
    # its length in minutes, for automations: a state write a minute per charging connector, so off by default
    _translated(
        "session_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        entity_registry_enabled_default=False,
        value_fn=values.session_minutes,
        attrs_fn=values.session_attrs,
    ),
    _translated(
        "stop_reason", entity_category=EntityCategory.DIAGNOSTIC, value_fn=lambda connector: connector.last_stop_reason
    ),
    _translated("session_id_tag", value_fn=values.session_tag, attrs_fn=values.session_attrs),
    _translated(
        "status", device_class=SensorDeviceClass.ENUM, options=values.STATUS_OPTIONS, station_value_fn=values.status
    ),
    _measurement("power", SensorDeviceClass.POWER, UnitOfPower.WATT, 0, station_value_fn=values.power),
    *(
        _measurement(
            f"current_{phase.lower()}",
            SensorDeviceClass.CURRENT,
            UnitOfElectricCurrent.AMPERE,
            0,  # what a car draws of the 6-32 A offered; more in the entity's settings
            translation_key=f"current_{phase.lower()}",
            entity_registry_enabled_default=phase == "L1",
            station_value_fn=values.phase_reading(CURRENT_IMPORT, phase, phase == "L1", flowing=True),
        )
        for phase in ("L1", "L2", "L3")
    ),
    *(
        _measurement(
            f"voltage_{phase[:2].lower()}",
            SensorDeviceClass.VOLTAGE,
            UnitOfElectricPotential.VOLT,
            0,
            translation_key=f"voltage_{phase[:2].lower()}",
            entity_registry_enabled_default=False,
            station_value_fn=values.phase_reading(VOLTAGE, phase, phase == "L1-N"),
        )
        for phase in ("L1-N", "L2-N", "L3-N")
    ),
    _translated(
        "session_energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        value_fn=values.session_energy,
        attrs_fn=values.session_attrs,
        last_reset_fn=values.session_start,
    ),
    _register("energy", "energy_register", lambda connector: values.kilo(connector.lifetime_energy_wh)),
    _register(
        "energy_export",
        "energy_export_register",
        lambda connector: values.kilo(connector.reading(ENERGY_EXPORT_REGISTER)),
    ),
    _reading("frequency", FREQUENCY, SensorDeviceClass.FREQUENCY, UnitOfFrequency.HERTZ, 2, enabled=False),
    _reading("power_factor", POWER_FACTOR, SensorDeviceClass.POWER_FACTOR, None, 2, enabled=False),
    # the car's state of charge: no battery device class, which Home Assistant would show in the
    # device header as the charger's own battery
    _reading("soc", SOC, None, PERCENTAGE, 0, translation_key="soc"),
    _reading(
        "current_offered",
        CURRENT_OFFERED,
        SensorDeviceClass.CURRENT,
        UnitOfElectricCurrent.AMPERE,
        1,
        translation_key="current_offered",
    ),
    _translated(
        "reserved_until",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda connector: connector.reservation.expiry_date if connector.reservation else None,
        attrs_fn=values.reservation_attrs,
    ),
    _translated(
        "transaction_id",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda connector: connector.transaction.transaction_id if connector.transaction else None,
    ),
    # ---- OCPP 2.x ----
    _translated(
        "charging_state",
        device_class=SensorDeviceClass.ENUM,
        options=values.CHARGING_STATE_OPTIONS,
        value_fn=lambda evse: values.CHARGING_STATE_KEYS.get(evse.charging_state or ""),
        exists_fn=_is_v2,
    ),
    _translated(
        "ev_requested_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        value_fn=lambda evse: values.kilo(evse.ev_requested_energy_wh),
        exists_fn=_is_v2,
    ),
    _translated(
        "ev_departure_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda evse: evse.ev_departure_time,
        exists_fn=_is_v2,
    ),
    _translated(
        "limit_source",
        device_class=SensorDeviceClass.ENUM,
        options=values.LIMIT_SOURCE_OPTIONS,
        station_value_fn=values.limit_source,
        exists_fn=_is_v2,
    ),
)


class StationSensor(OcppEntity, ShownSensor):
    entity_description: StationSensorDescription

    @property
    def native_value(self) -> StateValue:
        return _state(self.entity_description.value_fn(self.station))

    def _shown_now(self) -> tuple[Any, ...]:
        return (self.available, self.shown_value(self.entity_description.value_fn(self.station)))


# what no meter reading changes: these sensors sleep through a readings-only update (coordinator.EventBridge)
_BESIDE_READINGS = frozenset(
    {
        "error_code",
        "stop_reason",
        "session_id_tag",
        "status",
        "reserved_until",
        "transaction_id",
        "charging_state",
        "ev_requested_energy",
        "ev_departure_time",
        "limit_source",
    }
)


class ConnectorSensor(OcppEntity, ShownSensor):
    """A connector's (EVSE's) sensor: written when its value changes as shown (entity.py ShownSensor).

    The write that follows a change takes what the comparison just read (`_read`, OcppEntity._on_update):
    Home Assistant asks for the availability, value, attributes and last reset again while it builds the
    state, and reading them from the model once more cost about as much as the comparison, at each of the
    three writes of every meter message.
    """

    entity_description: ConnectorSensorDescription
    # (available, value, attributes, last reset) as `_shown_now` read them, while the state they changed is written
    _read: tuple[bool, StateValue, dict[str, Any] | None, datetime | None] | None = None

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.shows_readings = self.entity_description.key not in _BESIDE_READINGS

    def _shown_now(self) -> tuple[Any, ...]:
        """The value, attributes and last reset the state is made of, without Home Assistant's state checks:
        most entities a message wakes did not change, and this runs for each."""
        central, station_id = self.runtime.central, self.station_id  # the properties, read once
        available = central.is_connected(station_id)
        station = central.stations[station_id]
        connector = station.connectors.get(self.connector_id)  # type: ignore[arg-type]  # never None here
        if connector is None:
            return (available,)
        description = self.entity_description
        station_value_fn, attrs_fn, last_reset_fn = (
            description.station_value_fn,
            description.attrs_fn,
            description.last_reset_fn,
        )
        value = description.value_fn(connector) if station_value_fn is None else station_value_fn(station, connector)
        attrs = None if attrs_fn is None else attrs_fn(connector)
        last_reset = None if last_reset_fn is None else last_reset_fn(connector)
        self._read = (available, value, attrs, last_reset)
        return (available, self.shown_value(value) if type(value) is float else value, attrs, last_reset)

    @property
    def available(self) -> bool:
        read = self._read
        return super().available if read is None else read[0]

    @property
    def native_value(self) -> StateValue:
        read = self._read
        if read is not None:
            return _state(read[1])
        connector = self.connector
        if connector is None:
            return None
        description = self.entity_description
        if description.station_value_fn is not None:
            return _state(description.station_value_fn(self.station, connector))
        return _state(description.value_fn(connector))

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        read = self._read
        if read is not None:
            return read[2]
        connector, attrs_fn = self.connector, self.entity_description.attrs_fn
        return None if connector is None or attrs_fn is None else attrs_fn(connector)

    @property
    def last_reset(self) -> datetime | None:
        read = self._read
        if read is not None:
            return read[3]
        connector, last_reset_fn = self.connector, self.entity_description.last_reset_fn
        return None if connector is None or last_reset_fn is None else last_reset_fn(connector)


# ---- load-management sensors ----
# "In force" is what GetCompositeSchedule answered after the charger accepted the last change — the
# what each station and each of its connectors (EVSEs) gets
STATION_ENTITIES: EntitySpecs = [
    *((StationSensor, d) for d in STATION_SENSORS),
    *((LimitSensor, d) for d in STATION_LIMIT_SENSORS),
]
CONNECTOR_ENTITIES: EntitySpecs = [
    *((ConnectorSensor, d) for d in CONNECTOR_SENSORS),
    *((LimitSensor, d) for d in CONNECTOR_LIMIT_SENSORS),
    *((CostSensor, d) for d in COST_SENSORS),
]


async_setup_entry = ocpp_platform(Platform.SENSOR, STATION_ENTITIES, CONNECTOR_ENTITIES)
