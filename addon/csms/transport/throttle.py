"""Bounds on what one peer may do before its WebSocket opens: refused attempts per address (password
guesses, counted when they start), and reconnects of a charger that keeps being closed for flooding."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator

from ..config import CentralSystemConfig
from .message_rate import ReplayAllowances

# addresses (or charger ids) tracked at most: a flood of them forgets the oldest, memory never grows without bound
_MAX_TRACKED = 10_000


class Blocked(Exception):
    """The peer may not try now; `retry_after` seconds from now it may."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.0f} s")
        self.retry_after = retry_after


class FailureLimiter:
    """Counts refused connections per remote address; past `limit` within `window` seconds it is blocked.

    A password check takes a while (scrypt, in a worker thread), so concurrent guesses would all pass a
    check made when they start and be counted only when they end.  `attempt()` therefore counts an
    attempt under way as a failure until it has ended otherwise: an address never has more than `limit`
    failures plus attempts under way.  One beyond that waits for an attempt under way to end (rather
    than being refused, so that chargers behind one address reconnecting together all get in), and is
    refused (Blocked) once the failures reach the limit.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._under_way: dict[str, int] = {}
        self._ended = asyncio.Condition()

    def retry_after(self, address: str) -> float | None:
        """Seconds until the address may try again, or None when it may now."""
        if self.limit <= 0:
            return None
        times = self._failures.get(address)
        if times is None:
            return None
        now = time.monotonic()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[address]
            return None
        if len(times) < self.limit:
            return None
        return max(times[0] + self.window - now, 0.0)

    def record(self, address: str) -> None:
        times = self._failures.pop(address, None)
        if times is None:
            times = deque(maxlen=max(self.limit, 1))
            if len(self._failures) >= _MAX_TRACKED:
                del self._failures[next(iter(self._failures))]
        times.append(time.monotonic())
        self._failures[address] = times  # re-inserted: the dict stays oldest first

    def forget(self, address: str) -> None:
        self._failures.pop(address, None)

    @contextlib.asynccontextmanager
    async def attempt(self, address: str) -> AsyncIterator[None]:
        """Around one password check: Blocked when the address may not try; a failure is to be
        `record`ed inside the block (so that it is never counted neither as under way nor as failed)."""
        if self.limit <= 0:
            yield
            return
        async with self._ended:
            while True:
                retry_after = self.retry_after(address)
                if retry_after is not None:
                    raise Blocked(retry_after)
                failed = len(self._failures.get(address, ()))
                if failed + self._under_way.get(address, 0) < self.limit:
                    break
                await self._ended.wait()
            self._under_way[address] = self._under_way.get(address, 0) + 1
        try:
            yield
        finally:
            async with self._ended:
                left = self._under_way.pop(address) - 1
                if left:
                    self._under_way[address] = left
                self._ended.notify_all()


class FloodBackoff:
    """Refuses the reconnects of a peer (a charger id, or an address) closed for flooding, for a time that
    doubles with every close: `base` seconds, then 2 × base … up to `longest`.  The first `grace` closes
    cost nothing (an address is shared by the chargers behind it); closes `forget_after` seconds apart
    start the count again."""

    def __init__(self, base: float, longest: float, grace: int = 0, forget_after: float = 3600.0) -> None:
        self.base = base
        self.longest = longest
        self.grace = grace
        self.forget_after = forget_after
        # peer -> (closes in a row, when the last was, refused until)
        self._peers: dict[str, tuple[int, float, float]] = {}

    def retry_after(self, peer: str) -> float | None:
        """Seconds until the peer may connect again, or None when it may now."""
        entry = self._peers.get(peer)
        if entry is None:
            return None
        remaining = entry[2] - time.monotonic()
        return remaining if remaining > 0 else None

    def closed_for_flooding(self, peer: str) -> float:
        """Count a close; the seconds its reconnects are now refused for (0: none, within the grace)."""
        if self.base <= 0:
            return 0.0
        now = time.monotonic()
        closes, last, _until = self._peers.pop(peer, (0, now, now))
        if now - last >= self.forget_after:
            closes = 0
        closes += 1
        paid = closes - self.grace
        refused = min(self.base * 2 ** (paid - 1), self.longest) if paid > 0 else 0.0
        if len(self._peers) >= _MAX_TRACKED:
            del self._peers[next(iter(self._peers))]
        self._peers[peer] = (closes, now, now + refused)  # re-inserted: the dict stays oldest first
        return refused


# closes for flooding from one address that cost it nothing: it may be shared by several chargers (a router, a
# reverse proxy), and one misbehaving charger is refused by its id; an address changing ids pays from the third
ADDRESS_GRACE = 2


class Throttles:
    """What the server and the sessions of one central system share to keep peers within bounds."""

    def __init__(self, config: CentralSystemConfig) -> None:
        self.refused = FailureLimiter(config.auth_failure_limit, config.auth_failure_window)
        self.replays = ReplayAllowances(config)
        self._by_id = FloodBackoff(config.flood_backoff, config.flood_backoff_max)
        self._by_address = FloodBackoff(config.flood_backoff, config.flood_backoff_max, grace=ADDRESS_GRACE)

    def closed_for_flooding(self, station_id: str, address: str) -> float:
        """Count a close for flooding; the seconds the charger's reconnects are now refused for."""
        self._by_address.closed_for_flooding(address)
        return self._by_id.closed_for_flooding(station_id)

    def flood_retry_after(self, station_id: str, address: str) -> float | None:
        """Seconds until this charger (or anyone from this address) may connect again after flooding."""
        waits = [w for w in (self._by_id.retry_after(station_id), self._by_address.retry_after(address)) if w]
        return max(waits) if waits else None
