"""The load generator's charger: one simulated OCPP 1.6J or 2.0.1 charger on a hand-rolled WebSocket client.

Much lighter than `websockets` (let alone the `ocpp` package), so that the server, not the
generator, is what gets measured: frames go straight to the transport, masked with the
all-zero key (RFC 6455 wants an unpredictable key, which only matters to proxies; a server
cannot tell), and answers are parsed in `data_received`, where a closed-loop charger sends
its next CALL at once.  Each charger has at most one CALL outstanding, as OCPP requires.
bench/load.py runs many of them and measures; bench/idle.py keeps them idle.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import orjson

from .charger_messages import ChargerMessages, messages_for, timestamp

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_ZERO_MASK = b"\x00\x00\x00\x00"
_CLOSE_1000 = (1000).to_bytes(2, "big")


@dataclass
class Stats:
    answered: int = 0  # CALLRESULTs to MeterValues, whole run
    errors: int = 0  # CALLERRORs, whole run (setup included)
    unexpected: int = 0  # frames that answer nothing we sent, or are not OCPP-J
    disconnects: int = 0  # connections the server closed during the run
    samples: list[str] = field(default_factory=list)  # a few of the bad frames, for the report
    recording: bool = False
    latencies: list[float] = field(default_factory=list)  # seconds, answers inside the window

    def note(self, text: str) -> None:
        if len(self.samples) < 5:
            self.samples.append(text[:300])


class Charger(asyncio.Protocol):
    """One charger connection; all of its work happens in the event loop's callbacks."""

    def __init__(
        self, index: int, host: str, port: int, stats: Stats, loop: asyncio.AbstractEventLoop, version: str = "1.6"
    ) -> None:
        self.index = index
        self.messages: ChargerMessages = messages_for(version, index, 1_000_000.0 + index)
        self._host, self._port = host, port
        self._stats = stats
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._key = base64.b64encode(os.urandom(16))
        self._upgraded = False
        self._buf = b""
        self._fragments: list[bytes] = []
        self.handshake: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self._waiter: asyncio.Future[list[Any]] | None = None  # a setup call's answer
        self._pending_id: str | None = None
        self._sent_at = 0.0  # when the outstanding CALL was due (rate mode) or sent
        self._seq = 0
        self._running = False
        self._stopping = False
        self._drained: asyncio.Future[None] | None = None
        self._period = 0.0
        self._next_due = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._backlog: deque[float] = deque()
        self._stamp = ""
        self._body = b""

    # ---- connection and framing ----------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.write(
            f"GET /bench-{self.index} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {self._key.decode()}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: {self.messages.subprotocol}\r\n\r\n".encode()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        lost = ConnectionError(f"bench-{self.index}: connection lost ({exc or 'closed by the server'})")
        if not self._stopping:
            self._stats.disconnects += 1
            self._stats.note(str(lost))
        self._running = False
        if self._timer is not None:
            self._timer.cancel()
        for future in (self.handshake, self._waiter):
            if future is not None and not future.done():
                future.set_exception(lost)
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        if not self.closed.done():
            self.closed.set_result(None)

    def _check_upgrade(self, head: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])
        }
        accept = base64.b64encode(hashlib.sha1(self._key + _GUID).digest()).decode()
        problem = None
        if len(lines[0].split()) < 2 or lines[0].split()[1] != "101":
            problem = f"upgrade refused: {lines[0]!r}"
        elif headers.get("sec-websocket-accept") != accept:
            problem = "bad Sec-WebSocket-Accept"
        elif headers.get("sec-websocket-protocol") != self.messages.subprotocol:
            got = headers.get("sec-websocket-protocol")
            problem = f"subprotocol {got!r} instead of {self.messages.subprotocol}"
        if problem is None:
            self._upgraded = True
            self.handshake.set_result(None)
        else:
            self.handshake.set_exception(ConnectionError(f"bench-{self.index}: {problem}"))
            assert self._transport is not None
            self._transport.close()

    def data_received(self, data: bytes) -> None:
        buf = self._buf + data if self._buf else data
        if not self._upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self._buf = buf
                return
            self._check_upgrade(buf[:end])
            buf = buf[end + 4 :]
        pos, size = 0, len(buf)
        while size - pos >= 2:
            first, second = buf[pos], buf[pos + 1]
            length, head = second & 0x7F, 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if second & 0x80:  # servers must not mask; unmask anyway
                head += 4
            end = pos + head + length
            if end > size:
                break
            payload = buf[pos + head : end]
            if second & 0x80:
                mask = buf[pos + head - 4 : pos + head]
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            self._on_frame(first & 0x0F, bool(first & 0x80), payload)
            pos = end
        self._buf = buf[pos:]

    def _on_frame(self, opcode: int, fin: bool, payload: bytes) -> None:
        if opcode in (0, 1, 2):
            if not fin or self._fragments:
                self._fragments.append(payload)
                if not fin:
                    return
                payload, self._fragments = b"".join(self._fragments), []
            self._on_message(payload)
        elif opcode == 9:  # ping
            self._send_frame(0xA, payload)
        elif opcode == 8:  # close
            if not self._stopping:
                self._stats.note(f"bench-{self.index}: server closed the connection: {payload!r}")
            self._send_frame(0x8, payload[:2])
            assert self._transport is not None
            self._transport.close()

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        size = len(payload)
        if size < 126:
            header = bytes((0x80 | opcode, 0x80 | size))
        elif size < 65536:
            header = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
        else:
            header = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
        self._transport.write(header + _ZERO_MASK + payload)

    # ---- OCPP-J --------------------------------------------------------------

    def _send_call(self, message_id: str, action: str, payload: dict[str, Any]) -> None:
        self._pending_id = message_id
        self._send_frame(0x1, orjson.dumps([2, message_id, action, payload]))

    def _on_message(self, raw: bytes) -> None:
        now = time.monotonic()
        stats = self._stats
        try:
            frame = orjson.loads(raw)
        except orjson.JSONDecodeError:
            stats.unexpected += 1
            stats.note(f"bench-{self.index}: not JSON: {raw[:200]!r}")
            return
        if not isinstance(frame, list) or len(frame) < 3:
            stats.unexpected += 1
            stats.note(f"bench-{self.index}: not an OCPP-J frame: {raw[:200]!r}")
            return
        if frame[0] == 2:  # the server calls us: answer what a central system asks after a boot
            answer = self.messages.answer(str(frame[2]), frame[3] if len(frame) > 3 else None)
            if answer is not None:
                self._send_frame(0x1, orjson.dumps([3, frame[1], answer]))
                return
            stats.unexpected += 1
            stats.note(f"bench-{self.index}: server sent a CALL: {raw[:200]!r}")
            self._send_frame(0x1, orjson.dumps([4, frame[1], "NotImplemented", "bench charger", {}]))
            return
        if frame[1] != self._pending_id or frame[0] not in (3, 4):
            stats.unexpected += 1
            stats.note(f"bench-{self.index}: answer to nothing outstanding ({self._pending_id}): {raw[:200]!r}")
            return
        self._pending_id = None
        if frame[0] == 4:
            stats.errors += 1
            stats.note(f"bench-{self.index}: CALLERROR {raw[:250]!r}")
        if self._waiter is not None:
            waiter, self._waiter = self._waiter, None
            waiter.set_result(frame)
            return
        if frame[0] == 3:
            stats.answered += 1
            if stats.recording:
                stats.latencies.append(now - self._sent_at)
        if self._running:
            if self._period == 0.0:
                self._send_meter_values(now)
            elif self._backlog:
                self._send_meter_values(self._backlog.popleft())
        elif self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    async def call(self, message_id: str, action: str, payload: dict[str, Any]) -> list[Any]:
        """A setup CALL (not measured); returns the answer frame."""
        self._waiter = self._loop.create_future()
        self._send_call(message_id, action, payload)
        return await self._waiter

    async def setup(self) -> str:
        """The version's set-up calls (boot, transaction start, status); returns the boot status."""
        boot_status = "CALLERROR"
        for number, (action, payload) in enumerate(self.messages.setup_calls()):
            answer = await self.call(f"{self.index}-setup-{number}", action, payload)
            result = answer[2] if answer[0] == 3 and isinstance(answer[2], dict) else None
            self.messages.took_answer(action, result)
            if number == 0 and result is not None:
                boot_status = str(result.get("status", "-"))
        return boot_status

    def _send_meter_values(self, due: float) -> None:
        self._seq += 1
        stamp = timestamp()
        messages = self.messages
        if stamp is not self._stamp:  # a new reading once a second
            self._stamp = stamp
            messages.energy_wh += 3.1
            self._body = orjson.dumps(messages.meter_payload(stamp, self._seq))
        elif messages.meter_action == "TransactionEvent":  # in between, the same reading; 2.x counts seqNo up
            self._body = orjson.dumps(messages.meter_payload(stamp, self._seq))
        self._sent_at = due
        self._pending_id = message_id = f"{self.index}-{self._seq}"
        action = messages.meter_action.encode()
        self._send_frame(0x1, b'[2,"' + message_id.encode() + b'","' + action + b'",' + self._body + b"]")

    # ---- the load phase --------------------------------------------------------

    def start(self, period: float, first_due: float) -> None:
        """Closed loop (period 0): send now and on every answer; else one CALL per period."""
        self._running, self._period = True, period
        if period == 0.0:
            self._send_meter_values(time.monotonic())
        else:
            self._next_due = first_due
            self._timer = self._loop.call_at(first_due, self._tick)

    def _tick(self) -> None:
        if not self._running:
            return
        due, self._next_due = self._next_due, self._next_due + self._period
        self._timer = self._loop.call_at(self._next_due, self._tick)
        if self._pending_id is None:
            self._send_meter_values(due)
        else:
            self._backlog.append(due)  # open loop: it waits, and its latency counts from `due`

    def stop(self) -> asyncio.Future[None]:
        """Stop sending; the future resolves once the outstanding CALL is answered."""
        self._running = False
        if self._timer is not None:
            self._timer.cancel()
        self._drained = self._loop.create_future()
        if self._pending_id is None or self.closed.done():
            self._drained.set_result(None)
        return self._drained

    @property
    def backlog(self) -> int:
        return len(self._backlog)

    def close(self) -> None:
        self._stopping = True
        self._send_frame(0x8, _CLOSE_1000)

    def abort(self) -> None:
        self._stopping = True
        if self._transport is not None:
            self._transport.abort()
