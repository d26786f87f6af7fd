"""Sensors of a station and its connectors (OCPP 2.x: EVSEs), declared as descriptions.

`exists_fn` decides per station whether a sensor is created at all: a 1.6
charger gets no OCPP 2.x sensors (charging state, EV charging needs, limit
source), and a 2.x station none of the 1.6 status-notification error codes
(2.x reports problems as device-model events instead).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
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
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.util import dt as dt_util

from .commands import is_v2
from .coordinator import OcppConfigEntry
from .csms import Connector, Station
from .csms.model import (
    CURRENT_IMPORT,
    CURRENT_OFFERED,
    POWER_IMPORT,
    SOC,
    TEMPERATURE,
    VOLTAGE,
)
from .entity import OcppEntity
from .limit_sensors import limit_sensors

PARALLEL_UPDATES = 0

# Every status OCPP 1.6 and 2.x define (2.x: ConnectorStatusEnumType, which an EVSE's status
# sums up: Available, Occupied, Reserved, Unavailable, Faulted), as translation state keys.
STATUS_OPTIONS = [
    "available",
    "preparing",
    "charging",
    "suspended_evse",
    "suspended_ev",
    "finishing",
    "reserved",
    "unavailable",
    "faulted",
    "occupied",
]
_STATUS_KEYS = {
    "Available": "available",
    "Preparing": "preparing",
    "Charging": "charging",
    "SuspendedEVSE": "suspended_evse",
    "SuspendedEV": "suspended_ev",
    "Finishing": "finishing",
    "Reserved": "reserved",
    "Unavailable": "unavailable",
    "Faulted": "faulted",
    "Occupied": "occupied",
}

# OCPP 2.x TransactionEvent chargingState
CHARGING_STATE_OPTIONS = ["charging", "ev_connected", "suspended_ev", "suspended_evse", "idle"]
_CHARGING_STATE_KEYS = {
    "Charging": "charging",
    "EVConnected": "ev_connected",
    "SuspendedEV": "suspended_ev",
    "SuspendedEVSE": "suspended_evse",
    "Idle": "idle",
}
# OCPP 2.x ChargingLimitSourceEnumType (2.1 allows any text: shown as other), and none: no limit notified
LIMIT_SOURCE_OPTIONS = ["none", "ems", "other", "so", "cso"]
_LIMIT_SOURCE_KEYS = {"EMS": "ems", "Other": "other", "SO": "so", "CSO": "cso"}

StateValue = str | int | float | datetime | None


def _state(value: StateValue) -> StateValue:
    """A text longer than a state may be (a charger's free text, or any string in lenient mode) is unknown:
    Home Assistant would log an error on every write."""
    return None if isinstance(value, str) and len(value) > MAX_LENGTH_STATE_STATE else value


def status_key(status: str | None) -> str | None:
    """The translated state for an OCPP status; None for values outside the spec."""
    return _STATUS_KEYS.get(status) if status else None


def _every_station(station: Station) -> bool:
    return True


def _v16_only(station: Station) -> bool:
    return not is_v2(station)


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


def _kilo(value: float | None) -> float | None:
    return None if value is None else value / 1000.0


def _power(connector: Connector) -> float | None:
    total = connector.reading(POWER_IMPORT)
    if total is not None:
        return total
    phases = [connector.reading(POWER_IMPORT, p) for p in ("L1", "L2", "L3")]
    known = [p for p in phases if p is not None]
    return sum(known) if known else None


def _phase_reading(measurand: str, phase: str, first_phase: bool) -> Callable[[Connector], float | None]:
    def value(connector: Connector) -> float | None:
        reading = connector.reading(measurand, phase)
        if reading is None and first_phase:
            return connector.reading(measurand)  # single-phase chargers name no phase
        return reading

    return value


def _session_minutes(connector: Connector) -> float | None:
    """Minutes since the session started (refreshed with each update of the connector)."""
    tx = connector.transaction
    if tx is None:
        return None
    return round(max(0.0, (dt_util.utcnow() - tx.start_time).total_seconds()) / 60.0, 1)


def _error(code: str | None) -> str | None:
    return None if code in (None, "", "NoError") else code


def _session_energy(connector: Connector) -> float | None:
    tx = connector.transaction
    return None if tx is None else round(tx.energy_wh / 1000.0, 3)


def _limit_source(station: Station, evse: Connector) -> str:
    """Who limits the EVSE's charging (NotifyChargingLimit): its own limit, else one of the whole station."""
    source = evse.limit_source or (station.v2.limit_source if station.v2 is not None else None)
    return "none" if source is None else _LIMIT_SOURCE_KEYS.get(source, "other")


STATION_SENSORS: tuple[StationSensorDescription, ...] = (
    StationSensorDescription(
        key="error_code",
        translation_key="error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda station: _error(station.error_code) or "none",
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
        options=STATUS_OPTIONS,
        value_fn=lambda station: status_key(station.status),
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
    # counts kept across restarts (csms/counters.py): statistics can sum them per day or month
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
        exists_fn=is_v2,
    ),
)

CONNECTOR_SENSORS: tuple[ConnectorSensorDescription, ...] = (
    ConnectorSensorDescription(
        key="error_code",
        translation_key="connector_error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda connector: _error(connector.error_code) or "none",
        exists_fn=_v16_only,
    ),
    ConnectorSensorDescription(
        key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        entity_registry_enabled_default=False,
        value_fn=lambda connector: connector.reading(TEMPERATURE),
    ),
    ConnectorSensorDescription(
        key="session_duration",
        translation_key="session_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=_session_minutes,
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
        value_fn=lambda connector: connector.transaction.id_tag if connector.transaction else None,
    ),
    ConnectorSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=STATUS_OPTIONS,
        value_fn=lambda connector: status_key(connector.status),
    ),
    ConnectorSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        value_fn=_power,
    ),
    *(
        ConnectorSensorDescription(
            key=f"current_{phase.lower()}",
            translation_key=f"current_{phase.lower()}",
            device_class=SensorDeviceClass.CURRENT,
            state_class=SensorStateClass.MEASUREMENT,
            native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
            entity_registry_enabled_default=phase == "L1",
            value_fn=_phase_reading(CURRENT_IMPORT, phase, phase == "L1"),
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
            entity_registry_enabled_default=False,
            value_fn=_phase_reading(VOLTAGE, phase, phase == "L1-N"),
        )
        for phase in ("L1-N", "L2-N", "L3-N")
    ),
    ConnectorSensorDescription(
        key="session_energy",
        translation_key="session_energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        value_fn=_session_energy,
    ),
    ConnectorSensorDescription(
        key="energy",
        translation_key="energy_register",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda connector: _kilo(connector.lifetime_energy_wh),
    ),
    ConnectorSensorDescription(
        key="soc",
        translation_key="soc",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        value_fn=lambda connector: connector.reading(SOC),
    ),
    ConnectorSensorDescription(
        key="current_offered",
        translation_key="current_offered",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        value_fn=lambda connector: connector.reading(CURRENT_OFFERED),
    ),
    ConnectorSensorDescription(
        key="reserved_until",
        translation_key="reserved_until",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda connector: connector.reservation.expiry_date if connector.reservation else None,
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
        options=CHARGING_STATE_OPTIONS,
        value_fn=lambda evse: _CHARGING_STATE_KEYS.get(evse.charging_state or ""),
        exists_fn=is_v2,
    ),
    ConnectorSensorDescription(
        key="ev_requested_energy",
        translation_key="ev_requested_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        value_fn=lambda evse: _kilo(evse.ev_requested_energy_wh),
        exists_fn=is_v2,
    ),
    ConnectorSensorDescription(
        key="ev_departure_time",
        translation_key="ev_departure_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda evse: evse.ev_departure_time,
        exists_fn=is_v2,
    ),
    ConnectorSensorDescription(
        key="limit_source",
        translation_key="limit_source",
        device_class=SensorDeviceClass.ENUM,
        options=LIMIT_SOURCE_OPTIONS,
        value_fn=lambda evse: None,
        station_value_fn=_limit_source,
        exists_fn=is_v2,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant, entry: OcppConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data

    @callback
    def add_station(station_id: str) -> None:
        station = runtime.central.stations[station_id]
        async_add_entities(
            StationSensor(runtime, entry.entry_id, station_id, None, description)
            for description in STATION_SENSORS
            if description.exists_fn(station)
        )
        async_add_entities(limit_sensors(runtime, entry.entry_id, station_id, None))

    @callback
    def add_connector(station_id: str, connector_id: int) -> None:
        station = runtime.central.stations[station_id]
        async_add_entities(
            ConnectorSensor(runtime, entry.entry_id, station_id, connector_id, description)
            for description in CONNECTOR_SENSORS
            if description.exists_fn(station)
        )
        async_add_entities(limit_sensors(runtime, entry.entry_id, station_id, connector_id))

    runtime.track_stations(add_station, add_connector)


class StationSensor(OcppEntity, SensorEntity):
    entity_description: StationSensorDescription

    @property
    def native_value(self) -> StateValue:
        return _state(self.entity_description.value_fn(self.station))


class ConnectorSensor(OcppEntity, SensorEntity):
    entity_description: ConnectorSensorDescription

    @property
    def native_value(self) -> StateValue:
        connector = self.connector
        if connector is None:
            return None
        description = self.entity_description
        if description.station_value_fn is not None:
            return _state(description.station_value_fn(self.station, connector))
        return _state(description.value_fn(connector))
