"""One connector status for OCPP 1.6 and 2.x alike, and whether a connector delivers energy now.

OCPP 1.6 reports Available / Preparing / Charging / SuspendedEV / SuspendedEVSE /
Finishing / Reserved / Unavailable / Faulted.  OCPP 2.x reports less per connector
(Available / Occupied / Reserved / Unavailable / Faulted) and says the rest in the
TransactionEvent's chargingState; together they give the same nine values, so an
automation (or evcc) reads "charging" from either version.
"""

from __future__ import annotations

from .station import Connector, Station

AVAILABLE = "Available"
PREPARING = "Preparing"
CHARGING = "Charging"
SUSPENDED_EV = "SuspendedEV"
SUSPENDED_EVSE = "SuspendedEVSE"
FINISHING = "Finishing"
RESERVED = "Reserved"
UNAVAILABLE = "Unavailable"
FAULTED = "Faulted"

# a 2.x chargingState during a session -> the 1.6 status meaning the same
_SESSION_STATES = {
    "Charging": CHARGING,
    "SuspendedEV": SUSPENDED_EV,
    "SuspendedEVSE": SUSPENDED_EVSE,
    "EVConnected": PREPARING,
    "Idle": PREPARING,
}
# statuses in which a connector delivers no energy, whatever its last reading said
_NOT_DELIVERING = frozenset({AVAILABLE, SUSPENDED_EV, SUSPENDED_EVSE, FINISHING, RESERVED, UNAVAILABLE, FAULTED})


def connector_status(station: Station, connector: Connector) -> str | None:
    """The connector's (EVSE's) status in OCPP 1.6 terms; None while unknown."""
    status = connector.status
    if not station.is_v2:
        return status
    state = connector.charging_state
    in_session = connector.transaction is not None
    if status == "Occupied" or (status is None and state is not None):
        if in_session:
            return _SESSION_STATES.get(state or "", PREPARING)
        if state == "EVConnected":
            return FINISHING  # a 2.x station reports EVConnected after a session until unplugged
        return PREPARING if status == "Occupied" else AVAILABLE
    return status


def delivering(station: Station, connector: Connector) -> bool:
    """Whether the connector may be delivering energy now: a session runs and the status does not say
    otherwise (a charger sends no final 0 W reading when it stops or suspends, often enough)."""
    return connector.transaction is not None and connector_status(station, connector) not in _NOT_DELIVERING
