"""csms's Persistence on SQLite (the default): WAL, migrations on PRAGMA user_version.

A save the central system waits for is committed with synchronous=FULL; a debounced one with synchronous=NORMAL,
which WAL keeps through a crash of the process (only a power loss may cost its last commit).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import sql
from .base import SAVE_DELAY, Change, RowStore, Sample, Writer
from .errors import StoreError
from .schema import migrate
from .snapshot import restore_if_missing

__all__ = ["Change", "Sample", "SqliteStore", "describe"]


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


class SqliteStore(RowStore):
    """The store in one SQLite file."""

    def __init__(self, path: Path, save_delay: float = SAVE_DELAY, max_page_count: int | None = None) -> None:
        super().__init__(str(path), save_delay)
        self.path = path
        # the database's size limit in pages (tests make the disk "full" with it)
        self._max_page_count = max_page_count

    async def set_max_page_count(self, pages: int) -> None:
        """Change the size limit (tests: the disk is full, then has room again)."""
        self._max_page_count = pages
        await self._run(lambda: self._db().execute(f"PRAGMA max_page_count = {int(pages)}"))

    def _db(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            raise StoreError(f"{self.path}: the store is not open")
        return connection

    def _open(self) -> int:
        self.threads.add(threading.get_ident())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            restore_if_missing(self.path)
        except OSError as err:
            raise StoreError(f"{self.path}: cannot restore the backup's copy of the database ({err})") from err
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
            connection.execute(sql.TOUCH_META, (datetime.now(UTC).isoformat(),))
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

    def _query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db().execute(statement, params).fetchall()
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read the database ({describe(err)})") from err

    @contextlib.contextmanager
    def _transaction(self, durable: bool) -> Iterator[Writer]:
        db = self._db()
        try:
            db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as err:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: {describe(err)}") from err
