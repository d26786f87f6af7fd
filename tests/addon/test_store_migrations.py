"""The add-on store's migrations: a database of an earlier schema is brought up to date, its data kept (SQLite and
PostgreSQL)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import psycopg
from ocpp_core_app.store import SqliteStore
from ocpp_core_app.store.postgres import PostgresStore
from ocpp_core_app.store.schema import MIGRATIONS, POSTGRES_MIGRATIONS, SCHEMA_VERSION

from .postgres_server import PostgresServer
from .store_rows import rows


async def test_migration_from_the_first_schema(tmp_path: Path) -> None:
    """A database of schema 1 (the first release) is brought up to date, its data kept."""
    path = tmp_path / "ocpp_core.db"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.executescript(f"BEGIN; {MIGRATIONS[0]} PRAGMA user_version = 1; COMMIT;")
        db.execute("INSERT INTO document VALUES ('next_transaction_id', '42')")
    store = SqliteStore(path)
    assert await store.open() == 1
    assert await store.async_load() == {"next_transaction_id": 42, "stations": {}, "history": []}
    await store.close()
    assert rows(store, "PRAGMA user_version") == [(SCHEMA_VERSION,)] and SCHEMA_VERSION == 7
    assert rows(store, "SELECT count(*) FROM meter_samples") == [(0,)]
    assert rows(store, "SELECT count(*) FROM inbox") == [(0,)]
    assert rows(store, "SELECT count(*) FROM journal") == [(0,)]


async def test_migration_from_the_first_schema_postgres(postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database()
    with psycopg.connect(url) as pg:
        pg.execute(POSTGRES_MIGRATIONS[0])
        pg.execute("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1)")
        pg.execute("INSERT INTO document VALUES ('next_transaction_id', '42')")
    store = PostgresStore(url)
    assert await store.open() == 1
    assert await store.async_load() == {"next_transaction_id": 42, "stations": {}, "history": []}
    await store.close()
    assert rows(store, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)] and SCHEMA_VERSION == 7
    assert rows(store, "SELECT count(*) FROM meter_samples") == [(0,)]
    again = PostgresStore(url)
    assert await again.open() == SCHEMA_VERSION
    await again.close()


_OLD_LOG = [("cp", 0, 1000.5, "in", '[2,"a","Heartbeat",{}]'), ("cp", 1, 1000.75, "out", '[3,"a",{"x":"é"}]')]


async def test_migration_of_the_message_log_to_batches(tmp_path: Path) -> None:
    """Schema 3's message log (a row per frame) becomes batches; the message_log view shows the same rows."""
    path = tmp_path / "ocpp_core.db"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        for number in range(3):
            db.executescript(f"BEGIN; {MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;")
        db.executemany("INSERT INTO message_log VALUES (?, ?, ?, ?, ?)", _OLD_LOG)
    store = SqliteStore(path)
    assert await store.open() == 3
    await store.async_load()
    store.add_frames("cp", [(1001.0, "in", '[2,"b","Heartbeat",{}]')])
    await store.close()
    assert rows(store, "SELECT * FROM message_log ORDER BY seq") == [
        *_OLD_LOG,
        ("cp", 2, 1001.0, "in", '[2,"b","Heartbeat",{}]'),
    ]


async def test_migration_of_the_message_log_to_batches_postgres(postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database()
    with psycopg.connect(url) as pg:
        for number in range(3):
            pg.execute(POSTGRES_MIGRATIONS[number])  # type: ignore[arg-type]  # the app's own SQL
        pg.execute("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (3)")
        pg.cursor().executemany("INSERT INTO message_log VALUES (%s, %s, %s, %s, %s)", _OLD_LOG)
    store = PostgresStore(url)
    assert await store.open() == 3
    await store.async_load()
    store.add_frames("cp", [(1001.0, "in", '[2,"b","Heartbeat",{}]')])
    await store.close()
    assert rows(store, "SELECT * FROM message_log ORDER BY seq") == [
        *_OLD_LOG,
        ("cp", 2, 1001.0, "in", '[2,"b","Heartbeat",{}]'),
    ]
