"""The most recent frames of one charger, both directions, for diagnostics."""

from __future__ import annotations

import time
from collections import deque

_KEPT_CHARS = 4000
# MeterValues frames, the steady stream, are kept cut to this (an ASCII str under 512 bytes): those come from Python's
# own allocator; keeping thousands of ~1 kB ones alive made the C allocator grow and shrink the
# heap on nearly every message (measured: +15 µs per MeterValues at 100 chargers)
_KEPT_METER_CHARS = 400


class FrameLog:
    """A ring of (time, direction, text), kept as three rings of plain values (nothing for the GC to walk)."""

    __slots__ = ("_inbound", "_texts", "_times")

    def __init__(self, size: int) -> None:
        self._times: deque[float] = deque(maxlen=size)
        self._inbound: deque[bool] = deque(maxlen=size)
        self._texts: deque[str] = deque(maxlen=size)

    def add(self, inbound: bool, text: str | bytes) -> None:
        self._times.append(time.time())
        self._inbound.append(inbound)
        if not isinstance(text, str):
            text = repr(text[:_KEPT_CHARS])
        elif len(text) > _KEPT_METER_CHARS and '"MeterValues"' in text[:80]:
            text = text[:_KEPT_METER_CHARS] + "..."
        self._texts.append(text[:_KEPT_CHARS])

    def entries(self) -> list[tuple[float, str, str]]:
        """(unix time, "in" / "out", text), oldest first."""
        return [
            (when, "in" if inbound else "out", text)
            for when, inbound, text in zip(self._times, self._inbound, self._texts, strict=True)
        ]
