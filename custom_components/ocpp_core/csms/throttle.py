"""Bounds on what one peer may do: refused connections per address, messages per charger."""

from __future__ import annotations

import time
from collections import deque

# addresses tracked at most (a flood of addresses forgets the oldest, it never grows memory without bound)
_MAX_ADDRESSES = 10_000


class FailureLimiter:
    """Counts refused connections per remote address; past `limit` within `window` seconds it is blocked."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}

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
            if len(self._failures) >= _MAX_ADDRESSES:
                del self._failures[next(iter(self._failures))]
        times.append(time.monotonic())
        self._failures[address] = times  # re-inserted: the dict stays oldest first

    def forget(self, address: str) -> None:
        self._failures.pop(address, None)


class MessageRate:
    """A token bucket: `rate` messages per second on average, `burst` at once; `allow()` spends one."""

    __slots__ = ("_last", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._last = time.monotonic()

    def allow(self) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True
