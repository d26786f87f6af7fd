"""The store in-process, on SQLite and on a real PostgreSQL server: csms's real central system on it, real
WebSockets, raw 1.6 frames.  The full-disk tests are SQLite's (its size limit makes the disk "full")."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from ocpp_core_app.central_import import csms
from ocpp_core_app.store import RowStore, SqliteStore, StoreError
from ocpp_core_app.store.postgres import PostgresStore
from ocpp_core_app.store.samples import MessageLog, SessionSamples
from ocpp_core_app.store.schema import SCHEMA_VERSION
from ocpp_core_app.store.sqlite import Change

from tests.csms.support.helpers import BOOT, RawCharger, wait_for

from .store_rows import rows

STAMP = "2026-01-01T10:00:00Z"


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(tmp_path / "ocpp_core.db", save_delay=0.05)
    await store.open()
    yield store
    with contextlib.suppress(StoreError):
        await store.close()


async def start_central(store: RowStore) -> csms.CentralSystem:
    central = csms.CentralSystem(csms.CentralSystemConfig(host="127.0.0.1", port=0), store)
    await central.start()
    return central


def reopened(store: RowStore) -> RowStore:
    """Another store on the same database (a restart of the app)."""
    if isinstance(store, SqliteStore):
        return SqliteStore(store.path)
    assert isinstance(store, PostgresStore)
    return PostgresStore(store.url)


async def test_schema_and_round_trip(store: RowStore) -> None:
    if isinstance(store, SqliteStore):
        assert rows(store, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        assert rows(store, "PRAGMA journal_mode") == [("wal",)]
    else:
        assert rows(store, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
        # an energy register's Wh need double precision (PostgreSQL's REAL is single)
        assert rows(store, "SELECT data_type FROM information_schema.columns WHERE table_name = 'transactions'"
                    " AND column_name = 'meter_start_wh'") == [("double precision",)]  # fmt: skip
    central = await start_central(store)
    cp = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "round")
    await cp.call("BootNotification", BOOT)
    answer = await cp.call("StartTransaction", {"connectorId": 1, "idTag": "A", "meterStart": 100, "timestamp": STAMP})
    tx_id = answer[2]["transactionId"]
    await cp.call(
        "StopTransaction", {"transactionId": tx_id, "meterStop": 1600, "timestamp": STAMP, "reason": "EVDisconnected"}
    )
    await cp.call("StartTransaction", {"connectorId": 2, "idTag": "B", "meterStart": 7, "timestamp": STAMP})
    await cp.close()
    await central.stop()
    expected = central.state.store.snapshot()
    await store.close()
    # relational: the transactions with their columns
    assert rows(store, "SELECT transaction_id, connector_id, id_tag, meter_start_wh, meter_stop_wh, energy_wh,"
                " stop_reason, open FROM transactions ORDER BY transaction_id") == [
        (str(tx_id), 1, "A", 100.0, 1600.0, 1500.0, "EVDisconnected", 0),
        (str(tx_id + 1), 2, "B", 7.0, None, 0.0, None, 1),
    ]  # fmt: skip
    again = reopened(store)
    assert await again.open() == SCHEMA_VERSION
    assert await again.async_load() == json.loads(json.dumps(expected))
    await again.close()


async def test_a_meter_value_rewrites_one_row(store: RowStore) -> None:
    central = await start_central(store)
    url = f"ws://127.0.0.1:{central.port}"
    chargers = [await RawCharger.connect(url, f"cp{i}") for i in range(5)]
    for cp in chargers:
        await cp.call("BootNotification", BOOT)
    await cp.call("StartTransaction", {"connectorId": 1, "idTag": "A", "meterStart": 0, "timestamp": STAMP})
    await store.flush()
    before = store.writes
    written: list[list[Change]] = []
    original = store._apply

    def spy(changes: list[Change], durable: bool, *more: Any) -> None:
        written.append(changes)
        original(changes, durable, *more)

    store._apply = spy  # type: ignore[method-assign]
    sample = {"value": "500", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    await cp.call("MeterValues", {"connectorId": 1, "transactionId": 1, "meterValue": [
        {"timestamp": "2026-01-01T10:05:00Z", "sampledValue": [sample]}]})  # fmt: skip
    await store.flush()
    assert store.writes == before + 1
    assert [(table, key) for table, key, _, _ in written[0]] == [
        ("stations", "cp4"),
        ("transactions", '["cp4","1","2026-01-01T10:00:00+00:00"]'),
    ]
    # SQL never runs on the event loop's thread
    assert threading.get_ident() not in store.threads and len(store.threads) == 1
    for cp in chargers:
        await cp.close()
    await central.stop()


async def make_full(store: SqliteStore) -> None:
    """The disk is full: the database may not grow, and every free byte in its pages is taken."""
    pages = rows(store, "PRAGMA page_count")[0][0]
    await store.set_max_page_count(int(pages))

    def fill() -> None:
        # every table's pages too (an empty table's root page has room for a row)
        db = store._db()
        inserts = (
            "INSERT INTO meta VALUES (?, ?)",
            "INSERT INTO document VALUES (?, ?)",
            "INSERT INTO stations VALUES (?, ?)",
            "INSERT INTO transactions VALUES ('filler', ?, '', 0, NULL, NULL, 0, NULL, NULL, NULL, 0, NULL, ?)",
        )
        for size in (2000, 200, 20, 1):
            for sql in inserts:
                for number in range(100_000):
                    try:
                        db.execute(sql, (f"filler{size}-{number}-{pages}", "x" * size))
                    except sqlite3.OperationalError:
                        break

    await store._run(fill)


def open_transactions(store: RowStore) -> list[tuple[object, ...]]:
    return rows(store, "SELECT transaction_id, open, energy_wh FROM transactions WHERE station_id != 'filler'")


async def test_a_session_saved_while_a_scheduled_save_runs_stays_written(store: RowStore) -> None:
    """A session start's save (the charger's answer waits for it) that comes while a scheduled save runs is not
    undone by that save's older snapshot (which has not got the session: its diff would delete its row)."""
    before = {"stations": {"CP": {"open_transactions": []}}}
    tx = {"transaction_id": 7, "connector_id": 1, "start_time": STAMP, "meter_start_wh": 0.0}
    after = {"stations": {"CP": {"open_transactions": [tx]}}}
    await store.async_save(before)
    started: list[asyncio.Task[None]] = []

    def snapshot() -> dict[str, Any]:
        # the session starts just after this snapshot is taken: its own save follows at once
        started.append(asyncio.get_running_loop().create_task(store.async_save(after)))
        return before

    store.schedule_save(snapshot)
    await wait_for(lambda: started)
    await started[0]
    await store.flush()
    assert [row[:2] for row in open_transactions(store)] == [("7", 1)]


