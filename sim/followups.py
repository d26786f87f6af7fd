"""What every simulated charger does around the `ocpp` package's ChargePoint: it records the central
system's CALLs, and sends follow-up messages in order once the answer to a CALL has gone out."""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import websockets

_LOGGER = logging.getLogger(__name__)

Step = Callable[[], Awaitable[Any]]


class FollowUps:
    """A mixin before the `ocpp` ChargePoint class (it overrides `route_message`)."""

    id: str
    # every simulated charger alive, so a test's end can drop what they still had to send (drop_all)
    _alive: ClassVar[weakref.WeakSet[FollowUps]] = weakref.WeakSet()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        FollowUps._alive.add(self)
        # every CALL of the central system, in order: (action, payload as sent)
        self.requests: list[tuple[str, dict[str, Any]]] = []
        # seconds between the steps of a follow-up (firmware download, upload …); 0 in tests
        self.step_delay = 0.0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._after_reply: list[Step] = []
        self.idle = asyncio.Event()
        self.idle.set()

    def then(self, *steps: Step) -> None:
        """Send these (in order) once the answer to the CALL being handled has gone out."""
        self._after_reply.extend(steps)

    async def route_message(self, raw_msg: str) -> None:
        try:
            frame = json.loads(raw_msg)
        except ValueError:
            frame = None
        if isinstance(frame, list) and len(frame) == 4 and frame[0] == 2:
            self.requests.append((frame[2], frame[3]))
        try:
            await super().route_message(raw_msg)  # type: ignore[misc]
        except Exception:
            # the `ocpp` package lets some failures (e.g. an answer it cannot serialise) escape its
            # receive loop; a real charger would not go deaf over one bad message
            _LOGGER.exception("%s: could not handle %.300s", self.id, raw_msg)
        steps, self._after_reply = self._after_reply, []
        if steps:
            self._spawn(self._in_order(steps))

    async def _in_order(self, steps: list[Step]) -> None:
        for index, step in enumerate(steps):
            if index and self.step_delay:
                await asyncio.sleep(self.step_delay)
            await step()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(self._quietly(coro))
        self._tasks.add(task)
        self.idle.clear()
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self.idle.set()

    async def _quietly(self, coro: Any) -> None:
        """Follow-up messages of a remote command; a socket closed meanwhile is not an error."""
        try:
            await coro
        except websockets.ConnectionClosed:
            _LOGGER.info("%s: connection closed before a follow-up message was sent", self.id)

    def drop_follow_ups(self) -> None:
        """The connection is gone: what was still to go out on it is dropped, as on a real charger
        (a call waiting for an answer that will never come would hold the `ocpp` call lock until its
        timeout, and every message on the next connection with it)."""
        for task in list(self._tasks):
            task.cancel()

    @classmethod
    def drop_all(cls) -> None:
        """Every charger's follow-ups still under way are dropped (a test is over: its sockets are gone)."""
        for charger in list(cls._alive):
            charger.drop_follow_ups()

    async def settle(self) -> None:
        """Wait until every follow-up message has been sent and answered (bound it with asyncio.timeout)."""
        await self.idle.wait()
