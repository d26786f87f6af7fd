"""An answer is written to the socket directly (transport/fastsend.py), byte for byte what websockets would send,
and through websockets' own `Connection.send` whenever the connection is not plainly open and idle."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.asyncio.connection import Connection
from websockets.frames import Frame, Opcode

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.transport import fastsend
from custom_components.ocpp_core.csms.transport.fastsend import frame_header

from .support.helpers import BOOT, RawCharger, only_with_known_websockets


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 900, 65535, 65536, 70000])
def test_frame_header_is_websockets_own(length: int) -> None:
    data = b"x" * length
    assert frame_header(length) + data == Frame(Opcode.TEXT, data).serialize(mask=False)


@pytest.fixture
def library_sends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts that went through websockets' Connection.send (from any connection in the test)."""
    sent: list[str] = []
    original = Connection.send

    async def counted(self: Connection, message: Any, text: bool | None = None) -> None:
        if isinstance(message, str):
            sent.append(message)
        await original(self, message, text=text)

    monkeypatch.setattr(Connection, "send", counted)
    return sent


@only_with_known_websockets
async def test_answers_bypass_connection_send(url: str, library_sends: list[str]) -> None:
    charger = await RawCharger.connect(url, "fast-send")
    assert (await charger.call("BootNotification", BOOT, message_id="b1"))[:2] == [3, "b1"]
    for i in range(20):
        reply = await charger.call("Heartbeat", {}, message_id=f"h{i}")
        assert reply[:2] == [3, f"h{i}"] and "currentTime" in reply[2]
    await charger.close()
    # the charger's own 21 CALLs and its answers to the server's calls went through send; no server answer did
    assert not [text for text in library_sends if json.loads(text)[0] == 3 and str(json.loads(text)[1])[0] in "bh"]


async def test_paused_transport_goes_through_connection_send(
    url: str, central: CentralSystem, library_sends: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flow control (a full write buffer) is websockets' job: the fast path steps aside."""
    charger = await RawCharger.connect(url, "fast-send-paused")
    await charger.call("BootNotification", BOOT, message_id="b1")
    original = fastsend.send_text_now
    declined: list[str] = []

    def as_if_paused(connection: Connection, text: str) -> bool:
        if connection.protocol.side is fastsend.SERVER:
            connection.paused = True
            try:
                written = original(connection, text)
            finally:
                connection.paused = False
            assert not written
            declined.append(text)
            return written
        return original(connection, text)

    monkeypatch.setattr("custom_components.ocpp_core.csms.session.send_text_now", as_if_paused)
    reply = await charger.call("Heartbeat", {}, message_id="slow1")
    assert reply[:2] == [3, "slow1"]
    assert any(json.loads(text)[1] == "slow1" for text in declined)
    assert any(json.loads(text)[:2] == [3, "slow1"] for text in library_sends)  # sent the library's way
    await charger.close()


async def test_another_websockets_release_goes_through_connection_send(
    url: str, library_sends: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The internals read are 15.0.1's: with any other release installed, every answer takes the library's way."""
    monkeypatch.setattr(fastsend, "KNOWN_WEBSOCKETS", False)
    charger = await RawCharger.connect(url, "fast-send-other")
    assert (await charger.call("BootNotification", BOOT, message_id="b1"))[:2] == [3, "b1"]
    assert (await charger.call("Heartbeat", {}, message_id="h1"))[:2] == [3, "h1"]
    await charger.close()
    assert any(json.loads(text)[:2] == [3, "h1"] for text in library_sends)
