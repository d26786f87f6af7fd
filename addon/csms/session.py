"""One live charger connection: its RPC endpoint, its version adapter, its socket."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK
from websockets.frames import CloseCode

from .adapter import VersionAdapter
from .config import CentralSystemConfig
from .features.takeover import peer_address
from .rpc.endpoint import LimitExceeded, Payload, RpcEndpoint, parse_frame
from .rpc.framelog import FrameLog
from .rpc.timeutil import utcnow
from .rpc.types import OcppVersion
from .rpc.validation import SchemaSet
from .state.central_state import CentralState
from .transport.fastsend import send_text_now
from .transport.message_rate import MessageRate
from .transport.throttle import Throttles

_LOGGER = logging.getLogger(__name__)
# close handshakes under way (kept referenced until done)
_CLOSING: set[asyncio.Task[None]] = set()


class ChargerSession:
    def __init__(
        self,
        station_id: str,
        connection: ServerConnection,
        version: OcppVersion,
        schemas: SchemaSet,
        adapter_type: type[VersionAdapter],
        state: CentralState,
        config: CentralSystemConfig,
        frames: FrameLog,
        throttles: Throttles,
    ) -> None:
        self.station_id = station_id
        self.connection = connection
        self.frames = frames
        self.adapter = adapter_type(station_id, state, self.call, config)
        self.rpc = RpcEndpoint(station_id, version, schemas, self.send, self.adapter.handler, config, state.logs)
        self._config = config
        self._state = state
        self._throttles = throttles
        self._rate = MessageRate(config, station_id, throttles.replays, utcnow())
        self.remote = peer_address(connection)
        self.last_received = time.monotonic()  # of the last frame (a live connection's replacement is suspect)

    async def send(self, text: str) -> None:
        self.frames.add(False, text)
        if send_text_now(self.connection, text):  # the common case, without websockets' machinery
            return
        try:
            await self.connection.send(text)
        except ConnectionClosed as err:
            raise ConnectionError(str(err)) from err

    async def call(self, action: str, payload: Payload, timeout: float | None = None) -> Payload:  # noqa: ASYNC109 - per-call OCPP timeout
        """Every call to the charger, typed or raw: the adapter learns from the answer."""
        self.adapter.before_call(action, payload)
        answer = await self.rpc.call(action, payload, timeout)
        self.adapter.record_answer(action, payload, answer)
        return answer

    async def serve(self) -> None:
        """Receive until the socket closes."""
        recv = self.connection.recv
        try:
            while True:  # recv() itself, not `async for`: one async generator less per frame
                try:
                    raw = await recv()
                except ConnectionClosedOK:
                    break
                self.frames.add(True, raw)
                self.last_received = time.monotonic()
                frame = parse_frame(raw)
                if not self._rate.allow(frame):
                    raise LimitExceeded(
                        f"more than {self._config.max_message_rate:g} messages per second"
                        f" (bursts of {self._config.max_message_burst})"
                    )
                await self.rpc.receive(raw, frame)
                # not held while the next frame is awaited: an idle charger's last frame, parsed, kept ~1.5 KiB
                del raw, frame
        except LimitExceeded as err:
            self._closed_for_flooding(str(err))
            await self._close_draining(CloseCode.POLICY_VIOLATION, str(err)[:120])
        except ConnectionClosed as err:
            if err.sent is not None and err.sent.code == CloseCode.MESSAGE_TOO_BIG:
                self._log(
                    logging.WARNING,
                    "%s: closed its connection: it sent a frame larger than %d bytes (max_frame_size)",
                    self._config.max_frame_size,
                )
        finally:
            self.rpc.close()
            self.adapter.close()
            self._state.logs.flush(self.station_id)

    def _closed_for_flooding(self, why: str) -> None:
        remote = self.connection.remote_address
        address = str(remote[0]) if isinstance(remote, tuple) and remote else str(remote)
        refused = self._throttles.closed_for_flooding(self.station_id, address)
        if refused:
            self._log(
                logging.WARNING, "%s: closing its connection: %s; its reconnects are refused for %.0f s", why, refused
            )
        else:
            self._log(logging.WARNING, "%s: closing its connection: %s", why)

    def _log(self, level: int, message: str, *args: object) -> None:
        self._state.logs.log(_LOGGER, level, self.station_id, message, self.station_id, *args)

    async def _close_draining(self, code: int, reason: str) -> None:
        """Close, discarding what the charger still sends: unread frames would hold back its close frame
        (flow control) until close_timeout."""
        closing = asyncio.create_task(self.connection.close(code, reason))
        with contextlib.suppress(ConnectionClosed):
            async for _ in self.connection:
                pass
        await closing

    async def close(self, reason: str) -> None:
        """Stop serving at once; the close handshake goes on in the background (a stale connection, or one
        already failing, may take close_timeout to end, and the charger's new connection must not wait)."""
        self.rpc.close()
        self.adapter.close()
        task = asyncio.create_task(self.connection.close(1000, reason[:120]))
        _CLOSING.add(task)
        task.add_done_callback(_CLOSING.discard)
