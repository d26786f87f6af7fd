"""The domain state of the central system and the operations adapters apply to it.

Adapters translate version-specific messages into these calls; every change
is announced on the event bus.  Transactions and the transaction id counter
are written through to persistence before the charger gets its answer, so a
crash cannot hand out a transaction id twice or forget a running session;
everything else (configuration, reservations and their id counter, reports,
the bounded transaction history) is saved soon after it changes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from ..model.configuration import MAX_CONNECTORS, apply_configuration
from ..model.events import Event, EventBus, EventType
from ..model.station import (
    ENERGY_IMPORT_REGISTER,
    Connector,
    MeterSample,
    RegistrationStatus,
    Reservation,
    Station,
    Transaction,
)
from ..rpc.framelog import scrub_stored_station
from ..rpc.loglimit import LogLimiter
from ..rpc.timeutil import utcnow
from ..rpc.types import OcppVersion
from .authorization import Authorization
from .configuration_reports import StationReports
from .device_model_reports import StationReports2
from .history import TransactionHistory, as_utc, overlaps, transaction_record
from .persistence import Persistence
from .storable import Path, format_path, storable
from .transaction_events import TransactionEvents

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
_INT32_MAX = 2_147_483_647
# statuses after which a connector that was Reserved is no longer
_RESERVATION_OVER = frozenset({"Available", "Unavailable", "Faulted"})


class CentralState(StationReports, StationReports2, TransactionEvents):
    """Stations, connectors and transactions, with their persistence."""

    def __init__(self, persistence: Persistence, events: EventBus, history_size: int = 1000) -> None:
        self.stations: dict[str, Station] = {}
        self.events = events
        # the id tags, the tag policy and the remote starts asked for (see authorization.py)
        self.authorization = Authorization(self.stations)
        self.history = TransactionHistory(history_size)
        # the earliest reservation expiry per station (checked on every message of that station)
        self.reservation_deadlines: dict[str, datetime] = {}
        self._persistence = persistence
        self._next_transaction_id = 1
        self._next_reservation_id = 1
        self._next_remote_start_id = 1
        self._next_request_id = 1
        self._expiry_timers: dict[str, asyncio.TimerHandle] = {}
        self._logged: set[tuple[str, str]] = set()
        # the lines a station's messages cause, rate-limited per station (see loglimit.py)
        self.logs = LogLimiter()
        # 2.x transactions ended lately, to recognise their late events (see transactions2.py)
        self._recently_ended: dict[tuple[str, str], None] = {}
        # parts kept by other modules (tags, credentials, limits): name -> (load, dump)
        self._sections: dict[str, tuple[Callable[[Any], None], Callable[[], Any]]] = {}
        # True once an immediate save failed, until one succeeds: the charger got an error instead of its
        # answer, and its retry (a retransmission, answered from memory) must be written first
        self.unsaved = False
        # called as a transaction ends, before it goes into the history (pricing puts its final cost on it)
        self.ending_hooks: list[Callable[[str, Connector, Transaction], None]] = []

    def register_section(self, name: str, load: Callable[[Any], None], dump: Callable[[], Any]) -> None:
        """Persist another module's data under `name`: `dump()` is saved with the state, and
        `load(data)` gets it back at start (None when nothing was saved).  Register before `load()`;
        call `save_soon()` / `save_now()` after changing it."""
        self._sections[name] = (load, dump)

    # ---- persistence -----------------------------------------------------

    async def load(self) -> None:
        data = await self._persistence.async_load() or {}
        self._next_transaction_id = int(data.get("next_transaction_id", 1))
        self._next_reservation_id = int(data.get("next_reservation_id", 1))
        self._next_remote_start_id = int(data.get("next_remote_start_id", 1))
        self._next_request_id = int(data.get("next_request_id", 1))
        self.history.load(data.get("history", []))
        for station_id, station_data in data.get("stations", {}).items():
            try:
                station = Station.from_dict(station_id, station_data)
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                _LOGGER.error("%s: its saved data cannot be read (%r); the charger starts afresh", station_id, err)
                continue
            apply_configuration(station)
            for tx_data in station_data.get("open_transactions", []):
                try:
                    tx = Transaction.from_dict(tx_data)
                except (KeyError, TypeError, ValueError, AttributeError) as err:
                    _LOGGER.error("%s: a saved open transaction cannot be read (%r); left out", station_id, err)
                    continue
                connector = station.connectors.setdefault(tx.connector_id, Connector(tx.connector_id))
                connector.transaction = tx
                # 2.x: a station sends its chargingState only when it changes, so the EVSE's state is
                # the running session's last one (else it would stay unknown after a restart)
                if tx.charging_state is not None:
                    connector.charging_state = tx.charging_state
            self.stations[station_id] = station
            self._schedule_expiry(station_id)
        for name, (load_section, _) in self._sections.items():
            load_section(data.get(name))

    def close(self) -> None:
        """Stop the reservation expiry timers (the central system stops)."""
        for timer in self._expiry_timers.values():
            timer.cancel()
        self._expiry_timers.clear()

    def snapshot(self) -> dict[str, Any]:
        """Everything persisted, as JSON-ready data."""
        stations: dict[str, Any] = {}
        for station_id, station in self.stations.items():
            data = scrub_stored_station(station.to_dict())
            data["open_transactions"] = [
                c.transaction.to_dict() for c in station.connectors.values() if c.transaction is not None
            ]
            stations[station_id] = data
        data, dropped = storable(
            {
                "version": STORAGE_VERSION,
                "next_transaction_id": self._next_transaction_id,
                "next_reservation_id": self._next_reservation_id,
                "next_remote_start_id": self._next_remote_start_id,
                "next_request_id": self._next_request_id,
                "stations": stations,
                "history": self.history.snapshot(),
                **{name: dump() for name, (_, dump) in self._sections.items()},
            }
        )
        for path, reason in dropped:
            self._unstorable(path, reason)
        return data

    def _unstorable(self, path: Path, reason: str) -> None:
        """A record the store cannot write is left out of every save (see storable.py): said once per run."""
        where = format_path(path)
        station_id = str(path[1]) if len(path) > 1 and path[0] == "stations" else ""
        if (station_id, f"unstorable:{where}") in self._logged:
            return
        self._logged.add((station_id, f"unstorable:{where}"))
        _LOGGER.error("Not saved, as the store cannot write it (%s): %s; everything else is saved", reason, where)
        self.events.emit(Event(EventType.UNSTORABLE, station_id, data={"path": where, "reason": reason}))

    def _save_soon(self) -> None:
        self._persistence.schedule_save(self.snapshot)

    def save_soon(self) -> None:
        """Save everything soon (debounced): for changes that may wait a moment."""
        self._save_soon()

    async def save_now(self) -> None:
        self.unsaved = True
        await self._persistence.async_save(self.snapshot())
        self.unsaved = False

    def log_once(self, station_id: str, key: str, level: int, message: str, *args: object) -> None:
        """Log a station's recurring condition the first time only (per run of the central system)."""
        if (station_id, key) not in self._logged:
            self._logged.add((station_id, key))
            _LOGGER.log(level, "%s: " + message, station_id, *args)

    def forget(self, station_id: str) -> None:
        """Drop the station and what this state keeps beside it (its log-once keys, reservation timer)."""
        self.stations.pop(station_id, None)
        self._logged = {key for key in self._logged if key[0] != station_id}
        self.reservation_deadlines.pop(station_id, None)
        if (timer := self._expiry_timers.pop(station_id, None)) is not None:
            timer.cancel()

    # ---- stations and connectors ------------------------------------------

    def station(self, station_id: str) -> Station:
        station = self.stations.get(station_id)
        if station is None:
            station = self.stations[station_id] = Station(station_id)
            self._save_soon()
            self.events.emit(Event(EventType.STATION_ADDED, station_id))
        return station

    def connector(self, station: Station, connector_id: int) -> Connector:
        connector = station.connectors.get(connector_id)
        if connector is None:
            connector = station.connectors[connector_id] = Connector(connector_id)
            self._save_soon()
            self.events.emit(Event(EventType.CONNECTOR_ADDED, station.station_id, connector_id))
        return connector

    def ensure_connectors(self, station: Station, count: int) -> None:
        """Connectors 1..count exist (NumberOfConnectors: shown before their first StatusNotification)."""
        if count > MAX_CONNECTORS:
            self.log_once(
                station.station_id, "too_many_connectors", logging.WARNING,
                "reports %s connectors; only the first %s are created", count, MAX_CONNECTORS,
            )  # fmt: skip
            count = MAX_CONNECTORS
        for connector_id in range(1, count + 1):
            self.connector(station, connector_id)

    def set_connected(self, station_id: str, version: OcppVersion | None, connected: bool) -> None:
        station = self.station(station_id)
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
            self._save_soon()
        self.events.emit(Event(EventType.CONNECTED if connected else EventType.DISCONNECTED, station_id))

    def record_boot(
        self, station_id: str, identity: dict[str, str | None], registration_status: str = RegistrationStatus.ACCEPTED
    ) -> None:
        """A BootNotification and our answer to it; only an Accepted boot counts as booted."""
        registration_status = str(registration_status)  # a plain str, also when given a RegistrationStatus
        station = self.station(station_id)
        for key, value in identity.items():
            setattr(station, key, value)
        station.booted = registration_status == RegistrationStatus.ACCEPTED
        station.last_boot = utcnow()
        station.counters.boots += 1
        previous = station.registration_status
        station.registration_status = registration_status
        self._save_soon()
        self.events.emit(
            Event(EventType.BOOTED, station_id, data={**identity, "registration_status": registration_status})
        )
        self.events.emit(
            Event(EventType.REGISTRATION, station_id, data={"status": registration_status, "previous": previous})
        )

    def set_registration(self, station_id: str, status: str) -> None:
        """The user (or the policy) decided; the charger learns it at its next BootNotification."""
        status = str(status)
        station = self.station(station_id)
        previous = station.registration_status
        if previous == status:
            return
        station.registration_status = status
        if status != RegistrationStatus.ACCEPTED:
            station.booted = False
        self._save_soon()
        self.events.emit(Event(EventType.REGISTRATION, station_id, data={"status": status, "previous": previous}))

    def record_heartbeat(self, station_id: str) -> None:
        station = self.station(station_id)
        station.last_heartbeat = utcnow()
        self.events.emit(Event(EventType.STATION_UPDATED, station_id))

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
        station = self.station(station_id)
        target: Station | Connector = station if connector_id == 0 else self.connector(station, connector_id)
        if target.status == "Reserved" and status in _RESERVATION_OVER and target.reservation is not None:
            # the charger ended the reservation (used elsewhere, expired or cancelled at the charger)
            self._drop_reservation(station, target, "ended")
        target.status = status
        target.error_code = error_code
        target.info = info or None
        target.vendor_error_code = vendor_error_code or None
        if isinstance(target, Connector):
            target.status_time = timestamp
            self.events.emit(Event(EventType.CONNECTOR_UPDATED, station_id, connector_id))
        else:
            self.events.emit(Event(EventType.STATION_UPDATED, station_id))

    # ---- meter values ------------------------------------------------------

    def record_samples(
        self, station_id: str, connector_id: int, samples: Iterable[MeterSample], transaction_id: str | None = None
    ) -> None:
        """Keep the newest reading per measurand and phase; older (replayed) samples do not overwrite."""
        station = self.station(station_id)
        target: Station | Connector = station if connector_id == 0 else self.connector(station, connector_id)
        readings = target.readings
        samples = list(samples)
        tx = target.transaction if isinstance(target, Connector) else None
        if tx is not None and transaction_id is not None and tx.transaction_id != transaction_id:
            tx = None  # a sample from another (old or placeholder) transaction
        changed = False
        for sample in samples:
            key = (sample.measurand, sample.phase)
            current = readings.get(key)
            if current is None or sample.timestamp >= current.timestamp:
                readings[key] = sample
                changed = True
                if sample.measurand == ENERGY_IMPORT_REGISTER and sample.phase is None:
                    if tx is not None and (tx.meter_last_wh is None or sample.value > tx.meter_last_wh):
                        tx.meter_last_wh = sample.value  # a register only grows: a lower one never lowers the session's
                    if isinstance(target, Connector):
                        target.update_register(sample.value)
                        self._save_soon()  # the lifetime count survives restarts
        if changed:
            if tx is not None:
                self._save_soon()
            self._note_phases(station, samples)
            if isinstance(target, Connector):
                self.events.emit(Event(EventType.CONNECTOR_UPDATED, station_id, connector_id))
            else:
                self.events.emit(Event(EventType.STATION_UPDATED, station_id))

    def _note_phases(self, station: Station, samples: Iterable[MeterSample]) -> None:
        """A current on L2 / L3: the charger is wired for 3 phases (limit_profiles.phases), for good.

        Announced as SETTINGS_CHANGED "phases": the limits in watts and the power numbers' range follow."""
        if station.measured_phases == 3:
            return
        if any(s.measurand == "Current.Import" and s.phase in ("L2", "L3") and s.value > 0 for s in samples):
            station.measured_phases = 3
            self._save_soon()
            self.events.emit(
                Event(EventType.SETTINGS_CHANGED, station.station_id, data={"changed": ["phases"], "measured": True})
            )

    # ---- transactions ----------------------------------------------------

    def allocate_transaction_id(self) -> int:
        """A transaction id never handed out before (persisted by the next save_now)."""
        tx_id = self._next_transaction_id
        # stays within int32, as 1.6 chargers expect
        self._next_transaction_id = tx_id + 1 if tx_id < _INT32_MAX else 1
        return tx_id

    def transactions(
        self, station_id: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Open and ended (kept) transactions meeting [since, until], oldest start first."""
        since, until = as_utc(since), as_utc(until)
        found = list(self.history.query(station_id, since, until))
        if station_id is None:
            stations: Iterable[Station] = self.stations.values()
        else:
            stations = [self.stations[station_id]] if station_id in self.stations else []
        for station in stations:
            for connector in station.connectors.values():
                tx = connector.transaction
                if tx is not None and overlaps(tx.start_time, None, since, until):
                    found.append((tx.start_time, transaction_record(station.station_id, tx)))
        found.sort(key=lambda item: item[0])
        return [record for _, record in found]

    async def start_transaction(
        self,
        station_id: str,
        connector_id: int,
        transaction_id: str,
        id_tag: str | None,
        meter_start_wh: float,
        timestamp: datetime,
    ) -> Transaction:
        tx = Transaction(transaction_id, connector_id, id_tag, timestamp, meter_start_wh, meter_last_wh=meter_start_wh)
        # chargers that send no meter values report their register here only (open-ocpp)
        self.connector(self.station(station_id), connector_id).advance_register(meter_start_wh)
        await self.open_transaction(station_id, tx)
        return tx

    async def open_transaction(self, station_id: str, tx: Transaction) -> None:
        """Put a new transaction on its connector (closing one left open there), saved before the answer."""
        station = self.station(station_id)
        connector = self.connector(station, tx.connector_id)
        previous = connector.transaction
        if previous is not None and previous.transaction_id != tx.transaction_id:
            self.logs.log(
                _LOGGER,
                logging.INFO,
                station_id,
                "%s: transaction %s on connector %s closed by a new start",
                station_id,
                previous.transaction_id,
                tx.connector_id,
            )
            self._end(station, connector, previous, previous.meter_last_wh, tx.start_time, "Other")
        connector.transaction = tx
        await self.save_now()
        self.events.emit(Event(EventType.TRANSACTION_STARTED, station_id, tx.connector_id, tx.to_dict()))

    def find_open_transaction(self, station_id: str, transaction_id: str) -> Connector | None:
        station = self.stations.get(station_id)
        if station is None:
            return None
        for connector in station.connectors.values():
            if connector.transaction is not None and connector.transaction.transaction_id == transaction_id:
                return connector
        return None

    async def stop_transaction(
        self,
        station_id: str,
        transaction_id: str,
        meter_stop_wh: float | None,
        timestamp: datetime,
        reason: str | None,
    ) -> Transaction | None:
        """Close a transaction; None when it is unknown (already closed, or never seen)."""
        station = self.station(station_id)
        connector = self.find_open_transaction(station_id, transaction_id)
        if connector is None or connector.transaction is None:
            self.logs.log(
                _LOGGER,
                logging.INFO,
                station_id,
                "%s: stop of unknown transaction %s recorded as is",
                station_id,
                transaction_id,
            )
            if self.unsaved:
                await self.save_now()  # perhaps the retry of a stop whose write failed: written before the answer
            self.events.emit(
                Event(
                    EventType.TRANSACTION_ENDED,
                    station_id,
                    None,
                    {
                        "transaction_id": transaction_id,
                        "stop_reason": reason,
                        "meter_stop_wh": meter_stop_wh,
                        "known": False,
                    },
                )
            )
            return None
        if meter_stop_wh is not None and meter_stop_wh >= connector.transaction.meter_start_wh:
            connector.advance_register(meter_stop_wh)  # a meterStop below the start is no register
        tx = self._end(station, connector, connector.transaction, meter_stop_wh, timestamp, reason)
        await self.save_now()
        return tx

    def _end(
        self,
        station: Station,
        connector: Connector,
        tx: Transaction,
        meter_stop_wh: float | None,
        timestamp: datetime,
        reason: str | None,
    ) -> Transaction:
        tx.stop_time = timestamp
        if tx.set_meter_stop(meter_stop_wh) is not None:
            _LOGGER.warning(
                "%s: transaction %s ended with a meter reading of %s Wh, lower than its last reading (%s Wh);"
                " its energy stays what the meter showed last",
                station.station_id, tx.transaction_id, meter_stop_wh, tx.meter_stop_wh,
            )  # fmt: skip
        tx.stop_reason = reason or "Local"
        connector.transaction = None
        connector.last_transaction = tx
        connector.last_stop_reason = tx.stop_reason
        station.counters.sessions += 1
        for hook in self.ending_hooks:
            try:
                hook(station.station_id, connector, tx)
            except Exception:
                _LOGGER.exception("%s: a hook failed as transaction %s ended", station.station_id, tx.transaction_id)
        self.history.add(station.station_id, tx)
        data = tx.to_dict()
        data["energy_wh"] = tx.energy_wh
        data["known"] = True
        self.events.emit(Event(EventType.TRANSACTION_ENDED, station.station_id, connector.connector_id, data))
        return tx

    # ---- reservations ------------------------------------------------------

    def allocate_reservation_id(self) -> int:
        """A reservation id never handed out before, nor held by a reservation (persisted with the next save)."""
        in_use = {r.reservation_id for s in self.stations.values() for r in s.reservations(include_expired=True)}
        while True:
            reservation_id = self._next_reservation_id
            self._next_reservation_id = reservation_id + 1 if reservation_id < _INT32_MAX else 1
            if reservation_id not in in_use:
                break
        self._save_soon()
        return reservation_id

    def set_reservation(self, station_id: str, reservation: Reservation) -> None:
        """The charger accepted a reservation; one with the same id elsewhere is replaced, as in OCPP."""
        station = self.station(station_id)
        self.remove_reservation(station_id, reservation.reservation_id, "replaced")
        holder = station if reservation.connector_id == 0 else self.connector(station, reservation.connector_id)
        holder.reservation = reservation
        self._save_soon()
        self.events.emit(
            Event(
                EventType.RESERVATION,
                station_id,
                reservation.connector_id,
                _reservation_data(reservation, True, "reserved"),
            )
        )
        self._schedule_expiry(station_id)

    def remove_reservation(self, station_id: str, reservation_id: int, reason: str) -> bool:
        """Forget a reservation (cancelled, used, replaced); False when there was none with that id."""
        station = self.stations.get(station_id)
        if station is None:
            return False
        for reservation in station.reservations(include_expired=True):
            if reservation.reservation_id == reservation_id:
                holder = station.reservation_holder(reservation.connector_id)
                if holder is not None:
                    self._drop_reservation(station, holder, reason)
                    return True
        return False

    def expire_reservations(self, station_id: str) -> None:
        """Clear the station's expired reservations (at their expiry, and on any message of the station)."""
        station = self.stations.get(station_id)
        if station is None:
            return
        now = utcnow()
        for reservation in station.reservations(include_expired=True):
            holder = station.reservation_holder(reservation.connector_id)
            if holder is not None and reservation.expired(now):
                self._drop_reservation(station, holder, "expired")
        self._schedule_expiry(station_id)

    def _drop_reservation(self, station: Station, holder: Station | Connector, reason: str) -> None:
        reservation = holder._reservation
        if reservation is None:
            return
        holder.reservation = None
        if isinstance(holder, Connector):
            holder.reservation_end = reason
        self._save_soon()
        self.events.emit(
            Event(
                EventType.RESERVATION,
                station.station_id,
                reservation.connector_id,
                _reservation_data(reservation, False, reason),
            )
        )
        self._schedule_expiry(station.station_id)

    def _schedule_expiry(self, station_id: str) -> None:
        timer = self._expiry_timers.pop(station_id, None)
        if timer is not None:
            timer.cancel()
        station = self.stations.get(station_id)
        stored = station.reservations(include_expired=True) if station is not None else []
        if not stored:
            self.reservation_deadlines.pop(station_id, None)
            return
        deadline = min(r.expiry_date for r in stored)
        self.reservation_deadlines[station_id] = deadline
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a synchronous caller): the next message of the station clears it
        delay = (deadline - utcnow() + timedelta(milliseconds=5)).total_seconds()
        self._expiry_timers[station_id] = loop.call_later(max(0.0, delay), self.expire_reservations, station_id)


def _reservation_data(reservation: Reservation, active: bool, reason: str) -> dict[str, Any]:
    data = reservation.to_dict()
    data["active"] = active
    data["reason"] = reason
    return data
