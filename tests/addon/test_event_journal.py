"""The resumable event stream of the app as the add-on runs it (a subprocess, SQLite and a real PostgreSQL server,
real simulated chargers): a client dropped mid-session reconnects with its cursor and gets exactly the events it
missed, in order, then the live ones; across a restart of the app (clean and kill -9) the seq numbers go on."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sim.charger16 import connect as connect16

from .api_client import client_session
from .app_process import App, free_port, start_app
from .test_kill_restart import Transactions, database  # noqa: F401 (the fixture: SQLite and PostgreSQL)

TOKEN = "journal-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# the state events: a replay gives only the latest of each (type, charger, connector)
COALESCED = {"connector_updated", "station_updated", "limit", "authentication", "device_model", "monitoring_report"}


def _start(data: Path, flags: list[str], ui_port: int, port: int | None = None) -> App:
    return start_app(
        data, "--ui-port", str(ui_port), "--api-token", TOKEN, "--max-message-rate", "0", *flags, port=port
    )


async def _get(http: aiohttp.ClientSession, ui_port: int, path: str) -> tuple[int, Any]:
    async with http.get(f"http://127.0.0.1:{ui_port}/api/v1{path}", headers=AUTH) as response:
        return response.status, await response.json()


async def _read_until(
    ws: aiohttp.ClientWebSocketResponse, done: Any, seen: list[dict[str, Any]], timeout: float = 20
) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            message = await ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, message
            event: dict[str, Any] = json.loads(message.data)
            seen.append(event)
            if done(event):
                return event


def _coalesced(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a replay of these events gives: each one, the state events only the last of each key."""
    last: dict[tuple[Any, ...], int] = {}
    for event in events:
        if event["type"] in COALESCED:
            last[(event["type"], event["station_id"], event["connector_id"])] = event["seq"]
    return [
        e
        for e in events
        if e["type"] not in COALESCED or last[(e["type"], e["station_id"], e["connector_id"])] == e["seq"]
    ]


def _shape(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["seq"], e["type"], e["station_id"], e["connector_id"]) for e in events]


async def _replay(
    http: aiohttp.ClientSession, ui_port: int, since: int, stream: str
) -> tuple[list[dict[str, Any]], aiohttp.ClientWebSocketResponse]:
    ws = await http.ws_connect(f"http://127.0.0.1:{ui_port}/api/v1/events?since={since}&stream={stream}", headers=AUTH)
    seen: list[dict[str, Any]] = []
    marker = await _read_until(ws, lambda e: e["type"] == "replayed", seen)
    assert marker["seq"] >= since
    return seen[:-1], ws


