"""Ended transactions, newest last, bounded; and the one record format open and ended ones share."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ..model.transaction import Transaction


def transaction_record(station_id: str, tx: Transaction) -> dict[str, Any]:
    """A transaction as `CentralSystem.transactions` hands it out (JSON-ready).

    OCPP 2.1 stations that calculate costs add total_cost, currency and tariff_id (when they sent them);
    a session priced by the central system's tariff has its cost (features/pricing).
    """
    record = {
        "station_id": station_id,
        "connector_id": tx.connector_id,
        "transaction_id": tx.transaction_id,
        "id_tag": tx.id_tag,
        "start_time": tx.start_time.isoformat(),
        "stop_time": tx.stop_time.isoformat() if tx.stop_time is not None else None,
        "meter_start_wh": tx.meter_start_wh,
        "meter_stop_wh": tx.meter_stop_wh,
        "energy_wh": tx.energy_wh,
        "stop_reason": tx.stop_reason,
        "open": tx.is_open,
    }
    for key in ("total_cost", "currency", "tariff_id", "anomaly", "reported_meter_stop_wh", "cost"):
        if getattr(tx, key) is not None:
            record[key] = getattr(tx, key)
    return record


def as_utc(value: datetime | None) -> datetime | None:
    """A bound for comparisons: naive datetimes are taken as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def overlaps(start: datetime, stop: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    """Whether [start, stop] (stop None = still open) meets [since, until] (None = unbounded)."""
    if until is not None and start > until:
        return False
    return since is None or stop is None or stop >= since


class TransactionHistory:
    """Ended transactions as records; the oldest go first once `size` is reached."""

    def __init__(self, size: int) -> None:
        # (start, stop, record): the datetimes parsed once, for filtering
        self._ended: deque[tuple[datetime, datetime, dict[str, Any]]] = deque(maxlen=max(0, size))

    def __len__(self) -> int:
        return len(self._ended)

    def add(self, station_id: str, tx: Transaction) -> None:
        assert tx.stop_time is not None
        self._ended.append((tx.start_time, tx.stop_time, transaction_record(station_id, tx)))

    def query(
        self, station_id: str | None, since: datetime | None, until: datetime | None
    ) -> Iterator[tuple[datetime, dict[str, Any]]]:
        """(start, a copy of the record) of the matching ended transactions."""
        for start, stop, record in self._ended:
            if (station_id is None or record["station_id"] == station_id) and overlaps(start, stop, since, until):
                yield start, dict(record)

    def resize(self, size: int) -> None:
        """Keep at most `size` sessions from now on (the oldest go first)."""
        self._ended = deque(self._ended, maxlen=max(0, size))

    def forget(self, station_id: str) -> None:
        """Drop every session of one station (the user removed it)."""
        kept = [entry for entry in self._ended if entry[2].get("station_id") != station_id]
        self._ended.clear()
        self._ended.extend(kept)

    def snapshot(self) -> list[dict[str, Any]]:
        return [record for _, _, record in self._ended]

    def load(self, records: list[dict[str, Any]]) -> None:
        self._ended.clear()
        for record in records:
            start = datetime.fromisoformat(record["start_time"])
            stop = datetime.fromisoformat(record["stop_time"])
            self._ended.append((start, stop, dict(record)))

    def find(self, station_id: str, transaction_id: str) -> dict[str, Any] | None:
        """The kept record of an ended transaction (the newest with that id), or None."""
        for entry in reversed(self._ended):
            record: dict[str, Any] = entry[2]
            if record["transaction_id"] == transaction_id and record["station_id"] == station_id:
                return record
        return None
