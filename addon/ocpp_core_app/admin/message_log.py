"""A charger's message log for the admin page: its recent OCPP frames both ways, filtered and paged.

The frames are csms's frame log (kept across reconnects while the app runs; after a restart the store's copy,
written at the charger's last disconnect).  csms keeps no secret in it; every frame is scrubbed once more here
(`redact_secrets`: passwords, AuthorizationKey, BasicAuthPassword, private keys), so a page can never show one,
whatever a charger sent.  A result or error is filed under the action of the call it answers.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..central_import import csms
from ..store import RowStore, StoreError, sql

PER_PAGE = 50
CALL, RESULT, ERROR = "call", "result", "error"
_TYPES = {2: CALL, 3: RESULT, 4: ERROR}

Frame = tuple[float, str, str]  # (unix time, "in" / "out", text)


def redact(text: str) -> str:
    return csms.rpc.framelog.redact_secrets(text)


@dataclass(frozen=True, slots=True)
class LogEntry:
    time: datetime  # UTC
    direction: str  # "in" (from the charger) or "out"
    kind: str  # call, result, error (or "" for a frame that is no OCPP message)
    action: str | None
    unique_id: str | None
    text: str  # as sent, secrets replaced


@dataclass(frozen=True, slots=True)
class LogQuery:
    action: str | None = None
    direction: str | None = None  # "in", "out" or None (both)
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True, slots=True)
class LogPage:
    entries: list[LogEntry]  # newest first
    page: int
    pages: int
    total: int  # matching entries
    actions: list[str]  # every action in the log (for the filter)


async def frames_of(central: Any, store: RowStore | None, station_id: str) -> list[Frame]:
    """The live frame log, else (after a restart) the store's copy; oldest first."""
    frames: list[Frame] = central.recent_frames(station_id)
    if frames or store is None:
        return frames
    try:
        rows = await store.select(sql.SELECT_MESSAGE_LOG, (station_id,))
    except StoreError:
        return []
    return [(float(when), str(direction), str(text)) for when, direction, text in rows]


# the head of a call csms kept cut short (a long MeterValues ends in "..."): its action is still known
_CALL_HEAD = re.compile(r'^\[\s*2\s*,\s*"([^"]*)"\s*,\s*"([A-Za-z0-9]+)"')


def _parse(frame: Frame) -> tuple[str, str | None, str | None]:
    """(kind, action, unique id) of a frame."""
    try:
        message = json.loads(frame[2])
    except ValueError:
        head = _CALL_HEAD.match(frame[2])
        return (CALL, head.group(2), head.group(1)) if head else ("", None, None)
    if not isinstance(message, list) or len(message) < 3 or message[0] not in _TYPES:
        return "", None, None
    kind = _TYPES[message[0]]
    unique_id = str(message[1])
    action = str(message[2]) if kind == CALL and isinstance(message[2], str) else None
    return kind, action, unique_id


def entries(frames: Sequence[Frame]) -> list[LogEntry]:
    """Every frame as an entry, oldest first; a result or error under the action of its call."""
    calls: dict[tuple[str, str], str] = {}  # (direction of the call, unique id) -> action
    found = []
    for frame in frames:
        when, direction, text = frame
        kind, action, unique_id = _parse(frame)
        if kind == CALL and unique_id is not None and action is not None:
            calls[(direction, unique_id)] = action
        elif unique_id is not None:
            action = calls.get(("out" if direction == "in" else "in", unique_id))
        found.append(LogEntry(datetime.fromtimestamp(when, UTC), direction, kind, action, unique_id, redact(text)))
    return found


def query(frames: Sequence[Frame], wanted: LogQuery) -> LogPage:
    """The matching entries, newest first, one page of them (a page past the last: the last)."""
    every = entries(frames)
    actions = sorted({e.action for e in every if e.action})
    action = (wanted.action or "").strip().lower()
    matching = [
        e
        for e in reversed(every)
        if (not action or (e.action or "").lower() == action)
        and (wanted.direction not in ("in", "out") or e.direction == wanted.direction)
        and (wanted.since is None or e.time >= wanted.since)
        and (wanted.until is None or e.time < wanted.until)
    ]
    per_page = max(1, wanted.per_page)
    pages = max(1, math.ceil(len(matching) / per_page))
    page = min(max(1, wanted.page), pages)
    start = (page - 1) * per_page
    return LogPage(matching[start : start + per_page], page, pages, len(matching), actions)
