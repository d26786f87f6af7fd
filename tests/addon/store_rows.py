"""Reading a store's tables beside it, as a test checks what is on disk."""

from __future__ import annotations

import contextlib
import sqlite3

import psycopg
from ocpp_core_app.store import RowStore, SqliteStore
from ocpp_core_app.store.postgres import PostgresStore


def rows(store: RowStore, sql: str) -> list[tuple[object, ...]]:
    """The rows of a query, read beside the store (its own connection)."""
    if isinstance(store, SqliteStore):
        with contextlib.closing(sqlite3.connect(store.path)) as db:
            return db.execute(sql).fetchall()
    assert isinstance(store, PostgresStore)
    with psycopg.connect(store.url) as pg:
        return pg.execute(sql).fetchall()  # type: ignore[arg-type]  # the tests' own SQL
