"""The integration's client of the add-on's API (remote/client.py) against the real app process and simulated
chargers: the snapshot, commands with the charger's answer, every failure as its exception, the event stream
resumed from its cursor across a kill -9 of the add-on, and the token in no log line."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from custom_components.ocpp_core.remote import client as client_module
from custom_components.ocpp_core.remote.client import AddonClient
from custom_components.ocpp_core.remote.errors import (
    AddonOutdated,
    AddonUnreachable,
    AuthFailed,
    ChargerOffline,
    ChargerRefused,
    CommandTimeout,
    RequestRefused,
    raise_for,
)
from sim.charger16 import connect as connect16
from tests.csms.support.helpers import BOOT, RawCharger, wait_for

from .api_client import client_session
from .app_process import free_port, start_app

TOKEN = "client-token-0123456789abcdef"


def test_a_route_the_addon_has_not_got_means_it_is_older() -> None:
    """404 for a path it does not know (also without JSON: a proxy before it), 405 for a method it does not take
    there; a 404 with the add-on's own code (no such charger, tag, command) stays a refusal."""
    for status, body in ((404, {"error": "not_found"}), (404, None), (405, {"error": "method_not_allowed"})):
        with pytest.raises(AddonOutdated) as outdated:
            raise_for(status, body, "PUT /options")
        assert (outdated.value.request, outdated.value.status) == ("PUT /options", status)
        assert "PUT /options" in str(outdated.value)
    with pytest.raises(RequestRefused):
        raise_for(404, {"error": "unknown_charger", "message": "no charger 'X'"}, "DELETE /chargers/X")


async def test_commands_snapshot_and_errors(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ui_port = free_port()
    app = start_app(tmp_path / "data", "--ui-port", str(ui_port), "--api-token", TOKEN, "--max-message-rate", "0")
    try:
        async with client_session() as http:
            api = AddonClient(http, "127.0.0.1", ui_port, TOKEN)
            assert TOKEN not in repr(api)
            await api.validate()
            cp, task, charger_ws = await connect16(app.url, "C16", connectors=1)
            await cp.boot()
            await wait_for(lambda: cp.sim.connectors[1] is not None)
            snapshot = await api.snapshot()
            assert [c["id"] for c in snapshot.chargers] == ["C16"] and snapshot.seq > 0
            answer = await api.start_transaction("C16", "TAG-C", connector_id=1)
            assert answer == {"status": "Accepted"}
            await wait_for(lambda: cp.sim.connectors[1].transaction_id is not None)
            # the connector is busy: the charger's refusal, with its answer
            with pytest.raises(ChargerRefused) as refused:
                await api.start_transaction("C16", "TAG-D", connector_id=1)
            assert refused.value.answer == {"status": "Rejected"}
            assert (await api.stop_transaction("C16", connector_id=1)) == {"status": "Accepted"}
            assert (await api.command("C16", "reset", type="Soft")) == {"status": "Accepted"}
            added = await api.add_tag("CARD-1", name="Anna")
            assert added["name"] == "Anna" and [t["id_tag"] for t in await api.tags()] == ["CARD-1"]
            with pytest.raises(RequestRefused) as duplicate:
                await api.add_tag("card-1")
            assert duplicate.value.code == "duplicate_tag"
            with pytest.raises(RequestRefused) as unknown:
                await api.command("NOPE", "reset")
            assert (unknown.value.code, unknown.value.status) == ("unknown_charger", 404)
            with pytest.raises(RequestRefused):
                await api.command("C16", "no_such_command")
            await charger_ws.close()
            task.cancel()
            async with asyncio.timeout(20):  # until the add-on noticed the close
                while (await api.charger("C16"))["connected"]:
                    await asyncio.sleep(0.05)
            with pytest.raises(ChargerOffline):
                await api.command("C16", "clear_cache")
            # a charger that never answers: the client's own time limit
            raw = await RawCharger.connect(app.url, "SILENT")
            assert (await raw.call("BootNotification", BOOT))[2]["status"] == "Accepted"
            client_module_timeout = client_module.COMMAND_TIMEOUT
            try:
                client_module.COMMAND_TIMEOUT = 1.0
                with pytest.raises(CommandTimeout):
                    await api.command("SILENT", "clear_cache")
            finally:
                client_module.COMMAND_TIMEOUT = client_module_timeout
            await raw.close()
            with pytest.raises(AuthFailed) as wrong:
                await AddonClient(http, "127.0.0.1", ui_port, "wrong-token-0123456789").validate()
            assert wrong.value.status == 401
            with pytest.raises(AddonUnreachable):
                await AddonClient(http, "127.0.0.1", free_port(), TOKEN).validate()
    finally:
        assert app.stop() == 0
    assert caplog.records and TOKEN not in caplog.text


async def test_the_event_stream_resumes_across_a_kill_of_the_addon(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data, ui_port = tmp_path / "data", free_port()
    flags = ("--ui-port", str(ui_port), "--api-token", TOKEN, "--max-message-rate", "0")
    app = start_app(data, *flags)
    received: list[dict[str, Any]] = []
    connection: list[bool] = []
    try:
        async with client_session() as http:
            api = AddonClient(http, "127.0.0.1", ui_port, TOKEN)
            cp, task, charger_ws = await connect16(app.url, "S16", connectors=1)
            await cp.boot()
            snapshot = await api.snapshot()

            async def consume() -> None:
                async for event in api.events(
                    snapshot.seq, snapshot.stream, on_connection=connection.append, backoff=(0.2,)
                ):
                    received.append(event)

            consumer = asyncio.create_task(consume())
            tx_id = await cp.start_transaction(1, "TAG-S")
            await wait_for(lambda: any(e["type"] == "transaction_started" for e in received), timeout=20)
            await cp.stop_transaction(1)
            await wait_for(lambda: any(e["type"] == "transaction_ended" for e in received), timeout=20)
            await asyncio.sleep(2)  # written, then the add-on is killed under the client
            app.kill()
            await charger_ws.close()
            task.cancel()
            await wait_for(lambda: False in connection, timeout=20)
            app = start_app(data, *flags, port=app.port)
            cp2, task2, ws2 = await connect16(app.url, "S16", connectors=1)
            await cp2.boot()
            await wait_for(lambda: any(e["type"] == "booted" for e in received), timeout=30)
            consumer.cancel()
            with pytest.raises(asyncio.CancelledError):
                await consumer
            await ws2.close()
            task2.cancel()
    finally:
        assert app.stop() == 0
    events = [e for e in received if e["type"] != "replayed"]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(set(seqs)) and seqs[0] > snapshot.seq  # in order, none twice
    ended = [e for e in events if e["type"] == "transaction_ended"]
    assert [e["data"]["transaction_id"] for e in ended] == [str(tx_id)]
    assert connection[0] is True and connection.count(True) >= 2 and False in connection
    assert TOKEN not in caplog.text
