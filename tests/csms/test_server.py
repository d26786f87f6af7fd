"""Who may connect, and in which OCPP version."""

from __future__ import annotations

import asyncio

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence
from custom_components.ocpp_core.csms.transport.server import (
    InvalidChargePointId,
    charge_point_id_from_path,
    choose_subprotocol,
)

from .support.helpers import RawCharger, wait_for


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/CP1", "CP1"),
        ("/ocpp/ws/CP1", "CP1"),
        ("/ocpp/CP%201%2Fa", "CP 1/a"),
        ("/steve/websocket/CentralSystemService/KEBA-1/", "KEBA-1"),
        ("/x/%C3%A9t%C3%A9?token=1", "été"),
    ],
)
def test_charge_point_id_from_path(path: str, expected: str) -> None:
    assert charge_point_id_from_path(path) == expected


@pytest.mark.parametrize("path", ["/", "", "/" + "a" * 49, "/cp%0Aid", "/cp%00", "/cp%7F", "/%FF%FE"])
def test_bad_ids_rejected(path: str) -> None:
    with pytest.raises(InvalidChargePointId):
        charge_point_id_from_path(path)


@pytest.mark.parametrize("path", ["/", "/" + "a" * 49, "/cp%0Aid", "/%FF"])
async def test_bad_ids_refused_before_upgrade(url: str, path: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(url + path, subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    assert refused.value.response.status_code == 400


def test_subprotocol_in_chargers_order() -> None:
    assert choose_subprotocol(["ocpp2.1", "ocpp1.6"]) == "ocpp2.1"
    assert choose_subprotocol(["ocpp1.6", "ocpp2.0.1"]) == "ocpp1.6"
    assert choose_subprotocol(["ocpp1.5", "ocpp2.0.1"]) == "ocpp2.0.1"
    assert choose_subprotocol(["ocpp1.5"]) is None
    assert choose_subprotocol(["ocpp2.0.1", "ocpp1.6"], supported=("ocpp1.6",)) == "ocpp1.6"


async def test_negotiates_16(url: str) -> None:
    charger = await RawCharger.connect(url, "neg", ["ocpp1.5", "ocpp1.6"])
    assert charger.ws.subprotocol == "ocpp1.6"
    await charger.close()


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["ocpp2.1", "ocpp2.0.1", "ocpp1.6"], "ocpp2.1"),
        (["ocpp2.0.1", "ocpp1.6"], "ocpp2.0.1"),
        (["ocpp1.6", "ocpp2.1"], "ocpp1.6"),
        (["ocpp2.1"], "ocpp2.1"),
    ],
)
async def test_negotiates_every_version(central: CentralSystem, url: str, offered: list[str], chosen: str) -> None:
    """The server offers OCPP 1.6, 2.0.1 and 2.1, and takes the charger's first choice it speaks."""
    charger = await RawCharger.connect(url, "neg-all", offered)
    assert charger.ws.subprotocol == chosen
    await wait_for(lambda: "neg-all" in central.stations)
    assert central.stations["neg-all"].ocpp_version == chosen
    await charger.close()


async def test_no_subprotocol_means_16(central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture) -> None:
    ws = await websockets.connect(f"{url}/nosub")
    assert ws.subprotocol is None
    await ws.send('[2, "1", "Heartbeat", {}]')
    reply = await asyncio.wait_for(ws.recv(), 5)
    assert reply.startswith('[3,"1"')
    assert "treating it as OCPP 1.6" in caplog.text
    await ws.close()


async def test_two_subprotocol_headers_none_of_ours_mean_16(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The header may come more than once (it used to break the connection handler: close 1011)."""
    headers = [("Sec-WebSocket-Protocol", "ocpp1.5"), ("Sec-WebSocket-Protocol", "ocpp9")]
    ws = await websockets.connect(f"{url}/twosub", additional_headers=headers)
    assert ws.subprotocol is None
    await ws.send('[2, "1", "Heartbeat", {}]')
    reply = await asyncio.wait_for(ws.recv(), 5)
    assert reply.startswith('[3,"1"')
    assert "twosub offered no OCPP version we speak (ocpp1.5, ocpp9)" in caplog.text
    await ws.close()


async def test_a_peer_that_stopped_reading_does_not_hold_the_others_keepalive(
    central_config: CentralSystemConfig, persistence: MemoryPersistence
) -> None:
    """One keepalive pings every charger: a peer whose transport is paused (it stopped reading) makes its Ping
    wait for a drain that never comes; that peer is closed after the timeout, and the others are still pinged."""
    central_config.ping_interval = 0.05
    central_config.ping_timeout = 0.2
    central_config.close_timeout = 0.2
    central = CentralSystem(central_config, persistence)
    await central.start()
    try:
        stuck = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "stuck")
        healthy = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "healthy")
        await wait_for(lambda: central.is_connected("stuck") and central.is_connected("healthy"))
        server = central._server._server  # websockets' Server: its connections, as the keepalive sees them
        assert server is not None
        (connection,) = [c for c in server.connections if c.request is not None and c.request.path == "/stuck"]
        connection.paused = True  # as asyncio's pause_writing leaves it: a drain now waits
        await wait_for(lambda: not central.is_connected("stuck"), timeout=5)
        # the round went on: the healthy charger is still connected after several more rounds
        await asyncio.sleep(0.5)
        assert central.is_connected("healthy")
        await healthy.close()
        await stuck.close()
    finally:
        await central.stop()


async def test_silent_peer_dropped_by_keepalive(
    central_config: CentralSystemConfig, persistence: MemoryPersistence
) -> None:
    """A peer that never answers pings (a hand-written handshake, nothing more) is dropped."""
    central_config.ping_interval = 0.05
    central_config.ping_timeout = 0.1
    central_config.close_timeout = 0.2
    central = CentralSystem(central_config, persistence)
    await central.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", central.port)
    writer.write(
        b"GET /silent HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n"
    )
    status = await reader.readline()
    assert b"101" in status
    await asyncio.sleep(0.02)
    assert central.is_connected("silent")
    async with asyncio.timeout(3):
        while central.is_connected("silent"):
            await asyncio.sleep(0.02)
    writer.close()
    await central.stop()
