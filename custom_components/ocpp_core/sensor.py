"""Sensors of a station and its connectors (OCPP 2.x: EVSEs), declared as descriptions.

`exists_fn` decides per station whether a sensor is created at all: a 1.6
charger gets no OCPP 2.x sensors (charging state, EV charging needs, limit
source), and a 2.x station none of the 1.6 status-notification error codes
(2.x reports problems as device-model events instead).  A charger that comes
back speaking the other version gets that version's sensors at once, and the
other version's leave the entity registry (at every start too: no orphans).
What the sensors show is read in sensor_values.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
)
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    MAX_LENGTH_STATE_STATE,
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from . import sensor_values as values
from .const import DOMAIN
from .coordinator import OcppConfigEntry
from .cost_sensors import cost_sensors
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
from .entity import OcppEntity
from .limit_sensors import limit_sensors
from .shown import ShownSensor

PARALLEL_UPDATES = 0

StateValue = str | int | float | datetime | None


def _is_v2(station: Station) -> bool:
    return station.is_v2


def _state(value: StateValue) -> StateValue:
    """A text longer than a state may be (a charger's free text, or any string in lenient mode) is unknown:
    Home Assistant would log an error on every write."""
    return None if isinstance(value, str) and len(value) > MAX_LENGTH_STATE_STATE else value


def _every_station(station: Station) -> bool:
    return True


def _v16_only(station: Station) -> bool:
    return not station.is_v2


@dataclass(frozen=True, kw_only=True)
class StationSensorDescription(SensorEntityDescription):
    value_fn: Callable[[Station], StateValue]
    exists_fn: Callable[[Station], bool] = _every_station


@dataclass(frozen=True, kw_only=True)
class ConnectorSensorDescription(SensorEntityDescription):
    value_fn: Callable[[Connector], StateValue]
    exists_fn: Callable[[Station], bool] = _every_station
    # when set, the value instead: of the connector and its station
    station_value_fn: Callable[[Station, Connector], StateValue] | None = None
    # the state attributes, and (state class total) when the count last started over
    attrs_fn: Callable[[Connector], dict[str, Any] | None] | None = None
    last_reset_fn: Callable[[Connector], datetime | None] | None = None


STATION_SENSORS: tuple[StationSensorDescription, ...] = (
    StationSensorDescription(
        key="error_code",
        translation_key="error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda station: values.error(station.error_code) or "none",
        exists_fn=_v16_only,
    ),
    StationSensorDescription(
        key="vendor_error_code",
        translation_key="vendor_error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda station: station.vendor_error_code,
        exists_fn=_v16_only,
    ),
    StationSensorDescription(
        key="ocpp_version",
        translation_key="ocpp_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda station: station.ocpp_version.value if station.ocpp_version else None,
    ),
    StationSensorDescription(
        key="firmware_version",
        translation_key="firmware_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda station: station.firmware_version,
    ),
    StationSensorDescription(
        key="station_status",
        translation_key="station_status",
        device_class=SensorDeviceClass.ENUM,
        options=values.STATUS_OPTIONS,
        value_fn=lambda station: values.status_key(station.status),
        exists_fn=_v16_only,  # a 2.x station has no status of its own, its EVSEs have
    ),
    StationSensorDescription(
        key="firmware_status",
        translation_key="firmware_status",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda station: station.firmware_status,
    ),
    StationSensorDescription(
        key="last_security_event",
        translation_key="last_security_event",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda station: station.security_events[-1]["type"] if station.security_events else None,
    ),
    StationSensorDescription(
        key="last_heartbeat",
        translation_key="last_heartbeat",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda station: station.last_heartbeat,
    ),
    # counts kept across restarts (csms/model/counters.py): statistics can sum them per day or month
    StationSensorDescription(
        key="sessions",
        translation_key="sessions",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda station: station.counters.sessions,
    ),
    StationSensorDescription(
        key="boots",
        translation_key="boots",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda station: station.counters.boots,
    ),
    StationSensorDescription(
        key="disconnects",
        translation_key="disconnects",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_registry_enabled_default=False,  # changes with every network hiccup
        value_fn=lambda station: station.counters.disconnects,
    ),
    StationSensorDescription(
        key="connector_count",
        translation_key="connector_count",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda station: len(station.connectors),
        exists_fn=_v16_only,
    ),
    StationSensorDescription(
        key="evse_count",
        translation_key="evse_count",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda station: len(station.connectors),
        exists_fn=_is_v2,
    ),
)

CONNECTOR_SENSORS: tuple[ConnectorSensorDescription, ...] = (
    ConnectorSensorDescription(
        key="error_code",
        translation_key="connector_error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda connector: values.error(connector.error_code) or "none",
        exists_fn=_v16_only,
    ),
    ConnectorSensorDescription(
        key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_registry_enabled_default=False,
        value_fn=lambda connector: connector.reading(TEMPERATURE),
    ),
    ConnectorSensorDescription(
        key="session_duration",
        translation_key="session_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=values.session_minutes,
        attrs_fn=values.session_attrs,
    ),
    ConnectorSensorDescription(
        key="stop_reason",
        translation_key="stop_reason",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda connector: connector.last_stop_reason,
    ),
    ConnectorSensorDescription(
        key="session_id_tag",
        translation_key="session_id_tag",
        value_fn=values.session_tag,
        attrs_fn=values.session_attrs,
    ),
    ConnectorSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=values.STATUS_OPTIONS,
        value_fn=lambda connector: None,
        station_value_fn=values.status,
    ),
    ConnectorSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=lambda connector: None,
        station_value_fn=values.power,
    ),
    *(
        ConnectorSensorDescription(
            key=f"current_{phase.lower()}",
            translation_key=f"current_{phase.lower()}",
            device_class=SensorDeviceClass.CURRENT,
            state_class=SensorStateClass.MEASUREMENT,
            native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
            suggested_display_precision=0,  # what a car draws of the 6-32 A offered; more in the entity's settings
            entity_registry_enabled_default=phase == "L1",
            value_fn=lambda connector: None,
            station_value_fn=values.phase_reading(CURRENT_IMPORT, phase, phase == "L1", flowing=True),
        )
        for phase in ("L1", "L2", "L3")
    ),
    *(
        ConnectorSensorDescription(
            key=f"voltage_{phase[:2].lower()}",
            translation_key=f"voltage_{phase[:2].lower()}",
            device_class=SensorDeviceClass.VOLTAGE,
            state_class=SensorStateClass.MEASUREMENT,
            native_unit_of_measurement=UnitOfElectricPotential.VOLT,
            suggested_display_precision=0,
            entity_registry_enabled_default=False,
            value_fn=lambda connector: None,
            station_value_fn=values.phase_reading(VOLTAGE, phase, phase == "L1-N"),
        )
        for phase in ("L1-N", "L2-N", "L3-N")
    ),
    ConnectorSensorDescription(
        key="session_energy",
        translation_key="session_energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        value_fn=values.session_energy,
        attrs_fn=values.session_attrs,
        last_reset_fn=values.session_start,
    ),
    ConnectorSensorDescription(
        key="energy",
        translation_key="energy_register",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda connector: values.kilo(connector.lifetime_energy_wh),
    ),
    ConnectorSensorDescription(
        key="energy_export",
        translation_key="energy_export_register",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda connector: values.kilo(connector.reading(ENERGY_EXPORT_REGISTER)),
    ),
    ConnectorSensorDescription(
        key="frequency",
        device_class=SensorDeviceClass.FREQUENCY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfFrequency.HERTZ,
        suggested_display_precision=2,
        entity_registry_enabled_default=False,
        value_fn=lambda connector: connector.reading(FREQUENCY),
    ),
    ConnectorSensorDescription(
        key="power_factor",
        device_class=SensorDeviceClass.POWER_FACTOR,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        entity_registry_enabled_default=False,
        value_fn=lambda connector: connector.reading(POWER_FACTOR),
    ),
    # the car's state of charge: no battery device class, which Home Assistant would show in the
    # device header as the charger's own battery
    ConnectorSensorDescription(
        key="soc",
        translation_key="soc",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=lambda connector: connector.reading(SOC),
    ),
    ConnectorSensorDescription(
        key="current_offered",
        translation_key="current_offered",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        value_fn=lambda connector: connector.reading(CURRENT_OFFERED),
    ),
    ConnectorSensorDescription(
        key="reserved_until",
        translation_key="reserved_until",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda connector: connector.reservation.expiry_date if connector.reservation else None,
        attrs_fn=values.reservation_attrs,
    ),
    ConnectorSensorDescription(
        key="transaction_id",
        translation_key="transaction_id",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda connector: connector.transaction.transaction_id if connector.transaction else None,
    ),
    # ---- OCPP 2.x ----
    ConnectorSensorDescription(
        key="charging_state",
        translation_key="charging_state",
        device_class=SensorDeviceClass.ENUM,
        options=values.CHARGING_STATE_OPTIONS,
        value_fn=lambda evse: values.CHARGING_STATE_KEYS.get(evse.charging_state or ""),
        exists_fn=_is_v2,
    ),
    ConnectorSensorDescription(
        key="ev_requested_energy",
        translation_key="ev_requested_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        value_fn=lambda evse: values.kilo(evse.ev_requested_energy_wh),
        exists_fn=_is_v2,
    ),
    ConnectorSensorDescription(
        key="ev_departure_time",
        translation_key="ev_departure_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda evse: evse.ev_departure_time,
        exists_fn=_is_v2,
    ),
    ConnectorSensorDescription(
        key="limit_source",
        translation_key="limit_source",
        device_class=SensorDeviceClass.ENUM,
        options=values.LIMIT_SOURCE_OPTIONS,
        value_fn=lambda evse: None,
        station_value_fn=values.limit_source,
        exists_fn=_is_v2,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant, entry: OcppConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data
    # the sensors made so far, by (station, connector or None, key): those of the station's OCPP version
    made: set[tuple[str, int | None, str]] = set()

    @callback
    def sync(station_id: str, connector_id: int | None) -> None:
        """Add the sensors the station's OCPP version has, remove those it has not (from the entity
        registry too: they would stay as unavailable orphans)."""
        station = runtime.central.stations[station_id]
        registry = er.async_get(hass)
        new: list[OcppEntity] = []
        descriptions: tuple[StationSensorDescription | ConnectorSensorDescription, ...]
        descriptions = STATION_SENSORS if connector_id is None else CONNECTOR_SENSORS
        for description in descriptions:
            key = (station_id, connector_id, description.key)
            sensor: OcppEntity
            if isinstance(description, StationSensorDescription):
                sensor = StationSensor(runtime, entry.entry_id, station_id, None, description)
            else:
                sensor = ConnectorSensor(runtime, entry.entry_id, station_id, connector_id, description)
            if description.exists_fn(station):
                if key not in made:
                    made.add(key)
                    new.append(sensor)
                continue
            made.discard(key)
            entity_id = registry.async_get_entity_id(SENSOR_DOMAIN, DOMAIN, sensor.unique_id or "")
            if entity_id is not None:
                registry.async_remove(entity_id)
        async_add_entities(new)

    @callback
    def add_station(station_id: str) -> None:
        sync(station_id, None)
        async_add_entities(limit_sensors(runtime, entry.entry_id, station_id, None))

    @callback
    def add_connector(station_id: str, connector_id: int) -> None:
        sync(station_id, connector_id)
        async_add_entities(limit_sensors(runtime, entry.entry_id, station_id, connector_id))
        async_add_entities(cost_sensors(runtime, entry.entry_id, station_id, connector_id))

    @callback
    def version_changed(station_id: str) -> None:
        sync(station_id, None)
        for connector_id in sorted(runtime.shown_connectors.get(station_id, ())):
            sync(station_id, connector_id)

    runtime.version_listeners.append(version_changed)
    runtime.track_stations(add_station, add_connector)


class StationSensor(OcppEntity, ShownSensor):
    entity_description: StationSensorDescription

    @property
    def native_value(self) -> StateValue:
        return _state(self.entity_description.value_fn(self.station))

    def _shown_now(self) -> tuple[Any, ...]:
        return (self.available, self.shown_value(self.entity_description.value_fn(self.station)))


class ConnectorSensor(OcppEntity, ShownSensor):
    """A connector's (EVSE's) sensor: written when its value changes as shown (shown.py)."""

    entity_description: ConnectorSensorDescription

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
        return (
            available,
            self.shown_value(value) if type(value) is float else value,
            None if attrs_fn is None else attrs_fn(connector),
            None if last_reset_fn is None else last_reset_fn(connector),
        )

    @property
    def native_value(self) -> StateValue:
        connector = self.connector
        if connector is None:
            return None
        description = self.entity_description
        if description.station_value_fn is not None:
            return _state(description.station_value_fn(self.station, connector))
        return _state(description.value_fn(connector))

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        connector, attrs_fn = self.connector, self.entity_description.attrs_fn
        return None if connector is None or attrs_fn is None else attrs_fn(connector)

    @property
    def last_reset(self) -> datetime | None:
        connector, last_reset_fn = self.connector, self.entity_description.last_reset_fn
        return None if connector is None or last_reset_fn is None else last_reset_fn(connector)
