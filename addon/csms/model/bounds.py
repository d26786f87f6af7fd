"""Bounds on the numbers a charger chooses that size our work or memory.

The OCPP schemas set no maximum on connector / EVSE ids or on the seqNo of a
multi-part report, so a schema-valid message can name connector 2^31 − 1 or
part 2^31 − 1 of a report.  Nothing here may cost work or memory in proportion
to such a number (only to what was actually received), and nothing a charger
sends may end up as a value the store cannot hold.  Out of range is answered
as a PropertyConstraintViolation, naming the field and the range.
"""

from __future__ import annotations

from ..rpc.types import ErrorKind, OcppError
from .configuration import MAX_CONNECTORS
from .station import Station

INT32_MAX = 2_147_483_647
# what Home Assistant's Store (orjson) can write: signed 64-bit, and unsigned up to 2^64 - 1
STORABLE_INT_MIN = -(2**63)
STORABLE_INT_MAX = 2**64 - 1
# connectors one 2.x EVSE may have
MAX_EVSE_CONNECTORS = 32
# parts of one multi-part message (NotifyReport, NotifyMonitoringReport, NotifyCustomerInformation): seqNo 0 .. this - 1
MAX_REPORT_PARTS = 10_000
# entries one multi-part message may carry in all (a FullInventory of a big station has a few thousand)
MAX_REPORT_ITEMS = 10_000


def out_of_range(field: str, value: object, low: int, high: int) -> OcppError:
    return OcppError(ErrorKind.PROPERTY, f"{field} {value} is out of range ({low} to {high})")


def check_range(field: str, value: int, low: int, high: int) -> int:
    """`value`, or OcppError (PropertyConstraintViolation) when it is not within [low, high]."""
    if not low <= value <= high:
        raise out_of_range(field, value, low, high)
    return value


def seq_no(value: int) -> int:
    """The seqNo of one part of a multi-part message."""
    return check_range("seqNo", value, 0, MAX_REPORT_PARTS - 1)


def connector_limit(station: Station | None) -> int:
    """The highest connector (1.6) id a charger may name: its NumberOfConnectors once known, else MAX_CONNECTORS."""
    count = station.number_of_connectors if station is not None else None
    return min(count, MAX_CONNECTORS) if count else MAX_CONNECTORS


def connector_id(station: Station | None, value: int, field: str = "connectorId", low: int = 0) -> int:
    """A 1.6 connectorId (0: the charger itself, where `low` allows it): one the charger has (or one known)."""
    if value >= max(low, 1) and station is not None and value in station.connectors:
        return value  # known already: costs nothing new
    return check_range(field, value, low, connector_limit(station))


def evse_id(station: Station | None, value: int, field: str = "evseId") -> int:
    """A 2.x evseId (0: the station itself), at most MAX_CONNECTORS: a station may name an EVSE its
    inventory did not list (it appears), so the bound is not the inventory's."""
    if station is not None and value in station.connectors:
        return value  # known already: the fast path of every MeterValues / TransactionEvent
    return check_range(field, value, 0, MAX_CONNECTORS)


def evse_connector_id(value: int, field: str = "connectorId") -> int:
    """The connectorId within an EVSE (0 only where OCPP allows it, e.g. the station's own status)."""
    return check_range(field, value, 0, MAX_EVSE_CONNECTORS)
