"""The central system's event stream: what happened, for whoever listens (HA, the add-on)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

_LOGGER = logging.getLogger(__name__)


class EventType(StrEnum):
    STATION_ADDED = "station_added"  # first seen (or first since start)
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    BOOTED = "booted"
    STATION_UPDATED = "station_updated"  # status, heartbeat, identity
    CONNECTOR_ADDED = "connector_added"
    CONNECTOR_UPDATED = "connector_updated"  # status or meter readings
    TRANSACTION_STARTED = "transaction_started"
    TRANSACTION_ENDED = "transaction_ended"
    AUTHORIZE = "authorize"
    DATA_TRANSFER = "data_transfer"
    # data: status ("Accepted" / "Pending" / "Rejected"), previous; on every change and every boot
    REGISTRATION = "registration"
    # data: keys (the keys whose value or presence changed), full (a complete read)
    CONFIGURATION = "configuration"
    # connector_id: the reserved connector (0 = any); data: reservation_id, id_tag, expiry_date, active, reason
    RESERVATION = "reservation"
    # data: list_version
    LOCAL_LIST = "local_list"
    # data: status, request_id, signed (SignedFirmwareStatusNotification)
    FIRMWARE_STATUS = "firmware_status"
    # data: status, file_name
    DIAGNOSTICS_STATUS = "diagnostics_status"
    # data: status, request_id, file_name
    LOG_STATUS = "log_status"
    # data: type, timestamp, tech_info (the entry added to Station.security_events)
    SECURITY_EVENT = "security_event"
    # data: csr, status (our answer); the CSR is kept on Station.certificate_signing_request
    CERTIFICATE_SIGNING_REQUEST = "certificate_signing_request"


@dataclass(slots=True, frozen=True)
class Event:
    type: EventType
    station_id: str
    connector_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Event], None]


class EventBus:
    """Synchronous fan-out on the event loop; listeners must be quick and must not raise."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: Event) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                _LOGGER.exception("Event listener failed on %s", event)
