"""Transactions: opened on their connector, closed into the bounded history, queried.

Transactions and the transaction id counter are written through to persistence
before the charger gets its answer, so a crash cannot hand out a transaction id
twice or forget a running session.  `close` is the one way a transaction goes
into the history (a 1.6 stop, a 2.x Ended, one closed by a new start, or an
Ended of a transaction never seen open).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ..model.events import Event, EventType
from ..model.station import Connector, Station
from ..model.transaction import Transaction
from .history import TransactionHistory, as_utc, overlaps, transaction_record
from .store import StateStore

_LOGGER = logging.getLogger(__name__)


class Transactions:
    """Open transactions on their connectors, ended ones in the history (persisted as its section)."""

    def __init__(self, store: StateStore, history_size: int) -> None:
        self._store = store
        self.history = TransactionHistory(history_size)
        store.register_section("history", lambda data: self.history.load(data or []), self.history.snapshot)
        # called as a transaction closes, before it goes into the history (pricing puts its final cost on it)
        self.ending_hooks: list[Callable[[str, Connector, Transaction], None]] = []

    def allocate_id(self) -> int:
        """A transaction id never handed out before (persisted by the save before the answer)."""
        return self._store.next_id("transaction")

    def query(
        self, station_id: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Open and ended (kept) transactions meeting [since, until], oldest start first."""
        since, until = as_utc(since), as_utc(until)
        found = list(self.history.query(station_id, since, until))
        stations_by_id = self._store.stations
        if station_id is None:
            stations: Iterable[Station] = stations_by_id.values()
        else:
            stations = [stations_by_id[station_id]] if station_id in stations_by_id else []
        for station in stations:
            for connector in station.connectors.values():
                tx = connector.transaction
                if tx is not None and overlaps(tx.start_time, None, since, until):
                    found.append((tx.start_time, transaction_record(station.station_id, tx)))
        found.sort(key=lambda item: item[0])
        return [record for _, record in found]

    def find_open(self, station_id: str, transaction_id: str) -> Connector | None:
        """The connector with that transaction open, or None."""
        station = self._store.stations.get(station_id)
        if station is None:
            return None
        for connector in station.connectors.values():
            if connector.transaction is not None and connector.transaction.transaction_id == transaction_id:
                return connector
        return None

    async def start(
        self,
        station_id: str,
        connector_id: int,
        transaction_id: str,
        id_tag: str | None,
        meter_start_wh: float,
        timestamp: datetime,
    ) -> Transaction:
        """A 1.6 StartTransaction: the session opened and saved."""
        tx = Transaction(transaction_id, connector_id, id_tag, timestamp, meter_start_wh, meter_last_wh=meter_start_wh)
        # chargers that send no meter values report their register here only (open-ocpp)
        self._store.connector(self._store.station(station_id), connector_id).advance_register(meter_start_wh)
        await self.open(station_id, tx)
        return tx

    async def open(self, station_id: str, tx: Transaction) -> None:
        """Put a new transaction on its connector (closing one left open there), saved before the answer."""
        station = self._store.station(station_id)
        connector = self._store.connector(station, tx.connector_id)
        previous = connector.transaction
        if previous is not None and previous.transaction_id != tx.transaction_id:
            self._store.logs.log(
                _LOGGER,
                logging.INFO,
                station_id,
                "%s: transaction %s on connector %s closed by a new start",
                station_id,
                previous.transaction_id,
                tx.connector_id,
            )
            self.close(station, connector, previous, previous.meter_last_wh, tx.start_time, "Other")
        connector.transaction = tx
        await self._store.save_now()
        self._store.events.emit(Event(EventType.TRANSACTION_STARTED, station_id, tx.connector_id, tx.to_dict()))

    async def stop(
        self,
        station_id: str,
        transaction_id: str,
        meter_stop_wh: float | None,
        timestamp: datetime,
        reason: str | None,
    ) -> Transaction | None:
        """A 1.6 StopTransaction, saved before the answer; None when it is unknown (already closed, or never seen)."""
        station = self._store.station(station_id)
        connector = self.find_open(station_id, transaction_id)
        if connector is None or connector.transaction is None:
            self._store.logs.log(
                _LOGGER,
                logging.INFO,
                station_id,
                "%s: stop of unknown transaction %s recorded as is",
                station_id,
                transaction_id,
            )
            if self._store.unsaved:
                await (
                    self._store.save_now()
                )  # perhaps the retry of a stop whose write failed: written before the answer
            self._store.events.emit(
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
        tx = self.close(station, connector, connector.transaction, meter_stop_wh, timestamp, reason)
        await self._store.save_now()
        return tx

    def close(
        self,
        station: Station,
        connector: Connector,
        tx: Transaction,
        meter_stop_wh: float | None,
        timestamp: datetime,
        reason: str | None,
    ) -> Transaction:
        """Close a transaction into the history and announce it (TRANSACTION_ENDED).

        Known (open on `connector`): it leaves the connector, and a closing reading far below its last one
        is not trusted (kept apart as its anomaly).  Unknown (an Ended of a transaction never seen open):
        recorded as the charger sent it, the connector's open transaction untouched."""
        known = connector.transaction is tx
        tx.stop_time = timestamp
        if not known:
            tx.meter_stop_wh = meter_stop_wh if meter_stop_wh is not None else tx.meter_last_wh
        elif tx.set_meter_stop(meter_stop_wh) is not None:
            _LOGGER.warning(
                "%s: transaction %s ended with a meter reading of %s Wh, lower than its last reading (%s Wh);"
                " its energy stays what the meter showed last",
                station.station_id, tx.transaction_id, meter_stop_wh, tx.meter_stop_wh,
            )  # fmt: skip
        tx.stop_reason = reason or "Local"
        if known:
            connector.transaction = None
            connector.last_stop_reason = tx.stop_reason
        if connector.transaction is None:
            connector.last_transaction = tx
        station.counters.sessions += 1
        for hook in self.ending_hooks:
            try:
                hook(station.station_id, connector, tx)
            except Exception:
                _LOGGER.exception("%s: a hook failed as transaction %s ended", station.station_id, tx.transaction_id)
        self.history.add(station.station_id, tx)
        data = tx.to_dict()
        data["energy_wh"] = tx.energy_wh
        data["known"] = known
        self._store.events.emit(Event(EventType.TRANSACTION_ENDED, station.station_id, connector.connector_id, data))
        return tx
