"""backup_pre's copy of the SQLite database is consistent while the app writes and checkpoints: each copy
passes PRAGMA integrity_check, holds every transaction committed before it began, and no half of one."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path

from ocpp_core_app.store.snapshot import snapshot_path, take_snapshot

# a row big enough that the database spans thousands of pages (a copy takes a while)
_PAYLOAD = "x" * 3000
_ROWS_PER_TRANSACTION = 5


def _writer(path: Path, stop: threading.Event, committed: list[int]) -> None:
    """Transactions of `_ROWS_PER_TRANSACTION` rows each (their batch numbered), a checkpoint after every few:
    what the app does, faster."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None, timeout=30)) as db:
        batch = 0
        while not stop.is_set() and batch < 100_000:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT INTO log (batch, payload) VALUES (?, ?)", [(batch, _PAYLOAD)] * _ROWS_PER_TRANSACTION
            )
            db.execute("COMMIT")
            committed.append(batch)
            if batch % 7 == 0:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # a checkpoint racing the copy
            batch += 1


def test_snapshots_taken_while_writing_are_consistent(tmp_path: Path) -> None:
    path = tmp_path / "ocpp_core.db"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, payload TEXT NOT NULL)")
        db.executemany("INSERT INTO log (batch, payload) VALUES (-1, ?)", [(_PAYLOAD,)] * 2000)
    stop, committed = threading.Event(), [-1]
    writer = threading.Thread(target=_writer, args=(path, stop, committed), daemon=True)
    writer.start()
    try:
        for _ in range(1000):  # under 10 s: the writes are going on
            if committed[-1] >= 3:
                break
            time.sleep(0.01)
        seen: list[int] = []
        for _ in range(8):
            before = committed[-1]  # committed before this copy began: it must be in it
            copy = take_snapshot(path)
            assert copy == snapshot_path(path) and not copy.with_name(copy.name + ".partial").exists()
            with contextlib.closing(sqlite3.connect(copy)) as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, no WAL beside
                last = db.execute("SELECT max(batch) FROM log").fetchone()[0]
                counts = db.execute("SELECT batch, count(*) FROM log WHERE batch >= 0 GROUP BY batch").fetchall()
            assert last >= before
            # whole transactions only, none missing
            assert counts == [(batch, _ROWS_PER_TRANSACTION) for batch in range(last + 1)]
            seen.append(last)
    finally:
        stop.set()
        writer.join(30)
    assert seen[-1] > seen[0] >= 3  # the copies were taken while the writes went on
