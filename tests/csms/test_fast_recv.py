"""A charger's frame is read without websockets' parser when a read holds exactly one text frame
(transport/fastrecv.py); every other read (fragments, control frames, partial or several frames, bad frames)
takes websockets' own path, over a real socket, and ends as websockets would end it."""

from __future__ import annotations

import asyncio
import json
import os
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import SERVER, Protocol

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig
from custom_components.ocpp_core.csms.transport import fastrecv
from custom_components.ocpp_core.csms.transport.fastrecv import between_frames, one_text_frame

from .support.helpers import BOOT, only_with_known_websockets

MAX_FRAME = 4096


def raw_frame(first: int, payload: bytes, mask: bytes | None = b"\x01\x02\x03\x04") -> bytes:
    """A frame built by hand (websockets' own `Frame.serialize` refuses RSV bits): `first` is its first byte."""
    length = len(payload)
    size = (
        bytes((length,))
        if length < 126
        else b"\x7e" + length.to_bytes(2)
        if length < 65536
        else b"\x7f" + length.to_bytes(8)
    )
    if mask is None:
        return bytes((first,)) + size + payload
    masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    return bytes((first, size[0] | 0x80)) + size[1:] + mask + masked


@pytest.fixture
def central_config() -> CentralSystemConfig:
    return CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, max_frame_size=MAX_FRAME)


# ---- the frame check, against websockets' own serialization -------------------------------------------


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 900, 65535, 65536, 70000])
def test_one_text_frame_reads_what_websockets_writes(length: int) -> None:
    data = os.urandom(length)
    assert one_text_frame(Frame(Opcode.TEXT, data).serialize(mask=True), None) == data


@pytest.mark.parametrize(
    "frame",
    [
        Frame(Opcode.TEXT, b"[2]", fin=False),  # the first fragment of a message
        Frame(Opcode.CONT, b"[2]"),
        Frame(Opcode.BINARY, b"[2]"),
    ],
    ids=["fragment", "continuation", "binary"],
)
def test_one_text_frame_refuses_other_frames(frame: Frame) -> None:
    assert one_text_frame(frame.serialize(mask=True), None) is None


@pytest.mark.parametrize("rsv", [0x40, 0x20, 0x10])
def test_one_text_frame_refuses_rsv_bits(rsv: int) -> None:
    assert one_text_frame(raw_frame(0x81, b"[2]"), None) == b"[2]"
    assert one_text_frame(raw_frame(0x81 | rsv, b"[2]"), None) is None


def test_one_text_frame_refuses_unmasked_partial_several_and_oversized() -> None:
    whole = Frame(Opcode.TEXT, b"x" * 300).serialize(mask=True)
    assert one_text_frame(Frame(Opcode.TEXT, b"x" * 300).serialize(mask=False), None) is None
    assert one_text_frame(whole[:-1], None) is None
    assert one_text_frame(whole[:3], None) is None
    assert one_text_frame(whole + whole, None) is None
    assert one_text_frame(whole, 299) is None
    assert one_text_frame(whole, 300) == b"x" * 300


def test_between_frames_follows_websockets_parser() -> None:
    protocol = Protocol(SERVER)
    whole = Frame(Opcode.TEXT, b"x" * 300).serialize(mask=True)
    assert between_frames(protocol.parser)
    protocol.receive_data(whole[:4])  # the header read, the mask not: the buffer is empty, the frame is not done
    assert not protocol.reader.buffer
    assert not between_frames(protocol.parser)
    protocol.receive_data(whole[4:])
    assert between_frames(protocol.parser)
    assert [frame.data for frame in protocol.events_received()] == [b"x" * 300]


# ---- over a real socket ----------------------------------------------------------------------------------


class RawSocketCharger:
    """A charger writing WebSocket frames by hand, as they come (masks, fragments, control frames)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int, station: str) -> RawSocketCharger:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"GET /{station} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n".encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    async def write(self, *chunks: bytes) -> None:
        """Each chunk in a write of its own, the server's reads apart (drained, then a turn of the loop)."""
        for chunk in chunks:
            self.writer.write(chunk)
            await self.writer.drain()
            await asyncio.sleep(0.01)

    async def _read(self) -> tuple[int, bytes]:
        try:
            head = await asyncio.wait_for(self.reader.readexactly(2), 5)
            length = head[1] & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
            return head[0] & 0x0F, await self.reader.readexactly(length)
        except asyncio.IncompleteReadError:
            return -1, b""

    async def frame(self) -> tuple[int, bytes]:
        """The server's next frame but its own CALLs (GetConfiguration after the boot …), which are answered
        with an empty payload: (opcode, payload); (-1, b"") when the connection ended."""
        while True:
            opcode, payload = await self._read()
            if opcode != Opcode.TEXT.value or json.loads(payload)[0] != 2:
                return opcode, payload
            await self.write(call_frame([3, json.loads(payload)[1], {}]))

    async def answer(self, message_id: str) -> list[Any]:
        """The server's answer to our CALL `message_id`."""
        while True:
            opcode, payload = await self.frame()
            assert opcode == Opcode.TEXT.value, (opcode, payload)
            message = json.loads(payload)
            if message[1] == message_id:
                return list(message)

    async def close_code(self) -> int | None:
        """Read until the server's close frame; its code (None when the connection ended without one)."""
        while True:
            opcode, payload = await self.frame()
            if opcode == -1:
                return None
            if opcode == 8:
                return int.from_bytes(payload[:2]) if payload else 1005

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


