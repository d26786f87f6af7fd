"""kill -9 of the app mid-session, then a restart: the transaction a charger was told about is there, with its
id, and the session's energy is exact (1.6J and 2.0.1, real sockets, the simulated chargers; on SQLite and on a
real PostgreSQL server)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
import websockets
from psycopg.rows import dict_row

from sim import charger201
from sim.charger16 import connect as connect16
from tests.csms.support.helpers import BOOT

from .app_process import start_app
from .postgres_server import PASSWORD

Transactions = Callable[[], dict[str, dict[str, Any]]]


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[list[str], Transactions]:
    """The app's database flags, and its transactions table read as the web UI or an export would (by id)."""
    if request.param == "sqlite":

        def from_sqlite() -> dict[str, dict[str, Any]]:
            with contextlib.closing(sqlite3.connect(tmp_path / "data" / "ocpp_core.db")) as db:
                db.row_factory = sqlite3.Row
                return {row["transaction_id"]: dict(row) for row in db.execute("SELECT * FROM transactions")}

        return [], from_sqlite
    url = request.getfixturevalue("postgres_server").new_database()

    def from_postgres() -> dict[str, dict[str, Any]]:
        with psycopg.connect(url, row_factory=dict_row) as db:
            return {row["transaction_id"]: row for row in db.execute("SELECT * FROM transactions")}

    return ["--database-url", url], from_postgres


def assert_backend(data: Path, flags: list[str], output: str) -> None:
    """The database the flags chose: no SQLite file beside PostgreSQL, and never its password in the log."""
    assert (data / "ocpp_core.db").exists() == (not flags)
    if flags:
        assert "(database postgresql://postgres:***@127.0.0.1:" in output and PASSWORD not in output


async def test_kill_mid_session_16(tmp_path: Path, database: tuple[list[str], Transactions]) -> None:
    flags, transactions = database
    data = tmp_path / "data"
    app = start_app(data, "--max-message-rate", "0", *flags)
    try:
        cp, task, _ws = await connect16(app.url, "kill16")
        await cp.boot()
        connector = cp.sim.connectors[1]
        meter_start = int(connector.energy_wh)
        tx_id = await cp.start_transaction(1, "TAG-1")
        for _ in range(5):
            await cp.send_meter_values(1, seconds=60)
        # told about, not stopped: what the charger knows now must survive
        app.kill()
        task.cancel()
        assert transactions()[str(tx_id)]["open"] == 1

        app = start_app(data, "--max-message-rate", "0", *flags, port=app.port)
        cp2, task2, ws2 = await connect16(app.url, "kill16")
        cp2.sim.connectors[1].energy_wh = connector.energy_wh
        cp2.sim.connectors[1].transaction_id = tx_id
        await cp2.boot()
        await cp2.stop_transaction(1)
        meter_stop = int(connector.energy_wh)
        # ids go on after the restart: none handed out twice
        assert await cp2.start_transaction(1, "TAG-2") == tx_id + 1
        await ws2.close()
        task2.cancel()
    finally:
        assert app.stop() == 0
    row = transactions()[str(tx_id)]
    assert (row["open"], row["connector_id"], row["id_tag"]) == (0, 1, "TAG-1")
    assert (row["meter_start_wh"], row["meter_stop_wh"]) == (meter_start, meter_stop)
    assert row["energy_wh"] == meter_stop - meter_start > 0
    assert transactions()[str(tx_id + 1)]["open"] == 1  # still charging at the clean stop: kept open
    assert "session " + str(tx_id) + " ended" in app.output()
    assert_backend(data, flags, app.output())


async def test_kill_mid_session_201(tmp_path: Path, database: tuple[list[str], Transactions]) -> None:
    flags, transactions = database
    data = tmp_path / "data"
    app = start_app(data, "--max-message-rate", "0", *flags)
    try:
        station = await charger201.connect(app.url, "kill201")
        await station.boot()
        async with asyncio.timeout(10):
            await station.settle()
        evse = station.sim.evses[1]
        meter_start = evse.energy_wh
        tx_id = await station.start_transaction(1, "TAG-1")
        for _ in range(5):
            await station.update_transaction(1, seconds=60)
        app.kill()
        with contextlib.suppress(Exception):
            await station.close()
        assert transactions()[tx_id]["open"] == 1

        app = start_app(data, "--max-message-rate", "0", *flags, port=app.port)
        await station.reconnect(statuses=False)
        await station.stop_transaction(1)
        meter_stop = evse.energy_wh
        await station.close()
    finally:
        assert app.stop() == 0
    row = transactions()[tx_id]
    assert (row["open"], row["id_tag"], row["stop_reason"]) == (0, "TAG-1", "Local")
    assert row["meter_start_wh"] == meter_start
    assert row["energy_wh"] == meter_stop - meter_start > 0
    assert_backend(data, flags, app.output())


def _message_log(data: Path, flags: list[str], station_id: str) -> list[tuple[int, str, str]]:
    """(seq, direction, frame) of the charger's message log in the store, oldest first."""
    query = "SELECT seq, direction, frame FROM message_log WHERE station_id = %s ORDER BY seq"
    if flags:
        with psycopg.connect(flags[1]) as db:
            return [tuple(row) for row in db.execute(query, (station_id,))]  # type: ignore[misc]
    with contextlib.closing(sqlite3.connect(data / "ocpp_core.db")) as db:
        return list(db.execute(query.replace("%s", "?"), (station_id,)))


async def test_kill_keeps_the_message_log_up_to_a_second_before(
    tmp_path: Path, database: tuple[list[str], Transactions]
) -> None:
    """The message log is written as it goes: after a kill -9 the store has every frame of more than a second
    before it (a secret redacted), not only those of the last disconnect."""
    flags, _ = database
    data = tmp_path / "data"
    app = start_app(data, "--max-message-rate", "0", *flags)
    try:
        ws = await websockets.connect(f"{app.url}/log16", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
        await ws.send(json.dumps([2, "boot", "BootNotification", BOOT]))
        await ws.recv()
        for n in range(20):
            await ws.send(json.dumps([2, f"hb{n}", "Heartbeat", {}]))
            await ws.recv()
        secret = {"vendorId": "com.example", "messageId": "login", "data": "x", "password": "hunter2-secret"}
        await ws.send(json.dumps([2, "dt", "DataTransfer", secret]))
        await ws.recv()
        await asyncio.sleep(2.5)  # more than a second: on disk by now
        app.kill()
        with contextlib.suppress(Exception):
            await ws.close()
        app = start_app(data, "--max-message-rate", "0", *flags, port=app.port)
        log = _message_log(data, flags, "log16")
    finally:
        assert app.stop() == 0
    frames = [(direction, json.loads(frame)) for _, direction, frame in log]
    sent = [frame[1] for direction, frame in frames if direction == "in" and frame[0] == 2]
    answered = [frame[1] for direction, frame in frames if direction == "out" and frame[0] != 2]
    expected = ["boot", *(f"hb{n}" for n in range(20)), "dt"]
    assert sent[: len(expected)] == expected and answered[: len(expected)] == expected
    assert [seq for seq, _, _ in log] == list(range(len(log)))
    assert not any("hunter2" in frame for _, _, frame in log) and any("REDACTED" in frame for _, _, frame in log)
