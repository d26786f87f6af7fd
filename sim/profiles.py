"""Charging profiles as a simulated charger obeys them, the same for 1.6 and 2.x (snake_case payloads).

The limit in force for an EVSE/connector: its session's TxProfile (highest stack level whose schedule is
valid now), else its TxDefaultProfile, else the station's TxDefaultProfile (connector/EVSE 0); capped by
the station's max profile (ChargePointMaxProfile / ChargingStationMaxProfile), which the EVSEs charging at
the same time share.  Below 6 A an EV cannot charge (IEC 61851): the charger suspends it (SuspendedEVSE).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

VOLTAGE = 230.0
PHASES = 3
OWN_MAX_AMPS = 16.0  # the simulated charger's own maximum per phase
MIN_AMPS = 6.0
MAX_PURPOSES = ("ChargePointMaxProfile", "ChargingStationMaxProfile")
_RECURRENCE = {"Daily": timedelta(days=1), "Weekly": timedelta(days=7)}


@dataclass(slots=True)
class Installed:
    """A profile the charger holds: on which EVSE / connector (0: the station), as received (snake_case)."""

    where: int
    profile: dict[str, Any]


def profile_id(profile: dict[str, Any]) -> int:
    return int(profile["charging_profile_id"] if "charging_profile_id" in profile else profile["id"])


def schedule_of(profile: dict[str, Any]) -> dict[str, Any]:
    """The (first) charging schedule: a dict in 1.6, a list of them in 2.x."""
    schedule = profile["charging_schedule"]
    first: dict[str, Any] = schedule[0] if isinstance(schedule, list) else schedule
    return first


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def to_amps(limit: float, unit: str, number_phases: int | None = None) -> float:
    return limit if unit == "A" else limit / VOLTAGE / (number_phases or PHASES)


def from_amps(amps: float, unit: str) -> float:
    return round(amps if unit == "A" else amps * VOLTAGE * PHASES, 1)


def active_amps(profile: dict[str, Any], now: datetime, session_start: datetime | None) -> float | None:
    """The per-phase current the profile allows now; None when it does not apply now."""
    valid_from, valid_to = _time(profile.get("valid_from")), _time(profile.get("valid_to"))
    if (valid_from is not None and now < valid_from) or (valid_to is not None and now >= valid_to):
        return None
    schedule = schedule_of(profile)
    kind = profile.get("charging_profile_kind", "Absolute")
    start = _time(schedule.get("start_schedule"))
    if kind == "Relative" or start is None:
        start = session_start or now
    elapsed = (now - start).total_seconds()
    recurrency = _RECURRENCE.get(profile.get("recurrency_kind") or "")
    if kind == "Recurring" and recurrency is not None:
        elapsed %= recurrency.total_seconds()
    duration = schedule.get("duration")
    if elapsed < 0 or (duration is not None and elapsed >= duration):
        return None
    current = None
    for period in sorted(schedule["charging_schedule_period"], key=lambda p: p["start_period"]):
        if period["start_period"] <= elapsed:
            current = period
    if current is None or current.get("limit") is None:
        return None
    return to_amps(float(current["limit"]), schedule["charging_rate_unit"], current.get("number_phases"))


def _highest(profiles: Iterable[Installed], now: datetime, session_start: datetime | None) -> float | None:
    """The limit of the highest stack level that applies now (within one purpose)."""
    best: tuple[int, float] | None = None
    for installed in profiles:
        amps = active_amps(installed.profile, now, session_start)
        level = int(installed.profile["stack_level"])
        if amps is not None and (best is None or level > best[0]):
            best = (level, amps)
    return best[1] if best is not None else None


def station_max_amps(installed: Iterable[Installed], now: datetime) -> float:
    """What the station's max profiles allow in total per phase (the lowest of them), else its own maximum."""
    limits = [
        amps
        for item in installed
        if item.profile["charging_profile_purpose"] in MAX_PURPOSES
        and (amps := active_amps(item.profile, now, None)) is not None
    ]
    return min(limits, default=OWN_MAX_AMPS)


