"""The version-neutral domain model: stations, connectors, reservations, meter readings (transactions: transaction.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import msgspec

from ..rpc.timeutil import utcnow
from ..rpc.types import OcppVersion
from .counters import StationCounters
from .settings import ChargerSettings
from .station_v2 import StationV2
from .transaction import Transaction

# Measurand names follow OCPP (identical in 1.6 and 2.x).
ENERGY_IMPORT_REGISTER = "Energy.Active.Import.Register"
ENERGY_EXPORT_REGISTER = "Energy.Active.Export.Register"
# a register reading this much below the last one is a reset, not rounding or a replayed sample
_REGISTER_TOLERANCE_WH = 10.0
POWER_IMPORT = "Power.Active.Import"
CURRENT_IMPORT = "Current.Import"
CURRENT_OFFERED = "Current.Offered"
VOLTAGE = "Voltage"
SOC = "SoC"
TEMPERATURE = "Temperature"
FREQUENCY = "Frequency"
POWER_FACTOR = "Power.Factor"

# how many security events a station keeps (newest last)
SECURITY_EVENTS_KEPT = 50


class RegistrationStatus(StrEnum):
    """The answer to a BootNotification (identical in 1.6 and 2.x)."""

    ACCEPTED = "Accepted"
    PENDING = "Pending"
    REJECTED = "Rejected"


class MeterSample(msgspec.Struct, gc=False):
    """One sampled value in a normalised unit (W, Wh, A, V, Hz, °C, %, var, varh, VA).

    A msgspec Struct, not a dataclass: ten of these are made per MeterValues (the hot path), and a Struct is
    built in C at less than half a dataclass's cost; gc=False, as it holds only str, float and datetime."""

    measurand: str
    value: float
    unit: str
    timestamp: datetime
    phase: str | None = None
    context: str | None = None
    location: str | None = None


