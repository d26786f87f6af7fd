"""The version-neutral domain model: stations, connectors, transactions, meter readings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .rpc_types import OcppVersion

# Measurand names follow OCPP (identical in 1.6 and 2.x).
ENERGY_IMPORT_REGISTER = "Energy.Active.Import.Register"
POWER_IMPORT = "Power.Active.Import"
CURRENT_IMPORT = "Current.Import"
CURRENT_OFFERED = "Current.Offered"
VOLTAGE = "Voltage"
SOC = "SoC"
TEMPERATURE = "Temperature"


@dataclass(slots=True)
class MeterSample:
    """One sampled value in a normalised unit (W, Wh, A, V, Hz, °C, %, var, varh, VA)."""

    measurand: str
    value: float
    unit: str
    timestamp: datetime
    phase: str | None = None
    context: str | None = None
    location: str | None = None


@dataclass(slots=True)
class Transaction:
    """A charging session, as the central system knows it."""

    transaction_id: str
    connector_id: int
    id_tag: str | None
    start_time: datetime
    meter_start_wh: float
    meter_last_wh: float | None = None
    stop_time: datetime | None = None
    meter_stop_wh: float | None = None
    stop_reason: str | None = None

    @property
    def energy_wh(self) -> float:
        """Energy delivered so far (or in total once stopped)."""
        end = self.meter_stop_wh if self.meter_stop_wh is not None else self.meter_last_wh
        if end is None:
            return 0.0
        return max(0.0, end - self.meter_start_wh)

    @property
    def is_open(self) -> bool:
        return self.stop_time is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "connector_id": self.connector_id,
            "id_tag": self.id_tag,
            "start_time": self.start_time.isoformat(),
            "meter_start_wh": self.meter_start_wh,
            "meter_last_wh": self.meter_last_wh,
            "stop_time": self.stop_time.isoformat() if self.stop_time else None,
            "meter_stop_wh": self.meter_stop_wh,
            "stop_reason": self.stop_reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transaction:
        stop_time = data.get("stop_time")
        return cls(
            transaction_id=str(data["transaction_id"]),
            connector_id=int(data["connector_id"]),
            id_tag=data.get("id_tag"),
            start_time=datetime.fromisoformat(data["start_time"]),
            meter_start_wh=float(data["meter_start_wh"]),
            meter_last_wh=data.get("meter_last_wh"),
            stop_time=datetime.fromisoformat(stop_time) if stop_time else None,
            meter_stop_wh=data.get("meter_stop_wh"),
            stop_reason=data.get("stop_reason"),
        )


@dataclass(slots=True)
class Connector:
    """A connector (1.6) or EVSE (2.x); id 0 is never a connector, it is the station."""

    connector_id: int
    status: str | None = None
    error_code: str | None = None
    info: str | None = None
    vendor_error_code: str | None = None
    status_time: datetime | None = None
    # latest reading per (measurand, phase); phase None = the total / single value
    readings: dict[tuple[str, str | None], MeterSample] = field(default_factory=dict)
    transaction: Transaction | None = None

    def reading(self, measurand: str, phase: str | None = None) -> float | None:
        sample = self.readings.get((measurand, phase))
        return sample.value if sample is not None else None


@dataclass(slots=True)
class Station:
    """A charging station (charge point), live or remembered."""

    station_id: str
    vendor: str | None = None
    model: str | None = None
    serial_number: str | None = None
    firmware_version: str | None = None
    meter_type: str | None = None
    meter_serial_number: str | None = None
    ocpp_version: OcppVersion | None = None
    connected: bool = False
    booted: bool = False
    last_heartbeat: datetime | None = None
    last_boot: datetime | None = None
    status: str | None = None
    error_code: str | None = None
    info: str | None = None
    vendor_error_code: str | None = None
    # readings of the station's main meter (connector 0)
    readings: dict[tuple[str, str | None], MeterSample] = field(default_factory=dict)
    connectors: dict[int, Connector] = field(default_factory=dict)

    def reading(self, measurand: str, phase: str | None = None) -> float | None:
        sample = self.readings.get((measurand, phase))
        return sample.value if sample is not None else None

    def to_dict(self) -> dict[str, Any]:
        """What is remembered across restarts (live values are not)."""
        return {
            "vendor": self.vendor,
            "model": self.model,
            "serial_number": self.serial_number,
            "firmware_version": self.firmware_version,
            "ocpp_version": self.ocpp_version.value if self.ocpp_version else None,
            "connectors": sorted(self.connectors),
        }

    @classmethod
    def from_dict(cls, station_id: str, data: dict[str, Any]) -> Station:
        version = data.get("ocpp_version")
        station = cls(
            station_id=station_id,
            vendor=data.get("vendor"),
            model=data.get("model"),
            serial_number=data.get("serial_number"),
            firmware_version=data.get("firmware_version"),
            ocpp_version=OcppVersion(version) if version else None,
        )
        for connector_id in data.get("connectors", []):
            station.connectors[int(connector_id)] = Connector(int(connector_id))
        return station