def call_frame(message: list[Any], mask: bool = True) -> bytes:
    return Frame(Opcode.TEXT, json.dumps(message).encode()).serialize(mask=mask)


@pytest.fixture
async def charger(central: CentralSystem) -> AsyncIterator[RawSocketCharger]:
    charger = await RawSocketCharger.connect(central.port, "fast-recv")
    await charger.write(call_frame([2, "b1", "BootNotification", BOOT]))
    assert (await charger.answer("b1"))[0] == 3
    yield charger
    await charger.close()


@pytest.fixture
def library_reads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The reads that went through websockets' own `data_received`."""
    reads: list[bytes] = []
    original = ServerConnection.data_received

    def counted(self: ServerConnection, data: bytes) -> None:
        reads.append(data)
        original(self, data)

    monkeypatch.setattr(ServerConnection, "data_received", counted)
    return reads


def _heartbeat(message_id: str) -> bytes:
    return call_frame([2, message_id, "Heartbeat", {}])


@only_with_known_websockets
async def test_one_frame_per_read_bypasses_websockets_parser(
    charger: RawSocketCharger, library_reads: list[bytes]
) -> None:
    for i in range(10):  # websockets' own client picks a random mask for each frame
        await charger.write(_heartbeat(f"h{i}"))
        reply = await charger.answer(f"h{i}")
        assert reply[:2] == [3, f"h{i}"] and "currentTime" in reply[2]
    assert library_reads == []


async def test_another_websockets_release_reads_through_websockets(
    central: CentralSystem, library_reads: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastrecv, "KNOWN_WEBSOCKETS", False)
    charger = await RawSocketCharger.connect(central.port, "fast-recv-other")
    await charger.write(_heartbeat("h1"))
    assert (await charger.answer("h1"))[:2] == [3, "h1"]
    assert len(library_reads) == 2  # the handshake's request, and the frame
    await charger.close()


@only_with_known_websockets
async def test_fragmented_message_then_fast_again(charger: RawSocketCharger, library_reads: list[bytes]) -> None:
    text = json.dumps([2, "f1", "Heartbeat", {}]).encode()
    await charger.write(
        Frame(Opcode.TEXT, text[:5], fin=False).serialize(mask=True),
        Frame(Opcode.CONT, text[5:12], fin=False).serialize(mask=True),
        Frame(Opcode.CONT, text[12:]).serialize(mask=True),
    )
    assert (await charger.answer("f1"))[:2] == [3, "f1"]
    assert len(library_reads) == 3  # each fragment read by websockets' parser
    await charger.write(_heartbeat("h2"))
    assert (await charger.answer("h2"))[:2] == [3, "h2"]
    assert len(library_reads) == 3


@only_with_known_websockets
async def test_a_frame_split_over_reads_and_frames_sharing_one(
    charger: RawSocketCharger, library_reads: list[bytes]
) -> None:
    split = _heartbeat("s1")
    await charger.write(split[:3], split[3:7], split[7:])
    assert (await charger.answer("s1"))[:2] == [3, "s1"]
    await charger.write(_heartbeat("t1") + _heartbeat("t2"))
    assert (await charger.answer("t1"))[:2] == [3, "t1"]
    assert (await charger.answer("t2"))[:2] == [3, "t2"]
    assert len(library_reads) == 4
    await charger.write(_heartbeat("h3"))
    assert (await charger.answer("h3"))[:2] == [3, "h3"]
    assert len(library_reads) == 4


async def test_ping_between_and_glued_to_calls(charger: RawSocketCharger) -> None:
    await charger.write(Frame(Opcode.PING, b"p1").serialize(mask=True))
    assert await charger.frame() == (Opcode.PONG.value, b"p1")
    await charger.write(Frame(Opcode.PING, b"p2").serialize(mask=True) + _heartbeat("h4"))
    assert await charger.frame() == (Opcode.PONG.value, b"p2")
    assert (await charger.answer("h4"))[:2] == [3, "h4"]


async def test_close_frame_is_answered(charger: RawSocketCharger) -> None:
    await charger.write(Frame(Opcode.CLOSE, (1000).to_bytes(2) + b"bye").serialize(mask=True))
    assert await charger.close_code() == 1000


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (Frame(Opcode.TEXT, b"x" * (MAX_FRAME + 1)).serialize(mask=True), 1009),  # oversized
        (Frame(Opcode.TEXT, b'[2,"u1","Heartbeat",{"x":"\xff"}]').serialize(mask=True), 1007),  # not UTF-8
        (call_frame([2, "m1", "Heartbeat", {}], mask=False), 1002),  # unmasked
        (raw_frame(0x81 | 0x20, b'[2,"r1","Heartbeat",{}]'), 1002),  # an RSV bit without an extension
    ],
    ids=["oversized", "invalid-utf8", "unmasked", "rsv2"],
)
async def test_bad_frames_end_as_websockets_ends_them(charger: RawSocketCharger, frame: bytes, code: int) -> None:
    await charger.write(frame)
    assert await charger.close_code() == code


async def test_frame_of_exactly_max_size_is_read(charger: RawSocketCharger) -> None:
    prefix = b'[2,"big","DataTransfer",{"vendorId":"v","data":"'
    text = prefix + b"x" * (MAX_FRAME - len(prefix) - 3) + b'"}]'
    assert len(text) == MAX_FRAME
    await charger.write(Frame(Opcode.TEXT, text).serialize(mask=True))
    assert (await charger.answer("big"))[:2] == [3, "big"]
