"""The event journal's rows (the app's journal.py numbers the events; this writes, prunes and reads them).

`journal` holds one row per event kept: a state event (one with a coalescing key) replaces the one of its key
before it, so a replay gives only the latest of each.  `meta` keeps the stream's identity, the seq numbers
reserved (see `reserve`) and the last seq pruned.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..journal import Entry

# seq numbers handed out are reserved this far ahead in every write: after a kill -9 the next run starts
# beyond them, so a seq a client saw (but the store did not write yet) is never given to another event
HEADROOM = 1_000_000
# the journal keeps the events of the last DAYS days and at most the last COUNT seq numbers (the app's options)
RETENTION_DAYS = 7.0
RETENTION_COUNT = 100_000
# seconds between two prunes
PRUNE_EVERY = 60.0

STREAM, RESERVED, PRUNED = "journal_stream", "journal_reserved", "journal_pruned"
SELECT_META = "SELECT value FROM meta WHERE key = ?"
UPSERT_META = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
SELECT_MAX_SEQ = "SELECT max(seq) FROM journal"
SELECT_AFTER = "SELECT seq, coalesce_key, record FROM journal WHERE seq > ? ORDER BY seq"
DELETE_KEY = "DELETE FROM journal WHERE coalesce_key = ?"
INSERT = "INSERT INTO journal (seq, time, coalesce_key, record) VALUES (?, ?, ?, ?)"
SELECT_PRUNABLE = "SELECT max(seq) FROM journal WHERE time < ? OR seq <= ?"
DELETE_PRUNABLE = "DELETE FROM journal WHERE time < ? OR seq <= ?"


class _Db(Protocol):
    def execute(self, statement: str, params: Sequence[Any] = ..., /) -> Any: ...

    def executemany(self, statement: str, params: Sequence[Sequence[Any]], /) -> Any: ...


Query = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def _meta(query: Query, key: str) -> str | None:
    found = query(SELECT_META, (key,))
    return str(found[0][0]) if found else None


def open_state(query: Query, db: _Db) -> tuple[str, int, int]:
    """(stream id, the next seq, the last seq pruned); makes the stream's id the first time and reserves the
    seq numbers this run may hand out before it writes again."""
    stream = _meta(query, STREAM)
    if stream is None:
        stream = uuid.uuid4().hex
        db.execute(UPSERT_META, (STREAM, stream))
    found = query(SELECT_MAX_SEQ, ())
    written = int(found[0][0]) if found and found[0][0] is not None else 0
    last = max(written, int(_meta(query, RESERVED) or 0))
    db.execute(UPSERT_META, (RESERVED, str(last + HEADROOM)))
    return stream, last + 1, int(_meta(query, PRUNED) or 0)


# an entry as the worker thread writes it: (seq, time, coalescing key, record JSON)
Row = tuple[int, float, str | None, str]


# records made in one step of the event loop before it lets others run (a connector's record is ~40-70 µs on a
# slow core: all of 100 chargers' at once held the loop ~10 ms every second, the messages due meanwhile waiting)
ROWS_PER_STEP = 20


async def rows_of(entries: list[Entry]) -> list[Row]:
    """(On the event loop: a record is made from the central system's live state) the rows to write: the last
    entry of each key only; made `ROWS_PER_STEP` at a time, the loop free between (a state event's record is
    the state at its making, whenever that is)."""
    latest: dict[str, int] = {}
    for entry in entries:
        if entry.key is not None:
            latest[entry.key] = entry.seq
    rows: list[Row] = []
    for entry in entries:
        if entry.key is None or latest[entry.key] == entry.seq:
            if len(rows) % ROWS_PER_STEP == ROWS_PER_STEP - 1:
                await asyncio.sleep(0)
            rows.append((entry.seq, entry.time, entry.key, entry.text))
    return rows


def write(db: _Db, rows: list[Row], last_seq: int) -> None:
    """(Worker thread) the rows (one of a key replaces the one before), the seq numbers reserved ahead."""
    # (one row of a key at most: rows_of gives the latest) in two statements run by the driver, not one or two
    # per row from Python, which holds the GIL the event loop waits for
    db.executemany(DELETE_KEY, [(row[2],) for row in rows if row[2] is not None])
    db.executemany(INSERT, rows)
    db.execute(UPSERT_META, (RESERVED, str(last_seq + HEADROOM)))


def close(db: _Db, last_seq: int) -> None:
    """A clean stop: everything is written, the next run goes on from the last seq (no gap)."""
    db.execute(UPSERT_META, (RESERVED, str(last_seq)))


def prune(query: Query, db: _Db, last_seq: int, days: float, count: int) -> int:
    """Drop what is older than `days` or before the last `count` seq numbers; the last seq pruned (0: none)."""
    bounds = (time.time() - days * 86400, last_seq - count)
    found = query(SELECT_PRUNABLE, bounds)
    pruned = int(found[0][0]) if found and found[0][0] is not None else 0
    if pruned:
        db.execute(DELETE_PRUNABLE, bounds)
        before = int(_meta(query, PRUNED) or 0)
        db.execute(UPSERT_META, (PRUNED, str(max(before, pruned))))
    return pruned


def read(query: Query, since: int) -> tuple[list[tuple[int, str | None, str]], int]:
    rows = [(int(seq), key, str(record)) for seq, key, record in query(SELECT_AFTER, (since,))]
    return rows, int(_meta(query, PRUNED) or 0)