async def test_full_disk_16(sqlite_store: SqliteStore, caplog: pytest.LogCaptureFixture) -> None:
    """Disk full: the charger gets an error, not a transaction id (nor a stop) that is not on disk; its retry
    once there is room is answered and written first."""
    store = sqlite_store
    central = await start_central(store)
    cp = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "full")
    await cp.call("BootNotification", BOOT)
    await store.flush()
    await make_full(store)
    caplog.set_level(logging.WARNING)
    start = {"connectorId": 1, "idTag": "A", "meterStart": 10, "timestamp": STAMP}
    answer = await cp.call("StartTransaction", start)
    assert answer[0] == 4 and answer[2] == "InternalError", answer
    assert "database or disk is full" in caplog.text and "the charger gets an error" in caplog.text
    await store.set_max_page_count(1_000_000)
    # the charger's retry (the same StartTransaction, a retransmission to csms) is written before its answer
    answer = await cp.call("StartTransaction", start, "m2")
    assert answer[0] == 3, answer
    tx_id = answer[2]["transactionId"]
    assert open_transactions(store) == [(str(tx_id), 1, 0.0)]
    await make_full(store)
    stop = {"transactionId": tx_id, "meterStop": 1510, "timestamp": STAMP, "reason": "Local"}
    answer = await cp.call("StopTransaction", stop, "m3")
    assert answer[0] == 4, answer
    await store.set_max_page_count(2_000_000)
    assert (await cp.call("StopTransaction", stop, "m4"))[0] == 3
    assert open_transactions(store) == [(str(tx_id), 0, 1500.0)]
    await cp.close()
    await central.stop()


