"""What `python -m sim` needs to keep charging while the central system comes and goes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

import websockets

from .followups import FollowUps

# how long the charger waits before it reconnects to a central system that went away
RETRY_DELAY = 5.0


async def until_disconnected(
    charger: FollowUps, serve_task: asyncio.Task[None], work: Coroutine[Any, Any, None]
) -> None:
    """Run `work` until it ends or the connection does (its receive loop `serve_task` ends).

    A call sent just before the central system closed is never answered: it is cancelled with the
    connection, and so are the charger's follow-up messages, instead of holding the charger until
    the call's 30 s timeout."""
    task = asyncio.create_task(work)
    try:
        await asyncio.wait({task, serve_task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        task.cancel()
        charger.drop_follow_ups()
        # the socket closed under a message: the connection is gone, which the caller handles
        with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed, TimeoutError):
            await task
