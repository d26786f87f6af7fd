"""The event journal: every central-system event numbered (a monotonic `seq`), kept, and replayable from a cursor.

A client (the integration's remote mode) reads the snapshot (the whole state and the `seq` it is consistent
with), then the stream from that `seq`: events that happened while it was away come first, in order and once,
then the live ones, without a gap or a duplicate at the seam.  Events are kept in the store (journal_store.py
for the write side): bounded by age and count; a cursor older than what is kept is refused (`CursorExpired`),
and the client reads the snapshot again.

State events (a connector's status and readings, a charger's status, a limit …) carry the state as it is
(a charger's in `state` and `mirror.station`, a connector's once, in `mirror.connector`), so only the latest of
each matters: a replay gives the latest of each (coalesced, by `key`), every
other event (a session started or ended, a tag presented, a connection …) each one.

The stream's identity (`stream`) is the store's: a cursor of another database (one restored, or replaced) is
refused as well, never misread.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

import msgspec

from .central_import import csms

_EventType = csms.EventType
# events whose meaning is "the state of X is now …": a later one of the same key replaces an earlier one
COALESCED = frozenset(
    {
        _EventType.CONNECTOR_UPDATED,
        _EventType.STATION_UPDATED,
        _EventType.LIMIT,
        _EventType.AUTHENTICATION,
        _EventType.MONITORING_REPORT,
        _EventType.DEVICE_MODEL,
    }
)
# events after which the charger's own state (identity, connection, registration, settings) goes with them
CHARGER_STATE = frozenset(
    {
        _EventType.STATION_ADDED,
        _EventType.CONNECTED,
        _EventType.DISCONNECTED,
        _EventType.BOOTED,
        _EventType.STATION_UPDATED,
        _EventType.REGISTRATION,
        _EventType.SETTINGS_CHANGED,
    }
)
# recent events kept in memory as well: a short reconnect replays from here without reading the store
# (kept small: thousands of live records make the garbage collector's full passes expensive)
RING_SIZE = 1000
# coalescing keys kept made (see EventJournal._key)
_KEYS_KEPT = 20_000


class CursorExpired(Exception):
    """The cursor is not one this journal can continue from (older than what is kept, or another stream's)."""


# msgspec's encoder (the add-on's image has no orjson): a meter update's record, a connector's whole state, took
# the stdlib's json ~33 µs, made for every connector once a second in one step of the loop (issue 15's p99)
_ENCODE = msgspec.json.Encoder(enc_hook=str).encode


def _dumps(value: Any) -> str:
    """Compact JSON; what is not JSON as its str(), as before (the stdlib's json for what msgspec refuses: a
    string with a lone surrogate, which it writes escaped)."""
    try:
        return _ENCODE(value).decode()
    except (TypeError, ValueError, OverflowError):
        return json.dumps(value, default=str, separators=(",", ":"))


class Entry:
    """One journal entry: its record (the stream's JSON message) and its coalescing key (None: every one counts).

    The record is made when it is first needed (a client is sent it, or the store writes it), on the event loop:
    a state event's `state` is then the state as it is at that moment (at once for a connected client, at the
    next write for the store — for a state event only the latest matters).  Most meter updates are replaced
    before the store writes them: theirs is never made.
    """

    __slots__ = ("_event", "_make", "_record", "_text", "key", "seq", "time")

    def __init__(
        self,
        seq: int,
        time: float,
        key: str | None,
        record: dict[str, Any] | Callable[[int, Any], dict[str, Any]],
        text: str | None = None,
        event: Any = None,
    ) -> None:
        """`record`: the record, or what makes it from (seq, event) when it is first needed (one callable
        shared by every entry: no closure per event for the garbage collector to walk)."""
        self.seq, self.time, self.key = seq, time, key
        # an entry keeps its record or its text, not both (the ring's thousand records with a charger's whole
        # state each, beside their texts, were ~2.5 MiB with a thousand chargers)
        self._record = record if isinstance(record, dict) and text is None else None
        self._make = None if isinstance(record, dict) else record
        self._event = event
        self._text = text

    @property
    def record(self) -> dict[str, Any]:
        if self._record is not None:
            return self._record
        if self._make is not None:
            self._record = self._make(self.seq, self._event)
            self._make = self._event = None
            return self._record
        assert self._text is not None
        record: dict[str, Any] = json.loads(self._text)
        return record

    @property
    def text(self) -> str:
        """The record as JSON, made once however many clients get it (the record is then let go)."""
        if self._text is None:
            self._text = _dumps(self.record)
            self._record = None
        return self._text


class JournalStore(Protocol):
    """Where the journal keeps its entries (the app's RowStore; none: memory only)."""

    def add_journal_entries(self, entries: list[Entry]) -> None: ...

    async def read_journal(self, since: int) -> tuple[list[tuple[int, str | None, str]], int]:
        """(seq, key, record JSON) of the entries after `since` in seq order, and the last seq pruned."""
        ...


def coalesce(entries: list[Entry]) -> list[Entry]:
    """The entries in seq order, only the last of each key."""
    last: dict[str, int] = {}
    for entry in entries:
        if entry.key is not None:
            last[entry.key] = max(last.get(entry.key, 0), entry.seq)
    return [e for e in sorted(entries, key=lambda e: e.seq) if e.key is None or last[e.key] == e.seq]


class EventJournal:
    """Subscribe `on_event` to the central system's events (before anything that reads the journal)."""

    def __init__(
        self,
        central: Any,
        store: JournalStore | None = None,
        *,
        stream: str | None = None,
        next_seq: int = 1,
        pruned_through: int = 0,
        ring_size: int = RING_SIZE,
    ) -> None:
        self._central = central
        self._store = store
        self.stream = stream or uuid.uuid4().hex
        self.last_seq = next_seq - 1
        # entries up to here are gone (pruned by age or count): a cursor before it cannot be continued
        self._pruned_through = pruned_through
        self._ring: deque[Entry] = deque(maxlen=ring_size)
        self._listeners: list[Callable[[Entry], None]] = []
        self._keys: dict[tuple[Any, str, int | None], str] = {}
        self._make_record = self._record  # bound once: every entry shares it

    # ---- writing -------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        self.last_seq += 1
        seq = self.last_seq
        entry = Entry(seq, time.time(), self._key(event), self._make_record, event=event)
        self._ring.append(entry)
        if self._store is not None:
            self._store.add_journal_entries([entry])
        if self._listeners:
            for listener in list(self._listeners):
                listener(entry)

    def _key(self, event: Any) -> str | None:
        """The event's coalescing key, made once per (type, charger, connector): every meter update has one."""
        if event.type not in COALESCED:
            return None
        where = (event.type, event.station_id, event.connector_id)
        key = self._keys.get(where)
        if key is None:
            if len(self._keys) >= _KEYS_KEPT:
                self._keys.clear()  # (chargers come and go: never more than this many kept)
            key = self._keys[where] = _coalescing_key(event)
        return key

    def _record(self, seq: int, event: Any) -> dict[str, Any]:
        record: dict[str, Any] = {
            "seq": seq,
            "type": str(event.type),
            "station_id": event.station_id,
            "connector_id": event.connector_id,
            "data": event.data or {},
        }
        if event.readings_only:  # only meter readings changed: the integration wakes only what shows readings
            record["readings_only"] = True
        state = self._state(event)
        if state is not None:
            record["state"] = state
        mirror = self._mirror(event)
        if mirror is not None:
            record["mirror"] = mirror
        return record

    def _mirror(self, event: Any) -> dict[str, Any] | None:
        """What the integration's mirror of the charger needs after this event (csms.mirror_station)."""
        from .api.state import mirror_view

        station = self._central.stations.get(event.station_id)
        if station is None:
            return None
        connector = station.connectors.get(event.connector_id) if event.connector_id else None
        if connector is not None and event.type not in CHARGER_STATE:
            mirror: dict[str, Any] = {"connector": csms.connector_state(connector)}
            if event.type == _EventType.TRANSACTION_ENDED:  # the charger's session count went up with it
                mirror["counters"] = station.counters.to_dict()
            return mirror
        return {"station": mirror_view(self._central, station, connectors=connector is None)}

    def _state(self, event: Any) -> dict[str, Any] | None:
        """The charger's state after a charger event, as the snapshot shows it (None: the event is all there
        is).  A connector's state goes once, in `mirror` (`connector`: csms.connector_state), not twice."""
        from .api.state import charger_view  # (the api package imports this module)

        station = self._central.stations.get(event.station_id)
        if station is None:
            return None
        if event.type in CHARGER_STATE:
            view = charger_view(self._central, station)
            view.pop("connectors")  # each has its own connector_updated
            return view
        return None

    # ---- reading -------------------------------------------------------------

    def subscribe(self, listener: Callable[[Entry], None]) -> Callable[[], None]:
        """Call `listener` (never blocking) with every new entry; returns the unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def check_cursor(self, since: int, stream: str | None) -> None:
        """CursorExpired when the stream cannot be continued from `since`."""
        if stream is not None and stream != self.stream:
            raise CursorExpired(f"the cursor is of another stream ({stream!r}, this one is {self.stream!r})")
        if since > self.last_seq:
            raise CursorExpired(f"the cursor {since} is ahead of the stream (at {self.last_seq})")
        if since < self._pruned_through:
            raise CursorExpired(f"the events after {since} are no longer kept (from {self._pruned_through + 1} on)")

    async def replay(self, since: int, stream: str | None = None) -> list[Entry]:
        """The entries after `since` as of now, coalesced: from memory when it holds them all, else from the store
        and memory (what is not written yet is in memory).  CursorExpired when they cannot all be given."""
        self.check_cursor(since, stream)
        ring = [e for e in self._ring if e.seq > since]
        if (ring and ring[0].seq == since + 1) or since == self.last_seq:
            return coalesce(ring)
        if self._store is None:
            raise CursorExpired(f"the events after {since} are no longer kept (from {self._oldest()} on)")
        rows, pruned = await self._store.read_journal(since)
        self._pruned_through = max(self._pruned_through, pruned)
        if since < self._pruned_through:
            raise CursorExpired(f"the events after {since} are no longer kept (from {self._pruned_through + 1} on)")
        found = {e.seq: e for e in ring}
        for seq, key, text in rows:
            if seq not in found:
                found[seq] = Entry(seq, 0.0, key, json.loads(text), text)
        return coalesce(list(found.values()))

    def _oldest(self) -> int:
        return self._ring[0].seq if self._ring else self.last_seq + 1


def _coalescing_key(event: Any) -> str:
    """A state event's key: its type, charger and connector."""
    return f"{event.type}/{event.station_id}/{event.connector_id if event.connector_id is not None else ''}"