async def test_full_disk_201(sqlite_store: SqliteStore, caplog: pytest.LogCaptureFixture) -> None:
    store = sqlite_store
    central = await start_central(store)
    cp = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "full2", ["ocpp2.0.1"])
    await cp.call("BootNotification", {"reason": "PowerUp", "chargingStation": {"model": "m", "vendorName": "v"}})
    await store.flush()
    caplog.set_level(logging.WARNING)

    def event(kind: str, seq_no: int, wh: float, **more: object) -> dict[str, object]:
        return {
            "eventType": kind, "timestamp": STAMP, "triggerReason": "Authorized", "seqNo": seq_no,
            "transactionInfo": {"transactionId": "T-1", **more}, "evse": {"id": 1, "connectorId": 1},
            "idToken": {"idToken": "A", "type": "ISO14443"},
            "meterValue": [{"timestamp": STAMP, "sampledValue": [
                {"value": wh, "measurand": "Energy.Active.Import.Register"}]}],
        }  # fmt: skip

    # (an Ended that shrinks its rows may fit into a full database's pages: the 1.6 test covers the stop)
    await make_full(store)
    answer = await cp.call("TransactionEvent", event("Started", 0, 100.0), "s1")
    assert answer[0] == 4, answer
    assert "database or disk is full" in caplog.text
    await store.set_max_page_count(1_000_000)
    # the station's retry (a duplicate to csms) is written before its answer
    answer = await cp.call("TransactionEvent", event("Started", 0, 100.0), "s2")
    assert answer[0] == 3, answer
    assert open_transactions(store) == [("T-1", 1, 0.0)]
    answer = await cp.call("TransactionEvent", event("Ended", 1, 2100.0, stoppedReason="Local"), "e1")
    assert open_transactions(store) == [("T-1", 0, 2000.0)]
    await cp.close()
    await central.stop()


async def test_full_disk_scheduled_save_is_retried(sqlite_store: SqliteStore, caplog: pytest.LogCaptureFixture) -> None:
    store = sqlite_store
    pages = rows(store, "PRAGMA page_count")[0][0]
    await store.set_max_page_count(int(pages))
    caplog.set_level(logging.WARNING)
    store.schedule_save(lambda: {"stations": {f"cp{i}": {"name": "x" * 1000} for i in range(50)}})
    async with asyncio.timeout(10):
        while "Not saved" not in caplog.text:
            await asyncio.sleep(0.02)
    assert "database or disk is full" in caplog.text and "kept in memory and tried again" in caplog.text
    assert rows(store, "SELECT count(*) FROM stations") == [(0,)]
    await store.set_max_page_count(1_000_000)
    async with asyncio.timeout(20):
        while "Saving works again" not in caplog.text:
            await asyncio.sleep(0.05)
    assert rows(store, "SELECT count(*) FROM stations") == [(50,)]


async def test_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "ocpp_core.db"
    path.write_bytes(b"this is no database, but a file of the same name " * 100)
    with pytest.raises(StoreError, match=r"ocpp_core.db: cannot use the database \(file is not a database: "):
        await SqliteStore(path).open()
    assert path.read_bytes().startswith(b"this is no database")  # left as it was, for the user to look at


async def test_newer_schema(store: RowStore) -> None:
    """A database a newer app wrote: refused (the app does not know its tables), left as it is."""
    await store.close()
    if isinstance(store, SqliteStore):
        with contextlib.closing(sqlite3.connect(store.path)) as db:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    else:
        assert isinstance(store, PostgresStore)
        with psycopg.connect(store.url) as pg:
            pg.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match=f"of a newer version \\({SCHEMA_VERSION + 1}\\)"):
        await reopened(store).open()


