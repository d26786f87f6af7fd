"""One text frame to a charger without websockets' per-message machinery, when nothing can go wrong.

`Connection.send` enters an async context manager, builds a `Frame`, serializes it through a BytesIO and
awaits a drain for every message: about a fifth of the central system's CPU per answer.  When the
connection is open and idle on our side (no fragmented message under way, no write pending in the
protocol, the transport not paused nor closing, no extension, debug logging off), the frame is an
unmasked header and the UTF-8 text, written to the transport as websockets itself would.  In any
other case `send_text_now` returns False and the caller uses `Connection.send`, which handles closing,
flow control and errors.  (websockets is pinned: 15.0.1; the attributes read here are its asyncio
connection's and Sans-I/O protocol's.)
"""

from __future__ import annotations

from websockets.asyncio.connection import Connection
from websockets.protocol import SERVER, State
from websockets.version import version as _websockets_version

# the internals read below are 15.0.1's; another release (a user's HA may resolve another one) always
# goes through `Connection.send`
KNOWN_WEBSOCKETS = _websockets_version == "15.0.1"

_OPEN = State.OPEN
_TEXT_FIN = 0x81  # FIN + opcode 1 (text); a server's frames are never masked (RFC 6455 5.1)


def frame_header(length: int) -> bytes:
    """The header of an unmasked, final text frame of `length` bytes (RFC 6455 5.2)."""
    if length < 126:
        return bytes((_TEXT_FIN, length))
    if length < 65536:
        return bytes((_TEXT_FIN, 126)) + length.to_bytes(2, "big")
    return bytes((_TEXT_FIN, 127)) + length.to_bytes(8, "big")


def send_text_now(connection: Connection, text: str) -> bool:
    """Write `text` as one text frame at once; False (nothing written) when `Connection.send` must do it."""
    if not KNOWN_WEBSOCKETS:
        return False
    protocol = connection.protocol
    if (
        protocol.state is not _OPEN
        or protocol.side is not SERVER
        or protocol.expect_continuation_frame
        or protocol.writes
        or protocol.extensions
        or protocol.debug
        or connection.fragmented_send_waiter is not None
        or connection.paused
    ):
        return False
    transport = connection.transport
    if transport.is_closing():
        return False
    data = text.encode()
    transport.write(frame_header(len(data)) + data)
    return True
