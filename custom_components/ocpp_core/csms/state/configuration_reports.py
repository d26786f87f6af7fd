"""What a charger reports about itself: configuration, local list, firmware, logs, security.

Each report changes the station in the store, is saved soon and announced.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..model.configuration import apply_configuration
from ..model.events import Event, EventType
from ..model.station import Station
from ..rpc.timeutil import utcnow
from .store import StateStore

_LOGGER = logging.getLogger(__name__)


class ConfigurationReports:
    """Records the reports in the store."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def _announce(self, event_type: EventType, station_id: str, data: dict[str, Any]) -> None:
        """The station changed: saved soon, and announced."""
        self._store.save_soon()
        self._store.events.emit(Event(event_type, station_id, data=data))

    # ---- configuration and what the charger reports about itself ------------

    def record_configuration(
        self, station_id: str, entries: dict[str, dict[str, Any]], unknown: list[str], full: bool
    ) -> None:
        """A GetConfiguration answer: a full read replaces what was known, a partial one merges."""
        station = self._store.station(station_id)
        before = station.configuration
        if full:
            after = dict(entries)
            station.unknown_keys = list(unknown)
            station.configuration_time = utcnow()
        else:
            after = {**before, **entries}
            still_unknown = [key for key in station.unknown_keys if key not in entries]
            # dict.fromkeys: in order, once each, in linear time (thousands of unknownKey entries fit a frame)
            station.unknown_keys = list(dict.fromkeys([*still_unknown, *unknown]))
        changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
        station.configuration = after
        self._configuration_changed(station, changed, full)

    def set_configuration_value(self, station_id: str, key: str, value: str) -> None:
        """The charger accepted a ChangeConfiguration."""
        station = self._store.station(station_id)
        entry = station.configuration.get(key) or {"readonly": False}
        station.configuration = {**station.configuration, key: {"value": value, "readonly": bool(entry["readonly"])}}
        if key in station.unknown_keys:
            station.unknown_keys = [k for k in station.unknown_keys if k != key]
        self._configuration_changed(station, [key], False)

    def _configuration_changed(self, station: Station, changed: list[str], full: bool) -> None:
        apply_configuration(station)
        if station.number_of_connectors:
            self._store.ensure_connectors(station, station.number_of_connectors)
        self._announce(EventType.CONFIGURATION, station.station_id, {"keys": changed, "full": full})

    def set_local_list_version(self, station_id: str, version: int) -> None:
        station = self._store.station(station_id)
        station.local_list_version = version
        self._announce(EventType.LOCAL_LIST, station_id, {"list_version": version})

    def record_firmware_status(
        self, station_id: str, status: str, request_id: int | None = None, signed: bool = False
    ) -> None:
        station = self._store.station(station_id)
        station.firmware_status = status
        station.firmware_status_time = utcnow()
        station.firmware_request_id = request_id
        self._announce(
            EventType.FIRMWARE_STATUS, station_id, {"status": status, "request_id": request_id, "signed": signed}
        )

    def record_diagnostics_status(self, station_id: str, status: str | None, file_name: str | None = None) -> None:
        """A DiagnosticsStatusNotification (status), or a GetDiagnostics answer (file name, status None)."""
        station = self._store.station(station_id)
        if status is not None:
            station.diagnostics_status = status
            station.diagnostics_status_time = utcnow()
        if file_name is not None:
            station.diagnostics_file_name = file_name
        self._announce(
            EventType.DIAGNOSTICS_STATUS,
            station_id,
            {"status": station.diagnostics_status, "file_name": station.diagnostics_file_name},
        )

    def record_log_status(
        self, station_id: str, status: str | None, request_id: int | None, file_name: str | None = None
    ) -> None:
        """A LogStatusNotification (status), or a GetLog answer (request id and file name, status None)."""
        station = self._store.station(station_id)
        if status is not None:
            station.log_status = status
            station.log_status_time = utcnow()
        if request_id is not None:
            station.log_request_id = request_id
        if file_name is not None:
            station.log_file_name = file_name
        self._announce(
            EventType.LOG_STATUS,
            station_id,
            {"status": station.log_status, "request_id": station.log_request_id, "file_name": station.log_file_name},
        )

    def record_security_event(
        self, station_id: str, event_type: str, timestamp: datetime, tech_info: str | None
    ) -> None:
        station = self._store.station(station_id)
        entry = {"type": event_type, "timestamp": timestamp.isoformat(), "tech_info": tech_info}
        station.add_security_event(entry)
        self._announce(EventType.SECURITY_EVENT, station_id, dict(entry))

    def record_certificate_signing_request(self, station_id: str, csr: str, status: str) -> None:
        station = self._store.station(station_id)
        station.certificate_signing_request = csr
        station.certificate_signing_request_time = utcnow()
        self._announce(EventType.CERTIFICATE_SIGNING_REQUEST, station_id, {"csr": csr, "status": status})
