"""Load-management limits as kept: the state of one limit (wanted, sent, answered, read back), what our
profile on the charger is, and how both are stored.  limits.py decides what to send and when."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..rpc.timeutil import utcnow


class LimitStatus(StrEnum):
    """Where a limit stands (the limit-status sensor's states, in this order)."""

    PENDING = "pending"  # wanted, not sent yet (rate limit, offline, no session for a TxProfile)
    SENT = "sent"  # on its way, no answer yet
    ACCEPTED = "accepted"
    # accepted, but more is in force than asked: another profile wins (see LimitState.overridden_by)
    OVERRIDDEN = "overridden"
    REJECTED = "rejected"  # the charger answered something else than Accepted (see answer)
    FAILED = "failed"  # no answer, or a CALLERROR (see answer)


class InvalidLimit(ValueError):
    """A limit the charger must not get; the message says why."""


@dataclass(slots=True)
class LimitState:
    """One limit as wanted, sent, answered and read back."""

    evse_id: int  # 0: the whole station
    amps: float
    watts: float  # the same limit converted (see LimitManager.amps_to_watts)
    unit_sent: str  # "A" | "W": the unit it goes (went) out in
    status: LimitStatus
    answer: dict[str, Any] | None = None  # the charger's answer as sent (status, statusInfo …) or {"error", …}
    in_force_amps: float | None = None  # GetCompositeSchedule after the last accepted change; None: unknown
    in_force_watts: float | None = None
    # status overridden: what wins over it ("TxProfile": a profile of the running session; "other": unknown)
    overridden_by: str | None = None
    updated: datetime = field(default_factory=utcnow)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["updated"] = self.updated.isoformat()
        return data


@dataclass(slots=True)
class Slot:
    """One limit and what the charger holds of it."""

    state: LimitState
    # what the charger accepted last: (profile id, unit, value, stack level, transaction id)
    installed: tuple[Any, ...] | None = None
    installed_id: int | None = None  # our profile id on the charger (cleared when the purpose changes)
    force: bool = False  # send even when unchanged (re-apply after a (re)connect)


@dataclass(slots=True)
class StationLimits:
    """Everything kept per station: its limits by EVSE, our profiles still to clear, what it takes."""

    slots: dict[int, Slot] = field(default_factory=dict)
    clears: set[tuple[int, int]] = field(default_factory=set)  # (EVSE id, profile id)
    # it states no rate unit, refused a limit in amperes and took it in watts: it gets watts from now on
    watts_only: bool = False
    # EVSE id -> the limit (A) a pause replaced, to go back to on resume (none kept: back to no limit)
    paused_from: dict[int, float] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not self.slots and not self.clears and not self.watts_only and not self.paused_from


# (station id, EVSE id, amps, watts only) -> the state of a limit loaded from storage
StateFactory = Callable[[str, int, float, bool], LimitState]


def dump(stations: dict[str, StationLimits]) -> dict[str, Any]:
    """The "limits" state section: per station its limits, the profiles to clear, and the watts-only mark."""
    saved: dict[str, Any] = {}
    for station_id, kept in stations.items():
        if kept.is_empty():
            continue
        item: dict[str, Any] = {
            "limits": [
                {"evse_id": e, "amps": s.state.amps, "installed_id": s.installed_id} for e, s in kept.slots.items()
            ]
        }
        if kept.clears:
            item["clear"] = sorted([list(pair) for pair in kept.clears])
        if kept.watts_only:
            item["watts_only"] = True
        if kept.paused_from:
            item["paused_from"] = {str(evse_id): amps for evse_id, amps in sorted(kept.paused_from.items())}
        saved[station_id] = item
    return {"stations": saved}


def load(data: Any, new_state: StateFactory) -> dict[str, StationLimits]:
    """The stations of a stored "limits" section; what does not parse is left out."""
    stations: dict[str, StationLimits] = {}
    if not isinstance(data, dict):
        return stations
    for station_id, saved in (data.get("stations") or {}).items():
        if not isinstance(saved, dict):
            continue
        kept = stations[station_id] = StationLimits(watts_only=saved.get("watts_only") is True)
        for item in saved.get("limits") or []:
            try:
                evse_id, amps = int(item["evse_id"]), float(item["amps"])
            except (KeyError, TypeError, ValueError):
                continue
            installed_id = item.get("installed_id")
            kept.slots[evse_id] = Slot(
                new_state(station_id, evse_id, amps, kept.watts_only),
                installed_id=installed_id if isinstance(installed_id, int) else None,
            )
        for evse_id, amps in (saved.get("paused_from") or {}).items():
            with contextlib.suppress(TypeError, ValueError):
                kept.paused_from[int(evse_id)] = float(amps)
        for pair in saved.get("clear") or []:
            with contextlib.suppress(TypeError, ValueError, IndexError):
                kept.clears.add((int(pair[0]), int(pair[1])))
    return stations
