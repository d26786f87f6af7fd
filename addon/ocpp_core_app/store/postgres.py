"""csms's Persistence on PostgreSQL (`--database-url postgresql://…`), for sites that outgrow SQLite.

The same tables as SQLite's (schema.py), their version in a schema_version table.  One connection, used by the
store's worker thread only, opened again when the server dropped it (a restart of the server: the save fails
and is retried like any other, and the retry connects anew).  A debounced save commits with synchronous_commit
off (the server flushes it a moment later; a crash of the app loses nothing committed, a crash of the server
at most that moment), a save the charger's answer waits for with it on.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, LiteralString
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors

from . import sql
from .base import SAVE_DELAY, RowStore, Writer
from .errors import StoreError
from .schema import POSTGRES_MIGRATIONS, SCHEMA_VERSION

CONNECT_TIMEOUT = 10  # seconds
# two apps migrating one database at once: one waits for the other (any number, the same in every app)
MIGRATION_LOCK = 0x0CC9_C0DE


def redact(url: str) -> str:
    """The URL without its password (for messages and the log)."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return "postgresql://…"


def describe(err: psycopg.Error) -> str:
    """What the operator can do about a PostgreSQL error, on one line."""
    # the server's own words (without its CONTEXT lines), else the driver's (a connection that failed)
    text = err.diag.message_primary or " ".join(str(err).split())
    # (a refused connection carries no SQLSTATE class: its text says why)
    if isinstance(err, errors.InvalidPassword) or "password authentication failed" in text:
        return f"{text}: check the user and password in the URL"
    if isinstance(err, errors.InvalidCatalogName) or ("database" in text and "does not exist" in text):
        return f"{text}: create the database first (createdb), or name one that exists"
    if isinstance(err, errors.InsufficientPrivilege):
        return f"{text}: the user may not create or write the tables; grant it the rights"
    if isinstance(err, errors.DiskFull):
        return f"{text}: the server's disk is full; free some space"
    if isinstance(err, psycopg.OperationalError):
        return f"{text}: is the server running and reachable?"
    return text


def _pg(statement: str) -> LiteralString:
    """sql.py's `?` placeholders as psycopg's `%s` (no statement has a `?` or `%` of its own)."""
    return statement.replace("?", "%s")  # (mypy takes LiteralString for str)


class _Writer:
    """A transaction's cursor taking sql.py's statements."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def execute(self, statement: str, params: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self._cursor.execute(_pg(statement), params)

    def executemany(self, statement: str, params: Sequence[Sequence[Any]], /) -> None:
        self._cursor.executemany(_pg(statement), params)


def migrate(connection: psycopg.Connection[Any]) -> int:
    """Apply the migrations not applied yet, all in one transaction; the version before."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
        version = int(row[0]) if row is not None and row[0] is not None else 0
        if version > SCHEMA_VERSION:
            raise ValueError(f"the database is of a newer version ({version}) than this app knows ({SCHEMA_VERSION})")
        for number in range(version, SCHEMA_VERSION):
            connection.execute(POSTGRES_MIGRATIONS[number])
        connection.execute("DELETE FROM schema_version")
        connection.execute("INSERT INTO schema_version VALUES (%s)", (max(version, SCHEMA_VERSION),))
    return version


class PostgresStore(RowStore):
    """The store in a PostgreSQL database (the URL's user may create tables in it)."""

    def __init__(self, url: str, save_delay: float = SAVE_DELAY) -> None:
        super().__init__(redact(url), save_delay)
        self.url = url
        self._opened = False

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            connection = psycopg.connect(
                self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, application_name="ocpp_core"
            )
        except psycopg.Error as err:
            raise StoreError(f"{self.name}: cannot connect ({describe(err)})") from err
        self._local.connection = connection
        return connection

    def _db(self) -> psycopg.Connection[Any]:
        """The connection; a new one when the server dropped the last (only once the store is open)."""
        connection: psycopg.Connection[Any] | None = getattr(self._local, "connection", None)
        if connection is not None and not connection.closed:
            return connection
        if not self._opened:
            raise StoreError(f"{self.name}: the store is not open")
        return self._connect()

    def _open(self) -> int:
        self.threads.add(threading.get_ident())
        connection = self._connect()
        try:
            version = migrate(connection)
            connection.execute(_pg(sql.TOUCH_META), (datetime.now(UTC).isoformat(),))
        except (psycopg.Error, ValueError) as err:
            connection.close()
            text = describe(err) if isinstance(err, psycopg.Error) else str(err)
            raise StoreError(f"{self.name}: cannot use the database ({text})") from err
        self._opened = True
        return version

    def _close(self) -> None:
        connection: psycopg.Connection[Any] | None = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
        self._opened = False

    def _query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db().execute(_pg(statement), params).fetchall()
        except psycopg.Error as err:
            raise StoreError(f"{self.name}: cannot read the database ({describe(err)})") from err

    @contextlib.contextmanager
    def _transaction(self, durable: bool) -> Iterator[Writer]:
        connection = self._db()
        try:
            with connection.transaction(), connection.cursor() as cursor:
                if not durable:
                    cursor.execute("SET LOCAL synchronous_commit TO off")
                yield _Writer(cursor)
        except psycopg.Error as err:
            raise StoreError(f"{self.name}: {describe(err)}") from err
