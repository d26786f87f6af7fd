"""GET /events: the central system's events as JSON over a WebSocket; a client too slow for it is dropped."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from ocpp_core_app.central_import import csms

from sim.charger16 import connect as connect16
from tests.csms.support.helpers import wait_for

from .api_client import AUTH, TOKEN, running_api


async def _until(ws: aiohttp.ClientWebSocketResponse, wanted: str, seen: list[dict[str, Any]]) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            message = await ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, message
            event: dict[str, Any] = json.loads(message.data)
            seen.append(event)
            if event["type"] == wanted:
                return event


async def test_stream_delivers_a_meter_update_and_a_session_end() -> None:
    async with running_api() as api, api.http.ws_connect(api.base + "/events", headers=AUTH) as ws:
        cp, task, charger_ws = await connect16(api.ocpp_url, "CP1", connectors=1)
        seen: list[dict[str, Any]] = []
        await cp.boot()
        booted = await _until(ws, "booted", seen)
        assert booted["station_id"] == "CP1" and booted["data"]["registration_status"] == "Accepted"
        await wait_for(lambda: api.central.stations["CP1"].configuration_time is not None)
        await cp.start_transaction(1, "TAG1")
        started = await _until(ws, "transaction_started", seen)
        assert (started["connector_id"], started["data"]["id_tag"]) == (1, "TAG1")
        await cp.send_meter_values(1)
        while True:  # the connector update that carries the new reading
            update = await _until(ws, "connector_updated", seen)
            if api.central.stations["CP1"].connectors[1].reading("Power.Active.Import"):
                break
        assert update["station_id"] == "CP1" and update["connector_id"] == 1
        await cp.stop_transaction(1)
        ended = await _until(ws, "transaction_ended", seen)
        assert ended["data"]["transaction_id"] == started["data"]["transaction_id"]
        assert ended["data"]["energy_wh"] > 0
        assert {"seq", "type", "station_id", "connector_id", "data", "mirror"} == set(ended)
        assert ended["mirror"]["connector"]["transaction"] is None  # (what the integration's mirror needs)
        assert ended["mirror"]["counters"]["sessions"] == 1  # the charger's session count went up with it
        # the connector's state once, in `mirror` (no `state` beside it)
        assert {"seq", "type", "station_id", "connector_id", "data", "mirror"} == set(update)
        assert update["mirror"]["connector"]["transaction"]["transaction_id"] == started["data"]["transaction_id"]
        assert [e["seq"] for e in seen] == list(range(seen[0]["seq"], seen[0]["seq"] + len(seen)))
        await charger_ws.close()
        task.cancel()


async def test_a_slow_client_is_dropped_and_blocks_nothing() -> None:
    async with running_api(event_queue_size=5) as api:
        async with api.http.ws_connect(api.base + "/events?token=" + TOKEN) as slow:
            await wait_for(lambda: len(api.server.app["event_clients"]) == 1)
            # a burst the pump gets no turn in: emit never waits for the client, its queue overflows
            for number in range(50):
                api.central.events.emit(csms.Event(csms.EventType.STATION_UPDATED, f"S{number}"))
            received = []
            async with asyncio.timeout(10):
                while (message := await slow.receive()).type is aiohttp.WSMsgType.TEXT:
                    received.append(json.loads(message.data))
            assert message.type is aiohttp.WSMsgType.CLOSE
            assert slow.close_code == aiohttp.WSCloseCode.POLICY_VIOLATION
            assert len(received) <= 5
        await wait_for(lambda: not api.server.app["event_clients"])
        # another client still gets the stream
        async with api.http.ws_connect(api.base + "/events", headers=AUTH) as ws:
            await wait_for(lambda: len(api.server.app["event_clients"]) == 1)
            api.central.events.emit(csms.Event(csms.EventType.STATION_UPDATED, "S1", data={"x": 1}))
            message = await ws.receive(timeout=10)
            expected = {"type": "station_updated", "station_id": "S1", "connector_id": None, "data": {"x": 1}}
            assert {k: v for k, v in json.loads(message.data).items() if k != "seq"} == expected