def evse_amps(
    installed: list[Installed], where: int, transaction_id: Any, session_start: datetime | None, now: datetime
) -> float:
    """The current per phase the EVSE may offer by its own profiles (the station's cap not applied)."""

    def of(purpose: str, at: int) -> list[Installed]:
        return [i for i in installed if i.where == at and i.profile["charging_profile_purpose"] == purpose]

    limit = None
    if transaction_id is not None:
        limit = _highest(
            (i for i in of("TxProfile", where) if i.profile.get("transaction_id") in (None, transaction_id)),
            now,
            session_start,
        )
    if limit is None:
        limit = _highest(of("TxDefaultProfile", where), now, session_start)
    if limit is None:
        limit = _highest(of("TxDefaultProfile", 0), now, session_start)
    return min(limit if limit is not None else OWN_MAX_AMPS, OWN_MAX_AMPS)


def share(offered: dict[int, float], station_cap: float) -> dict[int, float]:
    """Each charging EVSE's current once the station cap is shared; below MIN_AMPS: 0 (suspended)."""
    result = dict(offered)
    if sum(offered.values()) > station_cap and offered:
        each = station_cap / len(offered)
        result = {key: min(amps, each) for key, amps in offered.items()}
    return {key: (amps if amps >= MIN_AMPS else 0.0) for key, amps in result.items()}


class Session(Protocol):
    """A connector (1.6) / EVSE (2.x) of the simulator with a session, as obey() sees it."""

    @property
    def transaction_id(self) -> Any: ...
    @property
    def session_start(self) -> datetime | None: ...
    @property
    def ev_max_w(self) -> float: ...

    offered_amps: float
    power_w: float


def obey(sessions: Mapping[int, Session], installed: list[Installed], now: datetime) -> dict[int, str]:
    """Set each session's offered current and power (min(EV, limit in force)); the state each one is to be
    in: "Charging", or "SuspendedEVSE" below 6 A (the same words in 1.6 statuses and 2.x charging states)."""
    own = {key: evse_amps(installed, key, s.transaction_id, s.session_start, now) for key, s in sessions.items()}
    offered = share(own, station_max_amps(installed, now))
    wanted: dict[int, str] = {}
    for key, session in sessions.items():
        session.offered_amps = offered[key]
        session.power_w = min(session.ev_max_w, offered[key] * VOLTAGE * PHASES)
        wanted[key] = "Charging" if session.power_w > 0 else "SuspendedEVSE"
    return wanted


def composite(amps: float, unit: str, duration: int) -> dict[str, Any]:
    """The composite schedule (snake_case) of a limit in force now, in the wanted unit."""
    return {
        "duration": duration,
        "charging_rate_unit": unit,
        "charging_schedule_period": [{"start_period": 0, "limit": from_amps(amps, unit)}],
    }


def replace_profile(profiles: dict[int, Installed], where: int, profile: dict[str, Any]) -> None:
    """Install: it replaces the one with its id, and the one of its EVSE with its purpose and stack level."""
    profiles.pop(profile_id(profile), None)
    slot = (where, profile["charging_profile_purpose"], profile["stack_level"])
    for known_id, known in list(profiles.items()):
        if (known.where, known.profile["charging_profile_purpose"], known.profile["stack_level"]) == slot:
            del profiles[known_id]
    profiles[profile_id(profile)] = Installed(where, profile)


def drop_session_profiles(profiles: dict[int, dict[str, Any]], where_key: str, where: int, ended: Any) -> None:
    """A TxProfile ends with its session: remove those of this EVSE / connector (`where_key`: how it is kept)."""
    for known_id, known in list(profiles.items()):
        profile = known["profile"]
        if (
            profile["charging_profile_purpose"] == "TxProfile"
            and known[where_key] == where
            and profile.get("transaction_id") in (None, ended)
        ):
            del profiles[known_id]