async def test_session_samples(store: RowStore) -> None:
    """Each reading of a running session is a row (for its chart); they go with the session's row.  The
    charger's message log is kept as of its disconnect, and goes with the charger."""
    central = await start_central(store)
    central.events.subscribe(SessionSamples(central, store).on_event)
    central.events.subscribe(MessageLog(central, store).on_event)
    cp = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "chart")
    await cp.call("BootNotification", BOOT)
    answer = await cp.call("StartTransaction", {"connectorId": 1, "idTag": "A", "meterStart": 0, "timestamp": STAMP})
    tx_id = answer[2]["transactionId"]
    for minute, wh in ((1, 180), (2, 365), (3, 550)):
        readings = [
            {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": "11", "measurand": "Power.Active.Import", "unit": "kW"},
        ]
        values = [{"timestamp": f"2026-01-01T10:0{minute}:00Z", "sampledValue": readings}]
        meter_values = {"connectorId": 1, "transactionId": tx_id, "meterValue": values}
        await cp.call("MeterValues", meter_values, f"mv{minute}")
        await cp.call("MeterValues", meter_values, f"again{minute}")  # a replay: no second row
    # the web UI's chart reads them back, those not written yet too
    start = central.stations["chart"].connectors[1].transaction.start_time.isoformat()
    chart = [
        ("2026-01-01T10:01:00+00:00", 180.0, 11000.0),
        ("2026-01-01T10:02:00+00:00", 365.0, 11000.0),
        ("2026-01-01T10:03:00+00:00", 550.0, 11000.0),
    ]
    # the central system passes a turn's connector updates on together, after the answer may have gone out
    # (bounded in time, not in turns: 2 s ran out on a saturated machine)
    deadline = asyncio.get_running_loop().time() + 20
    while asyncio.get_running_loop().time() < deadline:
        if len(await store.session_samples("chart", str(tx_id), start)) == len(chart):
            break
        await asyncio.sleep(0.02)
    assert await store.session_samples("chart", str(tx_id), start) == chart
    await cp.call("StopTransaction", {"transactionId": tx_id, "meterStop": 560, "timestamp": STAMP}, "stop")
    await cp.close()
    await store.flush()
    assert await store.session_samples("chart", str(tx_id), start) == chart
    assert await store.session_samples("chart", str(tx_id), "2026-01-01T09:00:00+00:00") == []
    assert rows(store, "SELECT transaction_id, time, energy_wh, power_w FROM meter_samples ORDER BY time") == [
        (str(tx_id), "2026-01-01T10:01:00+00:00", 180.0, 11000.0),
        (str(tx_id), "2026-01-01T10:02:00+00:00", 365.0, 11000.0),
        (str(tx_id), "2026-01-01T10:03:00+00:00", 550.0, 11000.0),
    ]
    await wait_for(lambda: not central.is_connected("chart"))
    await store.flush()
    await store.write_log()
    # the charger's message log, as of its disconnect
    log = rows(store, "SELECT seq, direction, frame FROM message_log WHERE station_id = 'chart' ORDER BY seq")
    assert [seq for seq, _, _ in log] == list(range(len(log))) and len(log) == len(central.recent_frames("chart"))
    assert "BootNotification" in str(log[0][2]) and "StopTransaction" in str(log[-2][2])
    assert await central.forget_station("chart")
    assert rows(store, "SELECT count(*) FROM meter_samples") == [(0,)]
    assert rows(store, "SELECT count(*) FROM message_log") == [(0,)]
    await central.stop()


async def test_payments_and_card_tags_are_kept(tmp_path: Path) -> None:
    """payments/flow.py's rows: each payment's JSON (the latest step), the tags paying by card; on both backends
    the same statements (the PostgreSQL run: test_store_postgres)."""
    store = SqliteStore(tmp_path / "ocpp_core.db")
    await store.open()
    await store.save_payment("p1", '{"state": "created"}')
    await store.save_payment("p1", '{"state": "held"}')
    await store.save_payment("p2", '{"state": "expired"}')
    await store.save_card_tags(["GUEST-1", "GUEST-2"])
    await store.save_card_tags(["GUEST-2"])
    await store.close()
    again = SqliteStore(tmp_path / "ocpp_core.db")
    await again.open()
    assert await again.load_payments() == ['{"state": "held"}', '{"state": "expired"}']
    assert await again.load_card_tags() == ["GUEST-2"]
    await again.close()


async def test_a_slow_disk_does_not_block_the_event_loop(store: RowStore) -> None:
    """The writes run in the store's thread: with every commit taking 1 s (a slow SD card), the event
    loop still runs its callbacks on time while sessions are saved one after the other."""
    original = store._apply

    def slow(changes: list[Change], durable: bool, *more: Any) -> None:
        time.sleep(1.0)
        original(changes, durable, *more)

    store._apply = slow  # type: ignore[method-assign]
    loop = asyncio.get_running_loop()
    gaps: list[float] = []

    async def ticker() -> None:
        last = loop.time()
        while True:
            await asyncio.sleep(0.01)
            now = loop.time()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    document = {"stations": {f"cp{i}": {"name": f"charger {i}", "n": 0} for i in range(100)}}
    for n in range(3):
        document["stations"]["cp0"]["n"] = n
        await store.async_save(json.loads(json.dumps(document)))
    tick.cancel()
    # 3 s of commits; the loop's longest pause far below one commit (generous for a loaded machine)
    assert store.writes == 3 and max(gaps, default=9.9) < 0.5, gaps


async def test_a_failed_immediate_save_is_retried_alone(
    sqlite_store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing else saves after a failed immediate save: it is written all the same once there is room."""
    store = sqlite_store
    await make_full(store)
    caplog.set_level(logging.WARNING)
    with pytest.raises(StoreError, match="database or disk is full"):
        await store.async_save({"stations": {"cp": {"name": "x" * 5000}}})
    await store.set_max_page_count(1_000_000)
    async with asyncio.timeout(20):
        while "Saving works again" not in caplog.text:
            await asyncio.sleep(0.05)
    assert rows(store, "SELECT id FROM stations WHERE id = 'cp'") == [("cp",)]


async def test_history_bound_and_order(store: RowStore) -> None:
    """The ended sessions csms keeps (history_size), in their order, also after a reload; older ones stay in the
    table (the web UI and the exports read them) but are not loaded into csms's history again."""
    central = csms.CentralSystem(csms.CentralSystemConfig(host="127.0.0.1", port=0, history_size=2), store)
    await central.start()
    cp = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "h")
    await cp.call("BootNotification", BOOT)
    ids = []
    for n in range(3):
        start = {"connectorId": 1, "idTag": "A", "meterStart": n * 100, "timestamp": f"2026-01-0{3 - n}T10:00:00Z"}
        tx_id = (await cp.call("StartTransaction", start, f"s{n}"))[2]["transactionId"]
        stop = {"transactionId": tx_id, "meterStop": n * 100 + 50, "timestamp": "2026-01-04T10:00:00Z"}
        await cp.call("StopTransaction", stop, f"e{n}")
        ids.append(str(tx_id))
    await cp.close()
    await central.stop()
    kept = [record["transaction_id"] for record in central.state.transactions.history.snapshot()]
    assert kept == ids[1:]
    assert rows(store, "SELECT transaction_id FROM transactions WHERE position IS NOT NULL ORDER BY position") == [
        (i,) for i in ids[1:]
    ]
    assert rows(store, "SELECT transaction_id FROM transactions WHERE position IS NULL") == [(ids[0],)]
    await store.close()
    again = reopened(store)
    await again.open()
    loaded = await again.async_load()
    assert loaded is not None and [record["transaction_id"] for record in loaded["history"]] == ids[1:]
    await again.close()


async def test_message_log_appended_and_bounded(store: RowStore) -> None:
    """Frames are appended as they come (seq goes on across a restart) and each charger keeps the whole batches
    (one per write) that hold its newest `message_log_kept`."""
    store.message_log_kept = 5
    frames = [(1000.0 + n, "in", f'[2,"m{n}","Heartbeat",{{}}]') for n in range(12)]
    store.add_frames("cp", frames[:4])
    await store.write_log()
    assert rows(store, "SELECT seq FROM message_log ORDER BY seq") == [(0,), (1,), (2,), (3,)]
    store.add_frames("cp", frames[4:9])
    store.add_frames("other", frames[:1])
    await store.write_log()
    assert rows(store, "SELECT seq FROM message_log WHERE station_id = 'cp' ORDER BY seq") == [
        (n,) for n in range(4, 9)
    ]
    await store.close()
    again = reopened(store)
    again.message_log_kept = 5
    await again.open()
    await again.async_load()
    again.add_frames("cp", frames[9:])
    await again.close()
    log = rows(store, "SELECT seq, frame FROM message_log WHERE station_id = 'cp' ORDER BY seq")
    assert log == [(n, frames[n][2]) for n in range(4, 12)]  # the batch of 4-8 holds 7 and 8
    assert rows(store, "SELECT count(*) FROM message_log WHERE station_id = 'other'") == [(1,)]
