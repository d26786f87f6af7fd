"""What the sensors show, read from the domain model (sensor.py declares the sensors).

Readings of what flows now (power, current) are 0 once a connector no longer
charges; the session sensors show the running session, else the last one, until
the next one starts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from homeassistant.util import dt as dt_util

from .csms import POWER_IMPORT, Connector, LimitState, LimitStatus, Station, Transaction, connector_status, delivering

# The statuses of OCPP 1.6, as translation state keys; a 2.x EVSE's status and charging state
# give the same ones (csms/model/status.py), so "charging" reads alike for both versions.
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
}

# OCPP 2.x TransactionEvent chargingState
CHARGING_STATE_OPTIONS = ["charging", "ev_connected", "suspended_ev", "suspended_evse", "idle"]
CHARGING_STATE_KEYS = {
    "Charging": "charging",
    "EVConnected": "ev_connected",
    "SuspendedEV": "suspended_ev",
    "SuspendedEVSE": "suspended_evse",
    "Idle": "idle",
}
# OCPP 2.x ChargingLimitSourceEnumType (2.1 allows any text: shown as other), and none: no limit notified
LIMIT_SOURCE_OPTIONS = ["none", "ems", "other", "so", "cso"]
_LIMIT_SOURCE_KEYS = {"EMS": "ems", "Other": "other", "SO": "so", "CSO": "cso"}
# the state of the last load-management change (csms/features/limits.py LimitState.status)
LIMIT_STATUS_OPTIONS = [status.value for status in LimitStatus]


def status_key(status: str | None) -> str | None:
    """The translated state for an OCPP status; None for values outside the spec."""
    return _STATUS_KEYS.get(status) if status else None


def kilo(value: float | None) -> float | None:
    return None if value is None else value / 1000.0


def power(station: Station, connector: Connector) -> float | None:
    total = connector.reading(POWER_IMPORT)
    if total is None:
        phases = [connector.reading(POWER_IMPORT, p) for p in ("L1", "L2", "L3")]
        known = [p for p in phases if p is not None]
        total = sum(known) if known else None
    return while_delivering(station, connector, total)


def while_delivering(station: Station, connector: Connector, value: float | None) -> float | None:
    """A reading of what flows now: 0 once the connector no longer charges (chargers often send
    no final 0 W / 0 A reading when a session stops or suspends)."""
    if value is None or delivering(station, connector):
        return value
    return 0.0


def phase_reading(
    measurand: str, phase: str, first_phase: bool, flowing: bool = False
) -> Callable[[Station, Connector], float | None]:
    def value(station: Station, connector: Connector) -> float | None:
        reading = connector.reading(measurand, phase)
        if reading is None and first_phase:
            reading = connector.reading(measurand)  # single-phase chargers name no phase
        return while_delivering(station, connector, reading) if flowing else reading

    return value


def session_minutes(connector: Connector) -> int | float | None:
    """Whole minutes since the session started (refreshed with each update of the connector: a
    state write once a minute, not one per meter value), or the last session's length once it ended."""
    tx = connector.session
    if tx is None:
        return None
    if tx.stop_time is None:
        return int(max(0.0, (dt_util.utcnow() - tx.start_time).total_seconds()) // 60.0)
    return round(max(0.0, (tx.stop_time - tx.start_time).total_seconds()) / 60.0, 1)


def session_attrs(connector: Connector) -> dict[str, Any] | None:
    """Whether the session shown runs (the last one's values stay until the next one starts)."""
    tx = connector.session
    return None if tx is None else {"session_running": tx.is_open}


def session_start(connector: Connector) -> datetime | None:
    tx = connector.session
    return None if tx is None else tx.start_time


def session_tag(connector: Connector) -> str | None:
    tx: Transaction | None = connector.session
    return None if tx is None else tx.id_tag


def reservation_attrs(connector: Connector) -> dict[str, Any]:
    """Why the connector's last reservation ended: used, cancelled, expired, ended or removed (at the charger), replaced."""
    return {"last_end_reason": connector.reservation_end}


def error(code: str | None) -> str | None:
    return None if code in (None, "", "NoError") else code


def session_energy(connector: Connector) -> float | None:
    tx = connector.session
    return None if tx is None else round(tx.energy_wh / 1000.0, 3)


def status(station: Station, connector: Connector) -> str | None:
    return status_key(connector_status(station, connector))


def limit_source(station: Station, evse: Connector) -> str:
    """Who limits the EVSE's charging (NotifyChargingLimit): its own limit, else one of the whole station."""
    source = evse.limit_source or (station.v2.limit_source if station.v2 is not None else None)
    return "none" if source is None else _LIMIT_SOURCE_KEYS.get(source, "other")


def limit_answer(state: LimitState) -> dict[str, Any]:
    """The status sensor carries the charger's answer (status, statusInfo) and the limit it was about."""
    return {
        "answer": state.answer,
        "amps": state.amps,
        "unit_sent": state.unit_sent,
        "overridden_by": state.overridden_by,
    }
