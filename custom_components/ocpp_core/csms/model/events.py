"""The central system's event stream: what happened, for whoever listens (HA, the add-on)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

import msgspec

from ..rpc.types import OcppVersion
from .station import RegistrationStatus

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
    # a 1.6 StatusNotification with a new error (not NoError) for the station (connector_id 0) or a connector;
    # data: error_code, info, vendor_error_code.  Not again while the same error stays
    ERROR_REPORTED = "error_reported"
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
    # data: changed (the names of the settings that changed); see Station.settings
    SETTINGS_CHANGED = "settings_changed"
    # connector_id: the EVSE (0: the station); data: LimitState.to_dict() (see limits.py) on every change,
    # or {"evse_id", "cleared": True} when the limit was removed
    LIMIT = "limit"
    # a known charger's live connection replaced by one from another address (security profile 0 cannot
    # tell who connects: see takeover.py); data: remote, previous_remote, idle_s (since the old one's last frame)
    CONNECTION_REPLACED = "connection_replaced"
    # a connection refused (ok False: reason, remote, failures in a row) or, after refusals, let in (ok True)
    AUTHENTICATION = "authentication"
    # a configuration change the central system made on its own (e.g. the meter interval, intervals.py)
    # and the charger's answer; data: key (1.6 key, 2.x "Component.Variable"), value, status
    CONFIGURATION_REJECTED = "configuration_rejected"
    CONFIGURATION_ACCEPTED = "configuration_accepted"
    # ---- OCPP 2.x ----
    # connector_id: the EVSE; data: transaction_id, seq_no, trigger_reason, charging_state, offline
    # (a TransactionEvent Updated that was applied; Started / Ended come as TRANSACTION_STARTED / _ENDED)
    TRANSACTION_UPDATED = "transaction_updated"
    # data: request_id, report_base, variables (how many the model has now), full (a FullInventory replaced it)
    DEVICE_MODEL = "device_model"
    # data: the entry added to Station.v2.device_events (NotifyEvent)
    DEVICE_EVENT = "device_event"
    # data: request_id, monitors (how many variables have monitors now)
    MONITORING_REPORT = "monitoring_report"
    # connector_id: the EVSE (None: the whole station); data: source, is_grid_critical, cleared
    CHARGING_LIMIT = "charging_limit"
    # connector_id: the EVSE; data: requested_energy_wh, departure_time (ISO), energy_transfer
    EV_CHARGING_NEEDS = "ev_charging_needs"
    # connector_id: the EVSE; data: time_base (ISO), schedule (as sent)
    EV_CHARGING_SCHEDULE = "ev_charging_schedule"
    # data: request_id, source, evse_id, profiles (how many the EVSE has now)
    CHARGING_PROFILES = "charging_profiles"
    # data: request_id, text (the assembled NotifyCustomerInformation)
    CUSTOMER_INFORMATION = "customer_information"
    # data: request_id, message_ids
    DISPLAY_MESSAGES = "display_messages"
    # data: status, locations, request_id
    PUBLISH_FIRMWARE_STATUS = "publish_firmware_status"
    # data: kind ("SignCertificate", "Get15118EVCertificate", "GetCertificateStatus", "Authorize"), status (our answer)
    CERTIFICATE_REQUEST = "certificate_request"
    # OCPP 2.1; data: stream_id, basetime (ISO), data (as sent), pending, opened / closed
    PERIODIC_EVENT_STREAM = "periodic_event_stream"
    # a record the store cannot write was left out of the saved state (once per record and run);
    # station_id: the charger it belongs to ("" for none); data: path (where in the state), reason
    UNSTORABLE = "unstorable"


class Event(msgspec.Struct, frozen=True):
    """One thing that happened. A frozen msgspec Struct, not a frozen dataclass: one or two are made per meter
    message, and a frozen dataclass sets each field through object.__setattr__ (about 880 ns; this, 95 ns)."""

    type: EventType
    station_id: str
    connector_id: int | None = None
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    # CONNECTOR_UPDATED / TRANSACTION_UPDATED that changed meter readings alone (and what follows from them:
    # the session's energy, the lifetime register), no status, tag or session boundary: Home Assistant wakes
    # only the entities that show readings (coordinator.EventBridge)
    readings_only: bool = False


def booted_and_read(event: Event, version: OcppVersion | None) -> bool:
    """A charger's accepted boot, once what it says about itself is known: 1.6 the full configuration
    read that follows the boot (CONFIGURATION, full), 2.x the accepted BOOTED itself."""
    if version is OcppVersion.V16:
        return event.type is EventType.CONFIGURATION and bool(event.data.get("full"))
    return event.type is EventType.BOOTED and event.data.get("registration_status") == RegistrationStatus.ACCEPTED


Listener = Callable[[Event], None]


class EventBus:
    """Synchronous fan-out on the event loop; listeners must be quick and must not raise.

    A listener may name the event types it wants: the steady stream (CONNECTOR_UPDATED on every
    MeterValues) then never reaches the modules that only care about boots and settings.
    """

    def __init__(self) -> None:
        self._everything: list[Listener] = []
        self._by_type: dict[EventType, list[Listener]] = {}

    def subscribe(self, listener: Listener, types: Iterable[EventType] | None = None) -> Callable[[], None]:
        """Call `listener` for every event, or only for those of `types`; returns the unsubscribe."""
        lists = [self._everything] if types is None else [self._by_type.setdefault(t, []) for t in set(types)]
        for listeners in lists:
            listeners.append(listener)

        def unsubscribe() -> None:
            for listeners in lists:
                listeners.remove(listener)

        return unsubscribe

    def emit(self, event: Event) -> None:
        for listener in self._everything:
            try:
                listener(event)
            except Exception:
                _LOGGER.exception("Event listener failed on %s", event)
        for listener in self._by_type.get(event.type, ()):
            try:
                listener(event)
            except Exception:
                _LOGGER.exception("Event listener failed on %s", event)
