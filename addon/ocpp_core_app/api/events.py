"""GET /api/v1/events: the central system's event stream (the event journal's entries) as JSON over a WebSocket.

`?since=<seq>` (and `stream=<id>`, from the snapshot) resumes: the entries after that seq come first (from the
journal: in order, once, state events only the latest of each), then a `{"type": "replayed", "seq": n}` marker,
then the live ones, with no gap or duplicate at the seam (the live subscription starts before the replay is read;
a live entry the replay held already is skipped).  A cursor the journal cannot continue is refused before the
WebSocket opens: 410 `cursor_expired` (read the snapshot again, then the stream from its seq).  Without
`since`: the live entries only.

Each client has a bounded queue: the central system only ever puts into it (never waits), and a client that
falls `QUEUE_SIZE` events behind is dropped (closed with 1008 "too slow"), so a slow client never blocks it;
it reconnects with its cursor and loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from aiohttp import WSCloseCode, web

from ..journal import CursorExpired, Entry, EventJournal
from .errors import ApiError, bad_request

QUEUE_SIZE = 1000
SLOW_CLOSE_MESSAGE = b"too slow: fell behind the event stream"


class EventClient:
    """One WebSocket client of the stream."""

    def __init__(self, ws: web.WebSocketResponse, size: int) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[Entry] = asyncio.Queue(size)
        self.too_slow = asyncio.Event()
        # the last seq sent: a live entry at or before it (the replay had it) is skipped
        self.sent = 0

    def offer(self, entry: Entry) -> None:
        """Called by the journal for every new entry: never blocks."""
        if self.too_slow.is_set():
            return
        try:
            self.queue.put_nowait(entry)
        except asyncio.QueueFull:
            self.too_slow.set()

    async def replay(self, entries: list[Entry], last_seq: int) -> None:
        for entry in entries:
            await self.ws.send_str(entry.text)
        self.sent = max(self.sent, last_seq)
        await self.ws.send_str(json.dumps({"type": "replayed", "seq": self.sent}))

    async def pump(self) -> None:
        while True:
            entry = await self.queue.get()
            if entry.seq > self.sent:
                self.sent = entry.seq
                await self.ws.send_str(entry.text)


async def _reader(ws: web.WebSocketResponse) -> None:
    """The client sends nothing we act on; reading is what notices it closing."""
    async for _message in ws:
        pass


def _cursor(request: web.Request) -> int | None:
    text = request.query.get("since")
    if text is None:
        return None
    try:
        since = int(text)
    except ValueError:
        raise bad_request(f"since: not a seq number: {text!r}") from None
    if since < 0:
        raise bad_request("since: not a seq number (0 or more)")
    return since


async def events_handler(request: web.Request) -> web.WebSocketResponse:
    journal: EventJournal = request.app["journal"]
    size: int = request.app.get("event_queue_size", QUEUE_SIZE)
    since, stream = _cursor(request), request.query.get("stream") or None
    if since is not None:
        try:
            journal.check_cursor(since, stream)
        except CursorExpired as err:
            raise ApiError(410, "cursor_expired", str(err), seq=journal.last_seq, stream=journal.stream) from None
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    client = EventClient(ws, size)
    client.sent = journal.last_seq if since is None else since
    unsubscribe = journal.subscribe(client.offer)
    request.app["event_clients"].add(client)
    tasks: list[asyncio.Task[object]] = []
    try:
        if since is not None:
            last_seq = journal.last_seq  # what the replay covers (read after the subscription began)
            try:
                entries = await journal.replay(since, stream)
            except CursorExpired as err:  # pruned meanwhile
                await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=f"cursor_expired: {err}"[:120].encode())
                return ws
            await client.replay(entries, last_seq)
        tasks = [
            asyncio.create_task(client.pump()),
            asyncio.create_task(_reader(ws)),
            asyncio.create_task(client.too_slow.wait()),
        ]
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
