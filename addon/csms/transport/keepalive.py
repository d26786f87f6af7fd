"""One keepalive for every charger connection: a Ping to each every `interval`, and a connection that has not
answered its Pong within `timeout` is closed (1011, as websockets' own keepalive closes it).

websockets' keepalive is a task per connection, each with its coroutine, its sleep's future and timer handle
(~1.5 KiB a connection, issue 15: a thousand idle chargers in < 100 MiB); here one task pings them all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.protocol import State

_LOGGER = logging.getLogger(__name__)


class Keepalive:
    """Run `run()` in a task while the server listens; cancel it to stop."""

    def __init__(
        self, interval: float, timeout: float | None, connections: Callable[[], Iterable[ServerConnection]]
    ) -> None:
        self.interval = interval
        self.timeout = timeout
        self._connections = connections
        # closes of connections that missed their Pong (each may take close_timeout): kept referenced until done
        self._closing: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        while True:
            # (a round lasts until every Pong is in: a charger that does not answer makes it `timeout` longer)
            await asyncio.sleep(self.interval)
            try:
                await self._round()
            except Exception:  # the next round pings again: one bad round must not end the keepalive
                _LOGGER.exception("Keepalive round failed")

    async def _round(self) -> None:
        waiting = await self._ping_all()
        if self.timeout is not None and waiting:
            await asyncio.wait([pong for _, pong in waiting], timeout=self.timeout)
            for connection, pong in waiting:
                if not pong.done() and connection.state is State.OPEN:
                    self._close(connection)
        for _, pong in waiting:
            if pong.done() and not pong.cancelled():
                pong.exception()  # (a connection that closed meanwhile: its ConnectionClosed is not logged)

    async def _ping_all(self) -> list[tuple[ServerConnection, asyncio.Future[float]]]:
        waiting: list[tuple[ServerConnection, asyncio.Future[float]]] = []
        for connection in list(self._connections()):
            if connection.state is not State.OPEN:
                continue
            try:
                # bounded: a peer that stopped reading has its transport paused, and the Ping then waits for it
                # to drain, which would hold this round, and every other charger's keepalive, with it
                async with asyncio.timeout(self.timeout):
                    pong = await connection.ping()
            except ConnectionClosed:
                continue
            except TimeoutError:
                self._close(connection)
                continue
            # (a Future, typed an Awaitable: ensure_future hands it back as it is)
            waiting.append((connection, asyncio.ensure_future(pong)))
        return waiting

    def _close(self, connection: ServerConnection) -> None:
        _LOGGER.debug("%s: no Ping sent or no Pong within %s s; closing", connection.remote_address, self.timeout)
        task = asyncio.create_task(connection.close(CloseCode.INTERNAL_ERROR, "keepalive ping timeout"))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
