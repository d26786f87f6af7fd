"""GET /api/v1/events: the central system's event stream as JSON over a WebSocket.

Each client has a bounded queue: the central system only ever puts into it (never waits), and a client that
falls `QUEUE_SIZE` events behind is dropped (closed with 1008 "too slow"), so a slow client never blocks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import WSCloseCode, web

from .state import event_view

QUEUE_SIZE = 1000
SLOW_CLOSE_MESSAGE = b"too slow: fell behind the event stream"


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


class EventClient:
    """One WebSocket client of the stream."""

    def __init__(self, ws: web.WebSocketResponse, size: int) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(size)
        self.too_slow = asyncio.Event()

    def offer(self, event: Any) -> None:
        """Called by the central system's event bus: never blocks."""
        if self.too_slow.is_set():
            return
        try:
            self.queue.put_nowait(event_view(event))
        except asyncio.QueueFull:
            self.too_slow.set()

    async def pump(self) -> None:
        while True:
            message = await self.queue.get()
            await self.ws.send_str(_json(message))


async def _reader(ws: web.WebSocketResponse) -> None:
    """The client sends nothing we act on; reading is what notices it closing."""
    async for _message in ws:
        pass


async def events_handler(request: web.Request) -> web.WebSocketResponse:
    central = request.app["central"]
    size: int = request.app.get("event_queue_size", QUEUE_SIZE)
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    client = EventClient(ws, size)
    unsubscribe = central.events.subscribe(client.offer)
    request.app["event_clients"].add(client)
    tasks = [
        asyncio.create_task(client.pump()),
        asyncio.create_task(_reader(ws)),
        asyncio.create_task(client.too_slow.wait()),
    ]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        unsubscribe()
        request.app["event_clients"].discard(client)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if client.too_slow.is_set():
            await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=SLOW_CLOSE_MESSAGE)
        else:
            await ws.close()
    return ws
