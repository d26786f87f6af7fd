"""What stations do from moment to moment: connect, boot, register, heartbeat, report statuses and meter values.

Meter values are the hot path (most messages are MeterValues): `record_samples`
keeps to dictionary look-ups and saves soon (debounced) only what must survive
a restart (the energy register, a running session's reading).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from ..model.events import Event, EventType
from ..model.station import ENERGY_IMPORT_REGISTER, Connector, MeterSample, RegistrationStatus, Station
from ..rpc.timeutil import utcnow
from ..rpc.types import OcppVersion
from .reservations import Reservations
from .store import StateStore

_LOGGER = logging.getLogger(__name__)

# statuses after which a connector that was Reserved is no longer
_RESERVATION_OVER = frozenset({"Available", "Unavailable", "Faulted"})
# a StatusNotification error code that reports no error
_NO_ERROR = frozenset({None, "", "NoError"})


class StationActivity:
    """Records connections, boots, registrations, statuses and meter values in the store."""

    def __init__(self, store: StateStore, reservations: Reservations) -> None:
        self._store = store
        self._reservations = reservations

    def set_connected(self, station_id: str, version: OcppVersion | None, connected: bool) -> None:
        station = self._store.station(station_id)
        station.connected = connected
        if version is not None:
            if station.ocpp_version is not None and version is not station.ocpp_version:
                _LOGGER.info("%s: now speaks %s (was %s)", station_id, version.value, station.ocpp_version.value)
                for connector in station.connectors.values():
                    connector.register_rebase = connector.register_peak_wh is not None
            station.ocpp_version = version
        if not connected:
            station.booted = False
            station.counters.disconnects += 1
            self._store.save_soon()
        self._store.events.emit(Event(EventType.CONNECTED if connected else EventType.DISCONNECTED, station_id))

    def record_boot(
        self, station_id: str, identity: dict[str, str | None], registration_status: str = RegistrationStatus.ACCEPTED
    ) -> None:
        """A BootNotification and our answer to it; only an Accepted boot counts as booted."""
        registration_status = str(registration_status)  # a plain str, also when given a RegistrationStatus
        station = self._store.station(station_id)
        for key, value in identity.items():
            setattr(station, key, value)
        station.booted = registration_status == RegistrationStatus.ACCEPTED
        station.last_boot = utcnow()
        station.counters.boots += 1
        previous = station.registration_status
        station.registration_status = registration_status
        self._store.save_soon()
        events = self._store.events
        events.emit(Event(EventType.BOOTED, station_id, data={**identity, "registration_status": registration_status}))
        events.emit(
            Event(EventType.REGISTRATION, station_id, data={"status": registration_status, "previous": previous})
        )

    def set_registration(self, station_id: str, status: str) -> None:
        """The user (or the policy) decided; the charger learns it at its next BootNotification."""
        status = str(status)
        station = self._store.station(station_id)
        previous = station.registration_status
        if previous == status:
            return
        station.registration_status = status
        if status != RegistrationStatus.ACCEPTED:
            station.booted = False
        self._store.save_soon()
        self._store.events.emit(
            Event(EventType.REGISTRATION, station_id, data={"status": status, "previous": previous})
        )

    def record_heartbeat(self, station_id: str) -> None:
        station = self._store.station(station_id)
        station.last_heartbeat = utcnow()
        self._store.events.emit(Event(EventType.STATION_UPDATED, station_id))

    def record_status(
        self,
        station_id: str,
        connector_id: int,
        status: str,
        error_code: str | None,
        info: str | None,
        vendor_error_code: str | None,
        timestamp: datetime,
    ) -> None:
        station = self._store.station(station_id)
        target: Station | Connector = station if connector_id == 0 else self._store.connector(station, connector_id)
        if target.status == "Reserved" and status in _RESERVATION_OVER and target.reservation is not None:
            # the charger ended the reservation (used elsewhere, expired or cancelled at the charger)
            self._reservations.drop(station, target, "ended")
        new_error = error_code != target.error_code and error_code not in _NO_ERROR
        target.status = status
        target.error_code = error_code
        target.info = info or None
        target.vendor_error_code = vendor_error_code or None
        if isinstance(target, Connector):
            target.status_time = timestamp
            self._store.events.emit(Event(EventType.CONNECTOR_UPDATED, station_id, connector_id))
        else:
            self._store.events.emit(Event(EventType.STATION_UPDATED, station_id))
        if new_error:
            error = {"error_code": error_code, "info": target.info, "vendor_error_code": target.vendor_error_code}
            self._store.events.emit(Event(EventType.ERROR_REPORTED, station_id, connector_id, data=error))

    def record_samples(
        self, station_id: str, connector_id: int, samples: Iterable[MeterSample], transaction_id: str | None = None
    ) -> None:
        """Keep the newest reading per measurand and phase; older (replayed) samples do not overwrite."""
        store = self._store
        station = store.station(station_id)
        connector = None if connector_id == 0 else store.connector(station, connector_id)
        readings = station.readings if connector is None else connector.readings
        if not isinstance(samples, list):
            samples = list(samples)
        tx = connector.transaction if connector is not None else None
        if tx is not None and transaction_id is not None and tx.transaction_id != transaction_id:
            tx = None  # a sample from another (old or placeholder) transaction
        changed = register = False
        get = readings.get
        for sample in samples:
            key = (sample.measurand, sample.phase)
            current = get(key)
            if current is not None and sample.timestamp < current.timestamp:
                continue  # replayed: an older sample never overwrites
            readings[key] = sample
            changed = True
            if sample.measurand == ENERGY_IMPORT_REGISTER and sample.phase is None and connector is not None:
                if tx is not None and (tx.meter_last_wh is None or sample.value > tx.meter_last_wh):
                    tx.meter_last_wh = sample.value  # a register only grows: a lower one never lowers the session's
                connector.update_register(sample.value)
                register = True
        if changed:
            if tx is not None or register:
                store.save_soon()  # the session's reading, the lifetime count: both survive restarts
            if station.measured_phases != 3:
                self._note_phases(station, samples)
            if connector is not None:
                store.events.emit(Event(EventType.CONNECTOR_UPDATED, station_id, connector_id, readings_only=True))
            else:
                store.events.emit(Event(EventType.STATION_UPDATED, station_id))

    def _note_phases(self, station: Station, samples: Iterable[MeterSample]) -> None:
        """A current on L2 / L3: the charger is wired for 3 phases (limit_profiles.phases), for good.

        Announced as SETTINGS_CHANGED "phases": the limits in watts and the power numbers' range follow."""
        if station.measured_phases == 3:
            return
        if any(s.measurand == "Current.Import" and s.phase in ("L2", "L3") and s.value > 0 for s in samples):
            station.measured_phases = 3
            self._store.save_soon()
            self._store.events.emit(
                Event(EventType.SETTINGS_CHANGED, station.station_id, data={"changed": ["phases"], "measured": True})
            )
