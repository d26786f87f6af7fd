"""What both backends share: csms's Persistence as a diff of rows, written in one worker thread.

A save the central system waits for (`async_save`: a transaction's start or stop, before the charger's answer)
is written durably; a debounced one (`schedule_save`) may be cheaper (each backend says how).  A save that fails
(disk full, read-only file, the server gone) is logged and retried: `async_save` a few times before it raises (the
charger gets an error, not an answer it cannot rely on), a scheduled one until it succeeds.  What failed stays in
memory and goes into the next save, as the diff is taken against what was written.

A backend gives the connection (`_open`, `_close`), its queries (`_query`) and its transactions
(`_transaction`); the statements (sql.py) are the same for both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from ..central_import import csms
from . import journal, recorded, rows, sql
from .errors import StoreError

if TYPE_CHECKING:
    from ..journal import Entry

_LOGGER = logging.getLogger(__name__)

# seconds between a change and its (debounced) write
SAVE_DELAY = 1.0
# the frames of each charger's message log the store keeps (the newest)
MESSAGE_LOG_KEPT = 1000
# an immediate save is tried again after these pauses before it fails
SAVE_RETRIES = (0.05, 0.25, 1.0)
# a failed scheduled save is retried after this many seconds, doubling up to the maximum
RETRY_DELAY = 2.0
RETRY_DELAY_MAX = 60.0

Change = tuple[str, str, str | None, int | None]  # (table, key, text or None to delete, position)
# a Change's position for an ended transaction csms dropped from its history: kept in the table, not loaded
KEEP = -2
# (station id, transaction id, its start time, the reading's time, energy Wh, power W or None)
Sample = tuple[str, str, str, str, float, float | None]
Frames = dict[str, list[tuple[float, str, str]]]  # station id -> its recent (time, direction, frame)
_ENCODE = msgspec.json.Encoder().encode


class Writer(Protocol):
    """What a backend's transaction hands out: DB-API's execute / executemany with `?` placeholders."""

    def execute(self, statement: str, params: Sequence[Any] = ..., /) -> Any: ...

    def executemany(self, statement: str, params: Sequence[Sequence[Any]], /) -> Any: ...


class RowStore(csms.Persistence, ABC):
    """A store: `await open()`, then hand it to CentralSystem; `await close()` at the end."""

    # the backend's SQL for a column's (or a parameter's) ISO time as a comparable time
    TIME_SQL = "julianday({})"

    def __init__(self, name: str, save_delay: float = SAVE_DELAY, message_log_kept: int = MESSAGE_LOG_KEPT) -> None:
        # what messages call the database (a file's path, a server's URL without its password)
        self.name = name
        self.save_delay = save_delay
        self.message_log_kept = message_log_kept
        # (worker thread) each charger's next message-log seq
        self._next_seq: dict[str, int] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocpp-store")
        self._local = threading.local()
        self._lock = asyncio.Lock()
        self._written: dict[rows.RowKey, str] = {}
        self._next_position = 0
        self._pending: Callable[[], dict[str, Any]] | None = None
        # meter samples not written yet: they go with the next save (csms schedules one for every reading)
        self._samples: list[Sample] = []
        # chargers' frames not written yet (the newest `message_log_kept` of each)
        self._frames: Frames = {}
        # the event journal's entries not written yet (they go with the next save), the last seq handed out
        self._entries: list[Entry] = []
        self._last_seq = 0
        self.journal_days = journal.RETENTION_DAYS
        self.journal_count = journal.RETENTION_COUNT
        self._pruned_at = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._retry_delay = RETRY_DELAY
        self._failing = False
        self.writes = 0
        self._closed = False
        # threads the SQL ran on (the event loop's must never be one)
        self.threads: set[int] = set()

    # ---- the backend -------------------------------------------------------

    @abstractmethod
    def _open(self) -> int:
        """(worker thread) Connect, bring the schema up to date, write once; the schema version it had."""

    @abstractmethod
    def _close(self) -> None:
        """(worker thread) Close the connection, if open."""

    @abstractmethod
    def _query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """(worker thread) The rows of a SELECT (`?` placeholders); StoreError when it fails."""

    @abstractmethod
    def _transaction(self, durable: bool) -> contextlib.AbstractContextManager[Writer]:
        """(worker thread) One transaction, committed at the end (rolled back on an error, raised as
        StoreError); `durable`: on disk before it returns."""

    # ---- life cycle --------------------------------------------------------

    async def open(self) -> int:
        """Open (or create) the database and bring its schema up to date; the schema version it had."""
        return await self._run(self._open)

    async def close(self) -> None:
        """Write what is scheduled, then close the connection (SIGTERM, the end of a test); once."""
        if self._closed:
            return
        await self.flush()
        await self.write_log()
        self._cancel_timer()  # (a write that kept state events for later set one: flush wrote them)
        self._closed = True
        if self._last_seq:
            await self._run(lambda: self._apply_journal_close(self._last_seq))
        await self._run(self._close)
        self._executor.shutdown(wait=True)

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

    # ---- the event journal (../journal.py) ----------------------------------

    async def open_journal(self) -> tuple[str, int, int]:
        """(the stream's id, the next seq, the last seq pruned), the seq numbers ahead reserved."""
        stream, next_seq, pruned = await self._run(self._open_journal)
        self._last_seq = next_seq - 1
        return stream, next_seq, pruned

    def add_journal_entries(self, entries: list[Entry]) -> None:
        """Events to keep, written with the next save (a scheduled one when none is)."""
        if self._closed:
            return
        self._entries.extend(entries)
        self._last_seq = entries[-1].seq
        if self._timer is None and (self._task is None or self._task.done()):
            self._timer = asyncio.get_running_loop().call_later(self.save_delay, self._start_scheduled)

    async def read_journal(self, since: int) -> tuple[list[tuple[int, str | None, str]], int]:
        """The entries written after `since` (seq, key, record) in order, and the last seq pruned."""
        return await self._run(lambda: journal.read(self._query, since))

    def _open_journal(self) -> tuple[str, int, int]:
        with self._transaction(True) as db:
            return journal.open_state(self._query, db)

    def _apply_journal_close(self, last_seq: int) -> None:
        with self._transaction(True) as db:
            journal.close(db, last_seq)

    def add_frames(self, station_id: str, frames: list[tuple[float, str, str]]) -> None:
        """A charger's newest frames, appended to its message log with the next write (`write_log` or a save)."""
        pending = self._frames.setdefault(station_id, [])
        pending.extend(frames)
        if len(pending) > self.message_log_kept:  # the store fails meanwhile: keep what it would keep
            del pending[: len(pending) - self.message_log_kept]

    async def write_log(self) -> None:
        """Write the frames and meter samples gathered so far, now (off the event loop); a failure is logged
        once and they stay for the next write."""
        if (not self._frames and not self._samples) or self._closed:
            return
        async with self._lock:
            try:
                await self._write([], durable=False)
            except StoreError as err:
                if not self._failing:
                    _LOGGER.error("Message log not saved (%s); kept in memory and tried again", err)
                self._failing = True

    # ---- card payments (payments/flow.py): each step written durably before the next ----------

    async def save_payment(self, payment_id: str, text: str) -> None:
        def write() -> None:
            self.threads.add(threading.get_ident())
            with self._transaction(True) as db:
                db.execute(sql.UPSERT_PAYMENT, (payment_id, text))

        await self._run(write)

    async def load_payments(self) -> list[str]:
        return [str(row[0]) for row in await self._run(lambda: self._query(sql.SELECT_PAYMENTS))]

    async def save_card_tags(self, tags: list[str]) -> None:
        def write() -> None:
            with self._transaction(True) as db:
                db.execute(sql.DELETE_CARD_TAGS)
                db.executemany(sql.INSERT_CARD_TAG, [(tag,) for tag in tags])

        await self._run(write)

    async def load_card_tags(self) -> list[str]:
        return [str(row[0]) for row in await self._run(lambda: self._query(sql.SELECT_CARD_TAGS))]

    async def session_samples(
        self, station_id: str, transaction_id: str, start_time: str
    ) -> list[tuple[str, float, float | None]]:
        """A session's (time, energy register Wh, power W or None) samples, oldest first (its chart), with those
        not written yet."""
        key = (station_id, transaction_id, start_time)
        rows = await self._run(lambda: self._query(sql.SELECT_SAMPLES, key))
        found = {str(t): (float(e), None if p is None else float(p)) for t, e, p in rows}
        found.update((s[3], (s[4], s[5])) for s in list(self._samples) if s[:3] == key)
        return [(t, e, p) for t, (e, p) in sorted(found.items())]

    async def recorded_sessions(self, query: recorded.SessionQuery) -> tuple[list[dict[str, Any]], bool]:
        """A page of every recorded session meeting the query, newest start first (csms's record of each), and
        whether an older page follows; StoreError when the database cannot be read."""
        statement, params = recorded.select(query, self.TIME_SQL)
        found = await self._run(lambda: self._query(statement, params))
        records = [rows.decode(str(text)) for (text,) in found[: query.size]]
        return records, len(found) > query.size

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
        if self._entries or self._samples:
            async with self._lock:
                await self._write([], durable=True, all_entries=True)

    # ---- the web UI's own rows (inbox, notes) and reads -------------------

    async def select(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one of sql.py's SELECTs with parameters; StoreError when it fails."""

        def run() -> list[tuple[Any, ...]]:
            with self._transaction(durable=False) as db:
                return [tuple(row) for row in db.execute(statement, params).fetchall()]

        return await self._run(run)

    async def write(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Run sql.py's statements in one durable transaction (all or none); StoreError when it fails."""

        def run() -> None:
            self.threads.add(threading.get_ident())
            with self._transaction(durable=True) as db:
                for statement, params in statements:
                    db.execute(statement, params)

        await self._run(run)

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
        if data_fn is None and not self._entries:
            return
        async with self._lock:
            # the snapshot taken with the lock held, so no save the charger waits for (a session's start) comes
            # between it and its diff: its transaction would be missing from the snapshot and deleted as gone
            data = data_fn() if data_fn is not None else None
            await asyncio.sleep(0)  # the loop free between the two, each a few ms with 100 chargers (issue 15)
            changes = self._diff(data) if data is not None else []
            try:
                await self._write(changes, durable=False)
            except StoreError as err:
                if not self._failing:
                    _LOGGER.error("Not saved (%s); kept in memory and tried again", err)
                self._retry_later(data_fn)
                return
            if data is not None:
                self._saved(data, changes)
            else:
                self._saved_entries()
        if (self._pending is not None or self._entries) and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.save_delay, self._start_scheduled)

    def _retry_later(self, data_fn: Callable[[], dict[str, Any]] | None) -> None:
        """Write again after a pause (doubling while it fails), unless a newer save comes first: what
        failed is never dropped, even when the central system saves nothing more."""
        if self._pending is None and data_fn is not None:
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
        self._saved_entries()

    def _saved_entries(self) -> None:
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
        for table, key in self._written.keys() - new.keys():
            kept = table == "transactions" and not rows.is_open(self._written[(table, key)])
            if kept and ("stations", rows.decode(key)[0]) in new:
                changes.append((table, key, None, KEEP))  # older than csms's history_size: the store keeps it
            else:
                changes.append((table, key, None, None))
        return changes

    # ---- the worker thread -------------------------------------------------

    async def _run[T](self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    def _load(self) -> dict[str, Any] | None:
        self._next_seq = {str(station): int(seq) for station, seq in self._query(sql.SELECT_MESSAGE_LOG_NEXT)}
        document = [(str(key), str(value)) for key, value in self._query(sql.SELECT_DOCUMENT)]
        stations = [(str(key), str(value)) for key, value in self._query(sql.SELECT_STATIONS)]
        transactions = self._query(sql.SELECT_TRANSACTIONS)
        self._written = {("document", key): value for key, value in document}
        self._written.update((("stations", key), value) for key, value in stations)
        history = []
        for station_id, transaction_id, start_time, is_open, position, record in transactions:
            self._written[("transactions", rows.transaction_key(station_id, transaction_id, start_time))] = record
            if not is_open:
                history.append(record)
                self._next_position = max(self._next_position, int(position) + 1)
        return rows.join(document, stations, history)

    async def _write(self, changes: list[Change], durable: bool, all_entries: bool = False) -> None:
        samples, self._samples = self._samples, []
        frames, self._frames = self._frames, {}
        entries, self._entries = self._entries, []
        if durable and not all_entries and any(e.key is not None for e in entries):
            # a save the charger's answer waits for (every session start and stop): the events that count one
            # by one go with it; the state events wait for the next debounced write, so that the record of a
            # state (its latest only) is made about once per save delay, not at every session's save
            self._entries = [e for e in entries if e.key is not None]
            entries = [e for e in entries if e.key is None]
            if self._timer is None:
                self._timer = asyncio.get_running_loop().call_later(self.save_delay, self._start_scheduled)
        last_seq = self._last_seq
        journal_rows = await journal.rows_of(entries)
        try:
            await self._run(lambda: self._apply(changes, durable, samples, frames, journal_rows, last_seq))
        except StoreError:
            self._samples[:0] = samples  # kept for the next try
            for station_id, newer in self._frames.items():
                frames.setdefault(station_id, []).extend(newer)
            self._frames = frames
            self._entries = sorted([*entries, *self._entries], key=lambda e: e.seq)
            raise

    def _apply(
        self,
        changes: list[Change],
        durable: bool,
        samples: list[Sample] | None = None,
        frames: Frames | None = None,
        entries: list[journal.Row] | None = None,
        last_seq: int = 0,
    ) -> None:
        self.threads.add(threading.get_ident())
        if not changes and not samples and not frames and not entries:
            return
        next_seq = dict(self._next_seq)
        batches, trims = [], []
        for station_id, log in (frames or {}).items():
            start = next_seq.get(station_id, 0)
            batches.append((station_id, start, len(log), _ENCODE(log).decode()))
            next_seq[station_id] = start + len(log)
            if next_seq[station_id] > self.message_log_kept:
                trims.append((station_id, next_seq[station_id] - self.message_log_kept))
        with self._transaction(durable) as db:
            if entries:
                journal.write(db, entries, last_seq)
                if time.monotonic() - self._pruned_at > journal.PRUNE_EVERY:
                    self._pruned_at = time.monotonic()
                    journal.prune(self._query, db, last_seq, self.journal_days, self.journal_count)
            if samples:
                db.executemany(sql.INSERT_SAMPLE, samples)
            if batches:
                db.executemany(sql.INSERT_FRAMES, batches)
            if trims:
                db.executemany(sql.TRIM_MESSAGE_LOG, trims)
            for table, key, text, position in changes:
                _apply_one(db, table, key, text, position)
        self._next_seq = next_seq  # committed


def _apply_one(db: Writer, table: str, key: str, text: str | None, position: int | None) -> None:
    if table == "transactions":
        station_id, transaction_id, start_time = rows.decode(key)
        if text is None:
            statements = (sql.KEEP_TRANSACTION,) if position == KEEP else (sql.DELETE_TRANSACTION, sql.DELETE_SAMPLES)
            for statement in statements:
                db.execute(statement, (station_id, transaction_id, start_time))
            return
        db.execute(sql.UPSERT_TRANSACTION, rows.transaction_columns(text, None if position == -1 else position))
        return
    if text is None:
        db.execute(sql.delete_row(table), (key,))
        if table == "stations":  # a charger the user removed: its message log and sessions go too
            for statement in (sql.DELETE_MESSAGE_LOG, sql.DELETE_STATION_TRANSACTIONS, sql.DELETE_STATION_SAMPLES):
                db.execute(statement, (key,))
    else:
        db.execute(sql.upsert_row(table), (key, text))
