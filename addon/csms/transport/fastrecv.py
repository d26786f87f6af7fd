"""A charger's frame to its session without websockets' parser, when the read holds exactly one text frame.

websockets runs every read through its Sans-I/O protocol: generator-based parsing (a generator per field read),
a `Frame` checked twice, an events list, a write of nothing and a close check: a fifth of the central system's
CPU per message with what `Connection.send` cost before fastsend.py.  A charger sends one CALL and waits for
the answer, so nearly every read is one whole, final, masked text frame, and websockets' parser is between
frames with nothing buffered.  Then the frame is unmasked here and handed to the connection's message queue
(its flow control and UTF-8 check are websockets' own, in `recv`), exactly as websockets' parser would have.
Anything else (a control frame, a fragment, two frames or part of one in a read, RSV bits, an unmasked or
oversized frame, a closing connection, debug logging) goes to websockets' `data_received` untouched.  (The
internals read here are websockets 15.0.1's; with another release every read goes through websockets.)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.streams import StreamReader

from .fastsend import KNOWN_WEBSOCKETS

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - websockets built without its C extension
    from websockets.utils import apply_mask

_OPEN = State.OPEN
_TEXT = Opcode.TEXT
_TEXT_FIN = 0x81  # FIN, no RSV bits, opcode 1 (text)
_MASKED = 0x80
# where websockets' parser waits between frames (Protocol.parse: `yield from self.reader.at_eof()`)
_BETWEEN_FRAMES = StreamReader.at_eof.__code__


def between_frames(parser: Generator[None]) -> bool:
    """Is websockets' parser waiting for the first byte of a frame (not inside one, not past the stream)?"""
    inner: Any = parser  # a generator object (gi_yieldfrom, gi_code), which typing's Generator does not show
    while (deeper := inner.gi_yieldfrom) is not None:
        inner = deeper
    return inner.gi_code is _BETWEEN_FRAMES


def one_text_frame(data: bytes, max_size: int | None) -> bytes | None:
    """The unmasked payload when `data` is exactly one final, masked text frame of at most `max_size` bytes
    without RSV bits (RFC 6455 5.2); None for anything else."""
    if len(data) < 6 or data[0] != _TEXT_FIN or not data[1] & _MASKED:
        return None
    length = data[1] & 0x7F
    start = 2
    if length == 126:
        length, start = int.from_bytes(data[2:4]), 4
    elif length == 127:
        length, start = int.from_bytes(data[2:10]), 10
    if len(data) != start + 4 + length or (max_size is not None and length > max_size):
        return None
    return apply_mask(data[start + 4 :], data[start : start + 4])


class FastReceiveConnection(ServerConnection):
    """websockets' server connection, reading the common frame itself (see the module's docstring)."""

    def data_received(self, data: bytes) -> None:
        protocol = self.protocol
        if (
            KNOWN_WEBSOCKETS
            and protocol.state is _OPEN
            and protocol.cur_size is None  # no fragmented message under way
            and not protocol.reader.buffer
            and not protocol.extensions
            and not protocol.debug
            and between_frames(protocol.parser)
        ):
            payload = one_text_frame(data, protocol.max_size)
            if payload is not None:
                # what websockets' process_event does with a data frame
                self.recv_messages.put(Frame(_TEXT, payload))
                return
        super().data_received(data)
