"""How many messages a charger may send: live traffic at the configured rate, and, on top of it, what it
sent while offline and replays after reconnecting (a charger catching up must not be closed for it)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from ..config import CentralSystemConfig
from ..rpc.timeutil import parse_timestamp

# a message stamped this much before its connection opened was written while the charger was offline
REPLAY_AGE = timedelta(seconds=60)
# chargers whose replay allowance is kept at most (the oldest forgotten first)
_MAX_CHARGERS = 10_000
# the replay allowance refills completely within this many seconds
_REFILL_SECONDS = 3600.0


def is_replay(frame: Any, connected_at: datetime) -> bool:
    """A CALL from before the connection: a 2.x event flagged `offline`, or one stamped (its timestamp, or
    its first meter value's) over a minute before the connection opened — as chargers replay their queue."""
    if not isinstance(frame, list) or len(frame) != 4 or not isinstance(frame[3], dict):
        return False
    payload: dict[str, Any] = frame[3]
    if payload.get("offline") is True:
        return True
    stamp = payload.get("timestamp")
    if stamp is None:
        meter_values = payload.get("meterValue")
        if isinstance(meter_values, list) and meter_values and isinstance(meter_values[0], dict):
            stamp = meter_values[0].get("timestamp")
    if not isinstance(stamp, str):
        return False
    return parse_timestamp(stamp, connected_at) < connected_at - REPLAY_AGE


class ReplayAllowances:
    """Per charger id, across its connections: how many replayed messages it may still send beyond the rate
    limit (`config.max_replayed_messages`, refilled within an hour: one offline period's queue, not a
    second channel for a flood)."""

    def __init__(self, config: CentralSystemConfig) -> None:
        self._config = config
        self._chargers: dict[str, tuple[float, float]] = {}  # id -> (tokens, when counted)

    def take(self, station_id: str) -> bool:
        """Spend one replayed message of the charger's allowance; False when it is used up."""
        capacity = float(self._config.max_replayed_messages)
        now = time.monotonic()
        tokens, last = self._chargers.pop(station_id, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * capacity / _REFILL_SECONDS)
        if len(self._chargers) >= _MAX_CHARGERS:
            del self._chargers[next(iter(self._chargers))]
        allowed = tokens >= 1.0
        self._chargers[station_id] = (tokens - 1.0 if allowed else tokens, now)  # re-inserted: oldest first
        return allowed


class MessageRate:
    """A token bucket over one connection: `max_message_rate` messages per second on average,
    `max_message_burst` at once (read at every message, so option changes apply at once; rate 0: no limit).

    While the bucket is less than half full, a replayed message (see is_replay) is paid from the charger's
    replay allowance instead, so that live messages sent during a catch-up still find room.  Only then is
    the payload looked at: a charger within its rate costs no parsing of timestamps."""

    __slots__ = ("_config", "_connected_at", "_last", "_replays", "_station_id", "_tokens")

    def __init__(
        self, config: CentralSystemConfig, station_id: str, replays: ReplayAllowances, connected_at: datetime
    ) -> None:
        self._config = config
        self._station_id = station_id
        self._replays = replays
        self._connected_at = connected_at
        self._tokens = float(config.max_message_burst)
        self._last = time.monotonic()

    def allow(self, frame: Any) -> bool:
        """Spend one message; False when the charger is over its rate (its connection is to be closed)."""
        rate = self._config.max_message_rate
        if rate <= 0:
            return True
        burst = self._config.max_message_burst
        now = time.monotonic()
        tokens = min(float(burst), self._tokens + (now - self._last) * rate)
        self._last = now
        if tokens < burst / 2 and is_replay(frame, self._connected_at) and self._replays.take(self._station_id):
            self._tokens = tokens
            return True
        if tokens < 1.0:
            self._tokens = tokens
            return False
        self._tokens = tokens - 1.0
        return True
