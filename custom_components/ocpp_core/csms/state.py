"""The domain state of the central system and the operations adapters apply to it.

Adapters translate version-specific messages into these calls; every change
is announced on the event bus.  Transactions and id counters are written
through to persistence before the charger gets its answer, so a crash cannot
hand out a transaction id twice or forget a running session.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .events import Event, EventBus, EventType
from .model import ENERGY_IMPORT_REGISTER, Connector, MeterSample, Station, Transaction
from .persistence import Persistence
from .rpc_types import OcppVersion
from .timeutil import utcnow

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1


class CentralState:
    """Stations, connectors and transactions, with their persistence."""

    def __init__(self, persistence: Persistence, events: EventBus) -> None:
        self.stations: dict[str, Station] = {}
        self.events = events
        self._persistence = persistence
        self._next_transaction_id = 1

    # ---- persistence -----------------------------------------------------

    async def load(self) -> None:
        data = await self._persistence.async_load() or {}
        self._next_transaction_id = int(data.get("next_transaction_id", 1))
        for station_id, station_data in data.get("stations", {}).items():
            station = Station.from_dict(station_id, station_data)
            for tx_data in station_data.get("open_transactions", []):
                tx = Transaction.from_dict(tx_data)
                station.connectors.setdefault(tx.connector_id, Connector(tx.connector_id)).transaction = tx
            self.stations[station_id] = station

    def snapshot(self) -> dict[str, Any]:
        """Everything persisted, as JSON-ready data."""
        stations: dict[str, Any] = {}
        for station_id, station in self.stations.items():
            data = station.to_dict()
            data["open_transactions"] = [
                c.transaction.to_dict() for c in station.connectors.values() if c.transaction is not None
            ]
            stations[station_id] = data
        return {"version": STORAGE_VERSION, "next_transaction_id": self._next_transaction_id, "stations": stations}

    def _save_soon(self) -> None:
        self._persistence.schedule_save(self.snapshot)

    async def save_now(self) -> None:
        await self._persistence.async_save(self.snapshot())

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

    def set_connected(self, station_id: str, version: OcppVersion | None, connected: bool) -> None:
        station = self.station(station_id)
        station.connected = connected
        if version is not None:
            station.ocpp_version = version
        if not connected:
            station.booted = False
        self.events.emit(Event(EventType.CONNECTED if connected else EventType.DISCONNECTED, station_id))

    def record_boot(self, station_id: str, identity: dict[str, str | None]) -> None:
        station = self.station(station_id)
        for key, value in identity.items():
            setattr(station, key, value)
        station.booted = True
        station.last_boot = utcnow()
        self._save_soon()
        self.events.emit(Event(EventType.BOOTED, station_id, data=dict(identity)))

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
                if tx is not None and sample.measurand == ENERGY_IMPORT_REGISTER and sample.phase is None:
                    tx.meter_last_wh = sample.value
        if changed:
            if tx is not None:
                self._save_soon()
            if isinstance(target, Connector):
                self.events.emit(Event(EventType.CONNECTOR_UPDATED, station_id, connector_id))
            else:
                self.events.emit(Event(EventType.STATION_UPDATED, station_id))

    # ---- transactions ----------------------------------------------------

    def allocate_transaction_id(self) -> int:
        """A transaction id never handed out before (persisted by the next save_now)."""
        tx_id = self._next_transaction_id
        # stays within int32, as 1.6 chargers expect
        self._next_transaction_id = tx_id + 1 if tx_id < 2_147_483_647 else 1
        return tx_id

    async def start_transaction(
        self,
        station_id: str,
        connector_id: int,
        transaction_id: str,
        id_tag: str | None,
        meter_start_wh: float,
        timestamp: datetime,
    ) -> Transaction:
        station = self.station(station_id)
        connector = self.connector(station, connector_id)
        previous = connector.transaction
        if previous is not None and previous.transaction_id != transaction_id:
            _LOGGER.info(
                "%s: transaction %s on connector %s closed by a new start",
                station_id,
                previous.transaction_id,
                connector_id,
            )
            self._end(station, connector, previous, previous.meter_last_wh, timestamp, "Other")
        tx = Transaction(transaction_id, connector_id, id_tag, timestamp, meter_start_wh, meter_last_wh=meter_start_wh)
        connector.transaction = tx
        await self.save_now()
        self.events.emit(Event(EventType.TRANSACTION_STARTED, station_id, connector_id, tx.to_dict()))
        return tx

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
            _LOGGER.info("%s: stop of unknown transaction %s recorded as is", station_id, transaction_id)
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
        tx.meter_stop_wh = meter_stop_wh if meter_stop_wh is not None else tx.meter_last_wh
        tx.stop_reason = reason or "Local"
        connector.transaction = None
        data = tx.to_dict()
        data["energy_wh"] = tx.energy_wh
        data["known"] = True
        self.events.emit(Event(EventType.TRANSACTION_ENDED, station.station_id, connector.connector_id, data))
        return tx