async def test_a_dropped_client_gets_exactly_what_it_missed(
    tmp_path: Path,
    database: tuple[list[str], Transactions],  # noqa: F811
) -> None:
    flags, _ = database
    data, ui_port = tmp_path / "data", free_port()
    app = _start(data, flags, ui_port)
    try:
        async with client_session() as http:
            cp, task, charger_ws = await connect16(app.url, "J16", connectors=1)
            await cp.boot()
            status, snapshot = await _get(http, ui_port, "/snapshot")
            assert status == 200 and [c["id"] for c in snapshot["chargers"]] == ["J16"]
            stream = snapshot["stream"]
            # a witness that stays connected throughout: what the dropped client must get afterwards
            witness = await http.ws_connect(f"http://127.0.0.1:{ui_port}/api/v1/events", headers=AUTH)
            client = await http.ws_connect(
                f"http://127.0.0.1:{ui_port}/api/v1/events?since={snapshot['seq']}&stream={stream}", headers=AUTH
            )
            seen: list[dict[str, Any]] = []
            await cp.start_transaction(1, "TAG-J")
            started = await _read_until(client, lambda e: e["type"] == "transaction_started", seen)
            cursor = seen[-1]["seq"]
            await client.close()  # dropped mid-session
            witnessed: list[dict[str, Any]] = []
            await _read_until(witness, lambda e: e["seq"] >= cursor, witnessed)
            for _ in range(3):
                await cp.send_meter_values(1, seconds=60)
            await cp.authorize("TAG-J")
            await cp.stop_transaction(1)
            ended = await _read_until(witness, lambda e: e["type"] == "transaction_ended", witnessed)
            await cp.heartbeat()
            await _read_until(witness, lambda e: e["type"] == "station_updated", witnessed)
            missed = [e for e in witnessed if e["seq"] > cursor]

            replayed, client = await _replay(http, ui_port, cursor, stream)
            assert _shape(replayed) == _shape(_coalesced(missed))
            assert replayed == _coalesced(missed)  # the same messages, state and all
            discrete = [e["type"] for e in replayed if e["type"] not in COALESCED]
            assert discrete.count("transaction_ended") == 1 and "authorize" in discrete
            assert ended["data"]["transaction_id"] == started["data"]["transaction_id"]
            last_update = [e for e in replayed if e["type"] == "connector_updated"][-1]
            assert "state" not in last_update  # a connector's state goes once: in `mirror`
            connector = last_update["mirror"]["connector"]
            assert connector["transaction"] is None  # the latest state: the session is over
            register = [r[2] for r in connector["readings"] if r[0] == "Energy.Active.Import.Register"]
            assert register == [pytest.approx(cp.sim.connectors[1].energy_wh, abs=1)]
            # then live, the seam without a gap: the next event is the next seq
            await cp.heartbeat()
            live: list[dict[str, Any]] = []
            await _read_until(client, lambda e: e["type"] == "station_updated", live)
            assert live[0]["seq"] == missed[-1]["seq"] + 1
            await client.close()
            await witness.close()

            # cursors it cannot continue: refused, with where the stream is
            for query in (f"since={cursor}&stream=another", f"since={live[-1]['seq'] + 5}", "since=-1", "since=x"):
                async with http.get(f"http://127.0.0.1:{ui_port}/api/v1/events?{query}", headers=AUTH) as response:
                    body = await response.json()
                    assert response.status in (400, 410), (query, body)
                    if response.status == 410:
                        assert body["error"] == "cursor_expired" and body["stream"] == stream
            await charger_ws.close()
            task.cancel()
    finally:
        assert app.stop() == 0


@pytest.mark.parametrize("how", ["stop", "kill"])
async def test_the_stream_goes_on_across_a_restart(
    tmp_path: Path,
    database: tuple[list[str], Transactions],  # noqa: F811
    how: str,
) -> None:
    flags, _ = database
    data, ui_port = tmp_path / "data", free_port()
    app = _start(data, flags, ui_port)
    try:
        async with client_session() as http:
            cp, task, charger_ws = await connect16(app.url, "R16", connectors=1)
            await cp.boot()
            _, snapshot = await _get(http, ui_port, "/snapshot")
            stream = snapshot["stream"]
            seen: list[dict[str, Any]] = []
            client = await http.ws_connect(f"http://127.0.0.1:{ui_port}/api/v1/events", headers=AUTH)
            tx_id = await cp.start_transaction(1, "TAG-R")
            await _read_until(client, lambda e: e["type"] == "transaction_started", seen)
            cursor = seen[-1]["seq"]
            await client.close()
            await cp.stop_transaction(1)
            await asyncio.sleep(2.5)  # written (the journal's debounced save), then the add-on goes away
            if how == "kill":
                app.kill()
            else:
                assert app.stop() == 0
            await charger_ws.close()
            task.cancel()

            app = _start(data, flags, ui_port, port=app.port)
            _, after = await _get(http, ui_port, "/snapshot")
            assert after["stream"] == stream  # the same stream: the cursor still holds
            if how == "stop":
                assert after["seq"] > cursor
            cp2, task2, ws2 = await connect16(app.url, "R16", connectors=1)
            await cp2.boot()
            replayed, client = await _replay(http, ui_port, cursor, stream)
            types = [e["type"] for e in replayed]
            seqs = [e["seq"] for e in replayed]
            assert seqs == sorted(set(seqs)) and seqs[0] > cursor
            ended = [e for e in replayed if e["type"] == "transaction_ended"]
            assert [e["data"]["transaction_id"] for e in ended] == [str(tx_id)]  # once, from before the restart
            assert types.index("transaction_ended") < types.index("booted")  # in order across the restart
            if how == "stop":  # a clean stop writes everything: the next run numbers on without a gap
                assert "disconnected" in types[: types.index("booted")]
            else:  # after a kill -9 the numbers jump ahead (seqs a client may have seen are never reused)
                before, new = [s for s in seqs if s <= after["seq"]], [s for s in seqs if s > after["seq"]]
                assert before and new and new[0] > before[-1] + 1000
            await client.close()
            await ws2.close()
            task2.cancel()
    finally:
        assert app.stop() == 0
