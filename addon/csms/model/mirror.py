"""A station's state as JSON for a mirror of it elsewhere (the integration's remote mode, docs/remote_mode.md).

The add-on sends it in its snapshot and with its events; the integration builds csms's own Station and
Connector objects from it, so its entities read what they read of an embedded central system, unchanged.
What a station remembers across restarts travels as `Station.to_dict()` (one format, already kept stable);
the live values (connection, statuses, readings, the open session …) beside it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .station import Connector, MeterSample, Reservation, Station
from .transaction import Transaction


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _samples(readings: dict[tuple[str, str | None], MeterSample]) -> list[list[Any]]:
    return [
        [s.measurand, s.phase, s.value, s.unit, s.timestamp.isoformat(), s.context, s.location]
        for s in readings.values()
    ]


def _readings(rows: Any) -> dict[tuple[str, str | None], MeterSample]:
    readings: dict[tuple[str, str | None], MeterSample] = {}
    for measurand, phase, value, unit, timestamp, context, location in rows or ():
        sample = MeterSample(measurand, float(value), unit, datetime.fromisoformat(timestamp), phase, context, location)
        readings[(measurand, phase)] = sample
    return readings


def _reservation(reservation: Reservation | None) -> dict[str, Any] | None:
    return reservation.to_dict() if reservation is not None else None


# ---- the sending side ----------------------------------------------------------------------------


def connector_state(connector: Connector) -> dict[str, Any]:
    """A connector's (EVSE's) live values."""
    tx = connector.transaction
    return {
        "status": connector.status,
        "error_code": connector.error_code,
        "info": connector.info,
        "vendor_error_code": connector.vendor_error_code,
        "status_time": _iso(connector.status_time),
        "readings": _samples(connector.readings),
        "transaction": tx.to_dict() if tx is not None else None,
        "connector_statuses": {str(k): v for k, v in connector.connector_statuses.items()},
        "charging_state": connector.charging_state,
        "limit_source": connector.limit_source,
        "charging_limit": connector.charging_limit,
        "ev_requested_energy_wh": connector.ev_requested_energy_wh,
        "ev_departure_time": _iso(connector.ev_departure_time),
        "ev_energy_transfer": connector.ev_energy_transfer,
        "register_peak_wh": connector.register_peak_wh,
        "lifetime_offset_wh": connector.lifetime_offset_wh,
        "last_stop_reason": connector.last_stop_reason,
        "last_transaction": connector.last_transaction.to_dict() if connector.last_transaction is not None else None,
        "reservation_end": connector.reservation_end,
        "reservation": _reservation(connector.stored_reservation),
    }


def station_state(station: Station, connected: bool, phases: int, *, connectors: bool = True) -> dict[str, Any]:
    """A station's remembered and live values (with each connector's, unless `connectors` is False: an event
    of the station alone, its connectors have their own events)."""
    state: dict[str, Any] = {
        "stored": station.to_dict(),
        "live": {
            "connected": connected,
            "booted": station.booted,
            "phases": phases,
            "meter_type": station.meter_type,
            "meter_serial_number": station.meter_serial_number,
            "last_heartbeat": _iso(station.last_heartbeat),
            "last_boot": _iso(station.last_boot),
            "status": station.status,
            "error_code": station.error_code,
            "info": station.info,
            "vendor_error_code": station.vendor_error_code,
            "readings": _samples(station.readings),
            # a 2.x station's NotifyChargingLimit of the whole station (not kept across restarts)
            "v2_limit": [station.v2.limit_source, station.v2.charging_limit] if station.v2 is not None else None,
        },
    }
    if connectors:
        state["connectors"] = {str(n): connector_state(c) for n, c in sorted(station.connectors.items())}
    return state


# ---- the receiving side --------------------------------------------------------------------------


def apply_connector_state(connector: Connector, state: dict[str, Any]) -> None:
    """Set a mirror connector's live values."""
    connector.status = state.get("status")
    connector.error_code = state.get("error_code")
    connector.info = state.get("info")
    connector.vendor_error_code = state.get("vendor_error_code")
    connector.status_time = _time(state.get("status_time"))
    connector.readings = _readings(state.get("readings"))
    tx = state.get("transaction")
    connector.transaction = Transaction.from_dict(tx) if tx else None
    connector.connector_statuses = {int(k): v for k, v in (state.get("connector_statuses") or {}).items()}
    connector.charging_state = state.get("charging_state")
    connector.limit_source = state.get("limit_source")
    connector.charging_limit = state.get("charging_limit")
    connector.ev_requested_energy_wh = state.get("ev_requested_energy_wh")
    connector.ev_departure_time = _time(state.get("ev_departure_time"))
    connector.ev_energy_transfer = state.get("ev_energy_transfer")
    connector.register_peak_wh = state.get("register_peak_wh")
    connector.lifetime_offset_wh = float(state.get("lifetime_offset_wh") or 0.0)
    connector.last_stop_reason = state.get("last_stop_reason")
    last = state.get("last_transaction")
    connector.last_transaction = Transaction.from_dict(last) if last else None
    connector.reservation_end = state.get("reservation_end")
    reservation = state.get("reservation")
    connector.reservation = Reservation.from_dict(reservation) if reservation else None


def mirror_station(station_id: str, state: dict[str, Any], old: Station | None = None) -> Station:
    """A mirror Station from `station_state`; the connectors of `old` keep their live values where the state
    brings none (an event of the station alone)."""
    station = Station.from_dict(station_id, state.get("stored") or {})
    live = state.get("live") or {}
    station.connected = bool(live.get("connected"))
    station.booted = bool(live.get("booted"))
    station.meter_type = live.get("meter_type")
    station.meter_serial_number = live.get("meter_serial_number")
    station.last_heartbeat = _time(live.get("last_heartbeat"))
    station.last_boot = _time(live.get("last_boot"))
    station.status = live.get("status")
    station.error_code = live.get("error_code")
    station.info = live.get("info")
    station.vendor_error_code = live.get("vendor_error_code")
    station.readings = _readings(live.get("readings"))
    v2_limit = live.get("v2_limit")
    if station.v2 is not None and isinstance(v2_limit, list) and len(v2_limit) == 2:
        station.v2.limit_source, station.v2.charging_limit = v2_limit
    connectors = state.get("connectors")
    if connectors is not None:
        for number, connector_data in connectors.items():
            connector = station.connectors.setdefault(int(number), Connector(int(number)))
            apply_connector_state(connector, connector_data)
    elif old is not None:
        for number, connector in old.connectors.items():
            kept = station.connectors.get(number)
            station.connectors[number] = connector  # the same object: its live values stay
            if kept is not None:  # what the stored part says of its meter is as new
                connector.register_peak_wh, connector.lifetime_offset_wh = (
                    kept.register_peak_wh,
                    kept.lifetime_offset_wh,
                )
    return station


def station_phases(state: dict[str, Any]) -> int:
    """The phases the central system counts with for its limits (1 if it did not say)."""
    phases = (state.get("live") or {}).get("phases")
    return int(phases) if isinstance(phases, int) and phases in (1, 2, 3) else 1