@dataclass(slots=True)
class Reservation:
    """A reservation the charger accepted (ReserveNow); connector 0 = any connector of the station."""

    reservation_id: int
    connector_id: int
    id_tag: str
    expiry_date: datetime
    parent_id_tag: str | None = None

    def expired(self, now: datetime | None = None) -> bool:
        return self.expiry_date <= (now or utcnow())

    def to_dict(self) -> dict[str, Any]:
        return {
            "reservation_id": self.reservation_id,
            "connector_id": self.connector_id,
            "id_tag": self.id_tag,
            "expiry_date": self.expiry_date.isoformat(),
            "parent_id_tag": self.parent_id_tag,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reservation:
        return cls(
            reservation_id=int(data["reservation_id"]),
            connector_id=int(data["connector_id"]),
            id_tag=str(data["id_tag"]),
            expiry_date=datetime.fromisoformat(data["expiry_date"]),
            parent_id_tag=data.get("parent_id_tag"),
        )


class _Reservable:
    """`reservation` never shows an expired reservation (CentralState clears them, with an event)."""

    __slots__ = ()
    _reservation: Reservation | None

    @property
    def reservation(self) -> Reservation | None:
        reservation = self._reservation
        if reservation is not None and reservation.expired():
            return None
        return reservation

    @reservation.setter
    def reservation(self, value: Reservation | None) -> None:
        self._reservation = value  # type: ignore[misc]  # the slot is declared by the dataclass

    @property
    def stored_reservation(self) -> Reservation | None:
        """The reservation held, expired or not (until it is cleared)."""
        return self._reservation


@dataclass(slots=True)
class Connector(_Reservable):
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
    # OCPP 2.x (an EVSE): its connectors' statuses, connectorId -> Available / Occupied / Reserved /
    # Unavailable / Faulted (None: known from the device model, no status yet); `status` sums them up
    connector_statuses: dict[int, str | None] = field(default_factory=dict)
    # TransactionEvent chargingState: Charging, EVConnected, SuspendedEV, SuspendedEVSE, Idle
    charging_state: str | None = None
    # NotifyChargingLimit: who limits this EVSE (EMS, Other, SO, CSO; None once cleared), and the limit
    # as notified: {"source", "is_grid_critical", "schedules"} (schedules as sent, camelCase)
    limit_source: str | None = None
    charging_limit: dict[str, Any] | None = None
    # NotifyEVChargingNeeds: what the EV asks for (energy in Wh, departure), and the needs as sent
    ev_requested_energy_wh: float | None = None
    ev_departure_time: datetime | None = None
    ev_energy_transfer: str | None = None
    ev_charging_needs: dict[str, Any] | None = None
    # NotifyEVChargingSchedule: {"time_base" (ISO), "schedule" (as sent)}
    ev_charging_schedule: dict[str, Any] | None = None
    # the reservation as stored, expired or not; read `reservation`
    _reservation: Reservation | None = field(default=None, repr=False)
    # why the last session on this connector ended (kept across restarts)
    last_stop_reason: str | None = None
    # the last ended session (its energy, duration and tag stay shown until the next one starts)
    last_transaction: Transaction | None = None
    # why the last reservation of this connector ended (used, cancelled, expired, ended, replaced)
    reservation_end: str | None = None
    # the highest energy register read since the meter last started over, and what earlier
    # meters (before a reset or a swapped charger) counted
    register_peak_wh: float | None = None
    lifetime_offset_wh: float = 0.0
    # in memory: the charger came back speaking another OCPP version (firmware update); a register
    # that then reads lower is another meter's count, continued from where the count stood
    register_rebase: bool = field(default=False, repr=False)

    def reading(self, measurand: str, phase: str | None = None) -> float | None:
        sample = self.readings.get((measurand, phase))
        return sample.value if sample is not None else None

    def update_register(self, value_wh: float) -> None:
        """Follow the energy register; a register that falls well back (meter reset, swapped charger)
        starts a new count, a small dip (rounding) changes nothing."""
        peak = self.register_peak_wh
        rebase, self.register_rebase = self.register_rebase, False
        if peak is not None and value_wh < peak - _REGISTER_TOLERANCE_WH:
            # a reset counts on from zero; after a version change, from the reading itself
            self.lifetime_offset_wh += max(peak, 0.0) - (value_wh if rebase else 0.0)
            self.register_peak_wh = value_wh
        elif peak is None or value_wh > peak:
            self.register_peak_wh = value_wh

    def advance_register(self, value_wh: float) -> None:
        """A register value that can only move the count on (meterStart / meterStop: some chargers
        send 0 or a stray value there, which must never read as a meter reset)."""
        if self.register_peak_wh is None or value_wh > self.register_peak_wh:
            self.register_peak_wh = value_wh

    @property
    def session(self) -> Transaction | None:
        """The running session, else the last ended one (None before the first)."""
        return self.transaction or self.last_transaction

    @property
    def lifetime_energy_wh(self) -> float | None:
        """Energy through this connector ever: never goes backwards, whatever the meter does."""
        peak = self.register_peak_wh
        return None if peak is None else self.lifetime_offset_wh + max(peak, 0.0)


@dataclass(slots=True)
class Station(_Reservable):
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
    # the last BootNotification's answer (RegistrationStatus value); None = never booted here
    registration_status: str | None = None
    # the charger's configuration as last read: {key: {"value": str | None, "readonly": bool}}
    configuration: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown_keys: list[str] = field(default_factory=list)  # asked for, not known to the charger
    configuration_time: datetime | None = None  # when it was last read in full
    # what the configuration says, typed (see model/configuration.py); None / empty = not reported
    number_of_connectors: int | None = None
    supported_feature_profiles: frozenset[str] | None = None
    meter_values_sampled_data: list[str] = field(default_factory=list)
    meter_value_sample_interval: int | None = None
    charge_profile_max_stack_level: int | None = None
    # 3 once a current was measured on L2 / L3 (kept, across restarts too: a one-phase car later changes nothing)
    measured_phases: int | None = None
    charging_schedule_allowed_charging_rate_unit: list[str] = field(default_factory=list)
    charging_schedule_max_periods: int | None = None
    max_charging_profiles_installed: int | None = None
    local_auth_list_enabled: bool | None = None
    local_auth_list_max_length: int | None = None
    reserve_connector_zero_supported: bool | None = None
    # the local authorization list version the charger has (SendLocalList / GetLocalListVersion)
    local_list_version: int | None = None
    # the last status notifications (firmware covers both the plain and the signed update)
    firmware_status: str | None = None
    firmware_status_time: datetime | None = None
    firmware_request_id: int | None = None
    diagnostics_status: str | None = None
    diagnostics_status_time: datetime | None = None
    diagnostics_file_name: str | None = None
    log_status: str | None = None
    log_status_time: datetime | None = None
    log_request_id: int | None = None
    log_file_name: str | None = None
    # SecurityEventNotifications, newest last: {"type", "timestamp" (ISO), "tech_info"}
    # (a list, not a bounded deque: an empty deque takes 760 bytes, and most stations never send one)
    security_events: list[dict[str, Any]] = field(default_factory=list)
    # the last SignCertificate CSR, kept until a PKI can sign it
    certificate_signing_request: str | None = None
    certificate_signing_request_time: datetime | None = None
    # what OCPP 2.x stations report beyond that (device model, events, monitors …); None for 1.6
    v2: StationV2 | None = None
    # what the user set for this charger (name, limits, connector names, intervals)
    settings: ChargerSettings = field(default_factory=ChargerSettings)
    # ended sessions, boots and dropped connections, counted across restarts
    counters: StationCounters = field(default_factory=StationCounters)
    # a reservation of connector 0 (any connector); read `reservation`
    _reservation: Reservation | None = field(default=None, repr=False)

    @property
    def is_v2(self) -> bool:
        """Whether the station speaks OCPP 2.0.1 or 2.1 (as it last connected)."""
        return self.ocpp_version is not None and self.ocpp_version.is_v2

    def reading(self, measurand: str, phase: str | None = None) -> float | None:
        sample = self.readings.get((measurand, phase))
        return sample.value if sample is not None else None

    def supports(self, profile: str) -> bool:
        """Whether the charger supports a feature profile; True while its configuration is unknown."""
        return self.supported_feature_profiles is None or profile in self.supported_feature_profiles

    def add_security_event(self, entry: dict[str, Any]) -> None:
        """Keep the event, and only the newest SECURITY_EVENTS_KEPT of them."""
        self.security_events.append(entry)
        if len(self.security_events) > SECURITY_EVENTS_KEPT:
            del self.security_events[: len(self.security_events) - SECURITY_EVENTS_KEPT]

    def reservations(self, include_expired: bool = False) -> list[Reservation]:
        """The reservations in force (connector 0 first); with `include_expired`, as stored."""
        holders: list[Station | Connector] = [self, *(c for _, c in sorted(self.connectors.items()))]
        found = [h._reservation if include_expired else h.reservation for h in holders]
        return [r for r in found if r is not None]

    def reservation_holder(self, connector_id: int) -> Station | Connector | None:
        """Where a reservation of this connector is kept (the station itself for connector 0)."""
        return self if connector_id == 0 else self.connectors.get(connector_id)

    def to_dict(self) -> dict[str, Any]:
        """What is remembered across restarts (live values are not)."""
        return {
            "vendor": self.vendor,
            "model": self.model,
            "serial_number": self.serial_number,
            "firmware_version": self.firmware_version,
            "ocpp_version": self.ocpp_version.value if self.ocpp_version else None,
            "connectors": sorted(self.connectors),
            "registers": {
                str(cid): [c.register_peak_wh, c.lifetime_offset_wh]
                for cid, c in self.connectors.items()
                if c.register_peak_wh is not None
            },
            "registration_status": self.registration_status,
            "measured_phases": self.measured_phases,
            "configuration": self.configuration,
            "unknown_keys": self.unknown_keys,
            "configuration_time": _iso(self.configuration_time),
            "local_list_version": self.local_list_version,
            "firmware_status": self.firmware_status,
            "firmware_status_time": _iso(self.firmware_status_time),
            "firmware_request_id": self.firmware_request_id,
            "diagnostics_status": self.diagnostics_status,
            "diagnostics_status_time": _iso(self.diagnostics_status_time),
            "diagnostics_file_name": self.diagnostics_file_name,
            "log_status": self.log_status,
            "log_status_time": _iso(self.log_status_time),
            "log_request_id": self.log_request_id,
            "log_file_name": self.log_file_name,
            "security_events": list(self.security_events),
            "certificate_signing_request": self.certificate_signing_request,
            "certificate_signing_request_time": _iso(self.certificate_signing_request_time),
            "reservations": [r.to_dict() for r in self.reservations()],
            "settings": self.settings.to_dict(),
            "counters": self.counters.to_dict(),
            "stop_reasons": {
                str(cid): c.last_stop_reason for cid, c in sorted(self.connectors.items()) if c.last_stop_reason
            },
            "last_sessions": {
                str(cid): c.last_transaction.to_dict()
                for cid, c in sorted(self.connectors.items())
                if c.last_transaction is not None
            },
            "reservation_ends": {
                str(cid): c.reservation_end for cid, c in sorted(self.connectors.items()) if c.reservation_end
            },
            **({"v2": self._v2_dict()} if self.v2 is not None else {}),
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
            registration_status=data.get("registration_status"),
            measured_phases=data.get("measured_phases") if data.get("measured_phases") in (1, 3) else None,
            configuration=dict(data.get("configuration") or {}),
            unknown_keys=list(data.get("unknown_keys") or []),
            configuration_time=_from_iso(data.get("configuration_time")),
            local_list_version=data.get("local_list_version"),
            firmware_status=data.get("firmware_status"),
            firmware_status_time=_from_iso(data.get("firmware_status_time")),
            firmware_request_id=data.get("firmware_request_id"),
            diagnostics_status=data.get("diagnostics_status"),
            diagnostics_status_time=_from_iso(data.get("diagnostics_status_time")),
            diagnostics_file_name=data.get("diagnostics_file_name"),
            log_status=data.get("log_status"),
            log_status_time=_from_iso(data.get("log_status_time")),
            log_request_id=data.get("log_request_id"),
            log_file_name=data.get("log_file_name"),
            certificate_signing_request=data.get("certificate_signing_request"),
            certificate_signing_request_time=_from_iso(data.get("certificate_signing_request_time")),
            settings=ChargerSettings.from_dict(data.get("settings")),
            counters=StationCounters.from_dict(data.get("counters")),
        )
        station.security_events.extend((data.get("security_events") or [])[-SECURITY_EVENTS_KEPT:])
        for connector_id in data.get("connectors", []):
            station.connectors[int(connector_id)] = Connector(int(connector_id))
        for connector_id, (register_wh, offset_wh) in (data.get("registers") or {}).items():
            connector = station.connectors.setdefault(int(connector_id), Connector(int(connector_id)))
            connector.register_peak_wh, connector.lifetime_offset_wh = register_wh, offset_wh
        for connector_id, reason in (data.get("stop_reasons") or {}).items():
            station.connectors.setdefault(int(connector_id), Connector(int(connector_id))).last_stop_reason = reason
        for connector_id, tx_data in (data.get("last_sessions") or {}).items():
            connector = station.connectors.setdefault(int(connector_id), Connector(int(connector_id)))
            connector.last_transaction = Transaction.from_dict(tx_data)
        for connector_id, reason in (data.get("reservation_ends") or {}).items():
            station.connectors.setdefault(int(connector_id), Connector(int(connector_id))).reservation_end = reason
        for reservation_data in data.get("reservations") or []:
            reservation = Reservation.from_dict(reservation_data)
            if reservation.expired():
                continue
            if reservation.connector_id == 0:
                station.reservation = reservation
            else:
                connector_id = reservation.connector_id
                station.connectors.setdefault(connector_id, Connector(connector_id)).reservation = reservation
        if data.get("v2") is not None:
            station.v2 = StationV2.from_dict(data["v2"])
            for evse_id, connector_ids in (data["v2"].get("evse_connectors") or {}).items():
                evse = station.connectors.setdefault(int(evse_id), Connector(int(evse_id)))
                evse.connector_statuses = dict.fromkeys((int(c) for c in connector_ids), None)
        return station

    def _v2_dict(self) -> dict[str, Any]:
        assert self.v2 is not None
        data = self.v2.to_dict()
        data["evse_connectors"] = {
            str(evse_id): sorted(evse.connector_statuses)
            for evse_id, evse in sorted(self.connectors.items())
            if evse.connector_statuses
        }
        return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
