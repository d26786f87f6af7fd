"""csms's Persistence on SQLite: WAL, migrations, each save a diff of rows written in one worker thread.

A save the central system waits for (`async_save`: a transaction's start or stop, before the charger's answer)
is committed with synchronous=FULL; a debounced one (`schedule_save`) with synchronous=NORMAL, which WAL keeps
through a crash of the process (only a power loss may cost its last commit).  A save that fails (disk full,
read-only file) is logged and retried: `async_save` a few times before it raises (the charger gets an error, not
an answer it cannot rely on), a scheduled one until it succeeds.  What failed stays in memory and goes into the
next save, as the diff is taken against what was written.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..central_import import csms
from . import rows
from .errors import StoreError
from .schema import migrate

_LOGGER = logging.getLogger(__name__)

# seconds between a change and its (debounced) write
SAVE_DELAY = 1.0
# an immediate save is tried again after these pauses before it fails
SAVE_RETRIES = (0.05, 0.25, 1.0)
# a failed scheduled save is retried after this many seconds, doubling up to the maximum
RETRY_DELAY = 2.0
RETRY_DELAY_MAX = 60.0

Change = tuple[str, str, str | None, int | None]  # (table, key, text or None to delete, position)
# (station id, transaction id, its start time, the reading's time, energy Wh, power W or None)
Sample = tuple[str, str, str, str, float, float | None]


def describe(err: sqlite3.Error) -> str:
    """What the operator can do about an SQLite error."""
    text = str(err)
    if isinstance(err, sqlite3.OperationalError) and "full" in text:
        return f"{text}: the disk (or the database's size limit) is full; free some space"
    if "readonly" in text:
        return f"{text}: the file or its folder is not writable by this app"
    if isinstance(err, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
        return f"{text}: the file is damaged; move it away to start afresh, or restore it from a backup"
    return text


class SqliteStore(csms.Persistence):
    """The add-on's store: `await open()`, then hand it to CentralSystem; `await close()` at the end."""

    def __init__(self, path: Path, save_delay: float = SAVE_DELAY, max_page_count: int | None = None) -> None:
        self.path = path
        self.save_delay = save_delay
        # the database's size limit in pages (tests make the disk "full" with it)
        self._max_page_count = max_page_count
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocpp-store")
        self._local = threading.local()
        self._lock = asyncio.Lock()
        self._written: dict[rows.RowKey, str] = {}
        self._next_position = 0
        self._pending: Callable[[], dict[str, Any]] | None = None
        # meter samples not written yet: they go with the next save (csms schedules one for every reading)
        self._samples: list[Sample] = []
        # chargers' recent frames to write with the next save: station id -> (time, direction, frame)
        self._frames: dict[str, list[tuple[float, str, str]]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._retry_delay = RETRY_DELAY
        self._failing = False
        self.writes = 0
        self._closed = False
        # threads the SQL ran on (the event loop's must never be one)
        self.threads: set[int] = set()

    # ---- life cycle --------------------------------------------------------

    async def open(self) -> int:
        """Open (or create) the database and bring its schema up to date; the schema version it had."""
        return await self._run(self._open)

    async def close(self) -> None:
        """Write what is scheduled, then close the connection (SIGTERM, the end of a test); once."""
        if self._closed:
            return
        await self.flush()
        self._closed = True
        await self._run(self._close)
        self._executor.shutdown(wait=True)

    async def set_max_page_count(self, pages: int) -> None:
        """Change the size limit (tests: the disk is full, then has room again)."""
        self._max_page_count = pages
        await self._run(lambda: self._db().execute(f"PRAGMA max_page_count = {int(pages)}"))

    # ---- Persistence -------------------------------------------------------

    async def async_load(self) -> dict[str, Any] | None:
        return await self._run(self._load)

    async def async_save(self, data: dict[str, Any]) -> None:
        if self._pending is not None:
            self._cancel_timer()  # this save carries everything scheduled too
            self._pending = None
        async with self._lock:
            changes = self._diff(data)
            for attempt, pause in enumerate((*SAVE_RETRIES, None)):
                try:
                    await self._write(changes, durable=True)
                except StoreError as err:
                    if pause is None:
                        _LOGGER.error("Not saved (%s): the charger gets an error instead of its answer", err)
                        self._retry_later(lambda: data)
                        raise
                    if attempt == 0:
                        _LOGGER.warning("Saving failed (%s); trying again", err)
                    await asyncio.sleep(pause)
                else:
                    self._saved(data, changes)
                    return

    def schedule_save(self, data_fn: Callable[[], dict[str, Any]]) -> None:
        self._pending = data_fn
        if self._timer is None and (self._task is None or self._task.done()):
            self._timer = asyncio.get_running_loop().call_later(self.save_delay, self._start_scheduled)

    def add_sample(self, sample: Sample) -> None:
        """A session's reading, written with the next save (a kill -9 may cost the last second of them;
        the session's energy is its transaction's, written before the charger's answer)."""
        self._samples.append(sample)

    def set_frames(self, station_id: str, frames: list[tuple[float, str, str]]) -> None:
        """A charger's message log as it is now, written (in place of the one before) with the next save."""
        self._frames[station_id] = frames

    async def flush(self) -> None:
        """Write what is scheduled now (a clean shutdown); raises StoreError when that fails."""
        self._cancel_timer()
        if self._task is not None and not self._task.done():
            await asyncio.shield(self._task)
        if self._pending is not None:
            data_fn, self._pending = self._pending, None
            try:
                await self.async_save(data_fn())
            except StoreError:
                self._pending = data_fn
                raise

    # ---- scheduled saves ---------------------------------------------------

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _start_scheduled(self) -> None:
        self._timer = None
        self._task = asyncio.get_running_loop().create_task(self._scheduled_save(), name="ocpp-store-save")

    async def _scheduled_save(self) -> None:
        data_fn, self._pending = self._pending, None
        if data_fn is None:
            return
        data = data_fn()
        async with self._lock:
            changes = self._diff(data)
            try:
                await self._write(changes, durable=False)
            except StoreError as err:
                if not self._failing:
                    _LOGGER.error("Not saved (%s); kept in memory and tried again", err)
                self._retry_later(data_fn)
                return
            self._saved(data, changes)
        if self._pending is not None and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.save_delay, self._start_scheduled)

    def _retry_later(self, data_fn: Callable[[], dict[str, Any]]) -> None:
        """Write again after a pause (doubling while it fails), unless a newer save comes first: what
        failed is never dropped, even when the central system saves nothing more."""
        if self._pending is None:
            self._pending = data_fn  # anything newer replaces it (the diff is against what was written)
        self._failing = True
        self._cancel_timer()
        delay, self._retry_delay = self._retry_delay, min(self._retry_delay * 2, RETRY_DELAY_MAX)
        self._timer = asyncio.get_running_loop().call_later(delay, self._start_scheduled)

    def _saved(self, data: dict[str, Any], changes: list[Change]) -> None:
        for table, key, text, position in changes:
            if text is None:
                self._written.pop((table, key), None)
            else:
                self._written[(table, key)] = text
            if position is not None:
                self._next_position = max(self._next_position, position + 1)
        self.writes += 1
        self._retry_delay = RETRY_DELAY
        if self._failing:
            self._failing = False
            _LOGGER.warning("Saving works again: everything kept in memory meanwhile is written")

    def _diff(self, data: dict[str, Any]) -> list[Change]:
        """The rows to write or delete to make the database hold `data`."""
        new = rows.split(data)
        changes: list[Change] = []
        position = self._next_position
        for row_key, text in new.items():
            old = self._written.get(row_key)
            if old == text:
                continue
            table, key = row_key
            row_position = None
            if table == "transactions" and not rows.is_open(text) and (old is None or rows.is_open(old)):
                row_position, position = position, position + 1  # newly ended: after every one before
            elif table == "transactions":
                row_position = -1  # keep the position it has
            changes.append((table, key, text, row_position))
        changes.extend((table, key, None, None) for table, key in self._written.keys() - new.keys())
        return changes

    # ---- the worker thread -------------------------------------------------

    async def _run[T](self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    def _db(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            raise StoreError(f"{self.path}: the store is not open")
        return connection

    def _open(self) -> int:
        self.threads.add(threading.get_ident())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot open the database ({describe(err)})") from err
        try:
            check = connection.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({check})")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            if self._max_page_count is not None:
                connection.execute(f"PRAGMA max_page_count = {int(self._max_page_count)}")
            version = migrate(connection)
            # a write at every start: a file that cannot be written fails now, not at the first session
            connection.execute(
                "INSERT INTO meta (key, value) VALUES ('opened', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (datetime.now(UTC).isoformat(),),
            )
        except (sqlite3.Error, ValueError) as err:
            connection.close()
            text = describe(err) if isinstance(err, sqlite3.Error) else str(err)
            raise StoreError(f"{self.path}: cannot use the database ({text})") from err
        self._local.connection = connection
        return version

    def _close(self) -> None:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def _load(self) -> dict[str, Any] | None:
        db = self._db()
        try:
            document = db.execute("SELECT key, value FROM document").fetchall()
            stations = db.execute("SELECT id, data FROM stations").fetchall()
            transactions = db.execute(
                "SELECT station_id, transaction_id, start_time, open, position, record FROM transactions"
                " ORDER BY position"
            ).fetchall()
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read the database ({describe(err)})") from err
        self._written = {("document", key): value for key, value in document}
        self._written.update((("stations", key), value) for key, value in stations)
        history = []
        for station_id, transaction_id, start_time, is_open, position, record in transactions:
            self._written[("transactions", rows.transaction_key(station_id, transaction_id, start_time))] = record
            if not is_open:
                history.append(record)
                self._next_position = max(self._next_position, int(position) + 1)
        return rows.join(document, stations, history)

    async def _write(self, changes: list[Change], durable: bool) -> None:
        samples, self._samples = self._samples, []
        frames, self._frames = self._frames, {}
        try:
            await self._run(lambda: self._apply(changes, durable, samples, frames))
        except StoreError:
            self._samples[:0] = samples  # kept for the next try
            self._frames = {**frames, **self._frames}
            raise

    def _apply(
        self,
        changes: list[Change],
        durable: bool,
        samples: list[Sample] | None = None,
        frames: dict[str, list[tuple[float, str, str]]] | None = None,
    ) -> None:
        self.threads.add(threading.get_ident())
        if not changes and not samples and not frames:
            return
        db = self._db()
        try:
            db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            db.execute("BEGIN IMMEDIATE")
            if samples:
                db.executemany("INSERT OR IGNORE INTO meter_samples VALUES (?, ?, ?, ?, ?, ?)", samples)
            for station_id, log in (frames or {}).items():
                db.execute("DELETE FROM message_log WHERE station_id = ?", (station_id,))
                db.executemany(
                    "INSERT INTO message_log VALUES (?, ?, ?, ?, ?)",
                    [(station_id, seq, *entry) for seq, entry in enumerate(log)],
                )
            for table, key, text, position in changes:
                self._apply_one(db, table, key, text, position)
            db.execute("COMMIT")
        except sqlite3.Error as err:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: {describe(err)}") from err

    @staticmethod
    def _apply_one(db: sqlite3.Connection, table: str, key: str, text: str | None, position: int | None) -> None:
        if table == "transactions":
            station_id, transaction_id, start_time = rows.decode(key)
            if text is None:
                for sql in (
                    "DELETE FROM transactions WHERE station_id = ? AND transaction_id = ? AND start_time = ?",
                    "DELETE FROM meter_samples WHERE station_id = ? AND transaction_id = ? AND start_time = ?",
                ):
                    db.execute(sql, (station_id, transaction_id, start_time))
                return
            columns = rows.transaction_columns(text, None if position == -1 else position)
            db.execute(
                "INSERT INTO transactions (station_id, transaction_id, start_time, connector_id, id_tag, stop_time,"
                " meter_start_wh, meter_stop_wh, energy_wh, stop_reason, open, position, record)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (station_id, transaction_id, start_time) DO UPDATE SET"
                " connector_id = excluded.connector_id, id_tag = excluded.id_tag, stop_time = excluded.stop_time,"
                " meter_start_wh = excluded.meter_start_wh, meter_stop_wh = excluded.meter_stop_wh,"
                " energy_wh = excluded.energy_wh, stop_reason = excluded.stop_reason, open = excluded.open,"
                " position = coalesce(excluded.position, transactions.position), record = excluded.record",
                columns,
            )
            return
        column = "data" if table == "stations" else "value"
        key_column = "id" if table == "stations" else "key"
        if text is None:
            db.execute(f"DELETE FROM {table} WHERE {key_column} = ?", (key,))
            if table == "stations":  # a charger the user removed: its message log goes too
                db.execute("DELETE FROM message_log WHERE station_id = ?", (key,))
        else:
            db.execute(
                f"INSERT INTO {table} ({key_column}, {column}) VALUES (?, ?)"
                f" ON CONFLICT ({key_column}) DO UPDATE SET {column} = excluded.{column}",
                (key, text),
            )


def checkpoint(path: Path) -> tuple[int, int, int]:
    """PRAGMA wal_checkpoint(TRUNCATE): everything in the database file itself (the add-on's backup_pre)."""
    if not path.is_file():
        raise StoreError(f"{path}: no database there")
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            busy, log, checkpointed = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as err:
        raise StoreError(f"{path}: cannot checkpoint ({describe(err)})") from err
    if busy:
        raise StoreError(f"{path}: the checkpoint could not finish (the database is busy); try again")
    return busy, log, checkpointed
