"""What only PostgreSQL does to the store: the server drops its connection (a restart), or refuses a write (its
disk full): the charger gets an error rather than an answer that is not in the database, and its retry is written."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import psycopg
import pytest
from ocpp_core_app.central_import import csms
from ocpp_core_app.store.postgres import PostgresStore

from tests.csms.support.helpers import BOOT, RawCharger

from . import postgres_server
from .postgres_server import PostgresServer

STAMP = "2026-01-01T10:00:00Z"
START = {"connectorId": 1, "idTag": "A", "meterStart": 10, "timestamp": STAMP}
# a trigger that fails every write of a transaction's row as a full disk does (SQLSTATE 53100, disk_full)
REFUSE = """
CREATE FUNCTION refuse() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$
LANGUAGE plpgsql;
CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON transactions FOR EACH ROW EXECUTE FUNCTION refuse();
"""


@pytest.fixture
async def store(postgres_server: PostgresServer) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(postgres_server.new_database(), save_delay=0.05)
    await store.open()
    yield store
    await store.close()


def query(url: str, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as db:
        cursor = db.execute(statement)  # type: ignore[arg-type]  # the tests' own SQL
        return cursor.fetchall() if cursor.description is not None else []


async def charger(store: PostgresStore) -> tuple[csms.CentralSystem, RawCharger]:
    central = csms.CentralSystem(csms.CentralSystemConfig(host="127.0.0.1", port=0), store)
    await central.start()
    cp = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "pg")
    await cp.call("BootNotification", BOOT)
    await store.flush()
    return central, cp


async def test_the_server_drops_the_connection(store: PostgresStore, caplog: pytest.LogCaptureFixture) -> None:
    """A restart of the server (here: its backend terminated) between two saves: the next one connects anew."""
    central, cp = await charger(store)
    database = store.url.rsplit("/", 1)[1]
    caplog.set_level(logging.WARNING)
    assert query(
        store.url.rsplit("/", 1)[0] + "/postgres",
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        f" WHERE datname = '{database}' AND application_name = 'ocpp_core'",
    ) == [(1,)]
    answer = await cp.call("StartTransaction", START)
    assert answer[0] == 3, answer
    assert "terminat" in caplog.text and "trying again" in caplog.text
    assert query(store.url, "SELECT transaction_id, open FROM transactions") == [(str(answer[2]["transactionId"]), 1)]
    await cp.close()
    await central.stop()


async def test_a_refused_write_answers_an_error(store: PostgresStore, caplog: pytest.LogCaptureFixture) -> None:
    central, cp = await charger(store)
    query(store.url, REFUSE)
    caplog.set_level(logging.WARNING)
    answer = await cp.call("StartTransaction", START)
    assert answer[0] == 4 and answer[2] == "InternalError", answer
    assert "No space left on device: the server's disk is full" in caplog.text
    assert query(store.url, "SELECT count(*) FROM transactions") == [(0,)]
    query(store.url, "DROP TRIGGER refuse ON transactions")
    answer = await cp.call("StartTransaction", START, "m2")  # the charger's retry, written before its answer
    assert answer[0] == 3, answer
    assert query(store.url, "SELECT transaction_id, open FROM transactions") == [(str(answer[2]["transactionId"]), 1)]
    await cp.close()
    await central.stop()


def test_without_the_binaries_the_reason_to_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PostgreSQL installed: the server's tests skip, saying what to install (never silently pass)."""
    monkeypatch.setattr(postgres_server, "binaries", lambda: None)
    with postgres_server.running() as server:
        assert isinstance(server, str) and "apt-get install postgresql" in server


async def test_payments_and_card_tags_are_kept_on_postgres(postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database()
    store = PostgresStore(url)
    await store.open()
    await store.save_payment("p1", '{"state": "created"}')
    await store.save_payment("p1", '{"state": "charging"}')
    await store.save_card_tags(["GUEST-1"])
    await store.close()
    again = PostgresStore(url)
    await again.open()
    assert await again.load_payments() == ['{"state": "charging"}']
    assert await again.load_card_tags() == ["GUEST-1"]
    await again.close()
