"""Load-management limits on the wire: which profile carries a limit, its id and stack level,
the charger's rate unit and phases, the SetChargingProfile payload of each version, and the
limit read back from a GetCompositeSchedule answer.  Pure functions; limits.py decides when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..model.settings import LIMIT_PROFILE_SESSION
from ..model.station import Station
from ..rpc.timeutil import format_timestamp, parse_timestamp, utcnow
from .charger import UNIT_AMPS, UNIT_WATTS, Capabilities, ChargingProfile

NOMINAL_VOLTAGE = 230.0
DEFAULT_MAX_AMPS = 32.0  # no max_current set: the usual wallbox fuse, 32 A
MIN_CHARGING_AMPS = 6.0  # IEC 61851: the lowest current an EV may be offered (below: pause)
# our profiles' ids: one per (EVSE, purpose), far from the small ids people and vendors pick
PROFILE_ID_BASE = 8_800_000
_PURPOSE_OFFSET = {"max": 0, "default": 1000, "session": 2000}
# the stack level of our limits when the charger does not say its maximum: above set_charging_profile's
# default (0), so a profile set by the service with its defaults neither replaces the limit nor wins over it
UNKNOWN_MAX_STACK_LEVEL = 1
COMPOSITE_DURATION = 300  # s of composite schedule read back (the limit in force now is its first period)


@dataclass(slots=True, frozen=True)
class ProfileChoice:
    """How one limit reaches the charger."""

    kind: str  # "max" | "default" | "session" (see _PURPOSE_OFFSET)
    purpose: str  # OCPP chargingProfilePurpose
    profile_id: int
    stack_level: int
    unit: str  # "A" | "W"


_VOLTAGE_RANGE = (80.0, 300.0)  # a measured phase voltage outside this is not one (line-to-line, garbage)


def phases(station: Station, capabilities: Capabilities) -> int:
    """Phases wired, one rule for every version and every limit of the charger: the setting, else what the
    charger states (`Capabilities.phases`), else 3 once a current was measured on L2/L3 (Station.measured_phases,
    kept), else 1 — with 1, a limit sent in watts never lets the charger take more current per phase than asked."""
    if station.settings.phases is not None:
        return station.settings.phases
    if capabilities.phases is not None:
        return capabilities.phases
    return station.measured_phases or 1


def max_amps(station: Station | None) -> float:
    """The most a limit may be: the station's settings.max_current, else DEFAULT_MAX_AMPS (also unknown)."""
    if station is None or station.settings.max_current is None:
        return DEFAULT_MAX_AMPS
    return float(station.settings.max_current)


def max_watts(amps: float, phases: int) -> float:
    """The most a power limit may ask: the maximum current on the phases at the nominal voltage.

    Fixed by the settings (not the measured voltage, which moves with every meter value), so a
    slider's range stays put; a power limit up to it is taken as at most the maximum current.
    """
    return amps * phases * NOMINAL_VOLTAGE


def voltage(station: Station, evse_id: int = 0) -> float:
    """Phase voltage: measured on the EVSE, else on the station, else NOMINAL_VOLTAGE."""
    connector = station.connectors.get(evse_id)
    sources = [connector.readings] if connector is not None else []
    sources.append(station.readings)
    for readings in sources:
        for (measurand, _phase), sample in readings.items():
            if measurand == "Voltage" and _VOLTAGE_RANGE[0] <= sample.value <= _VOLTAGE_RANGE[1]:
                return float(sample.value)
    return NOMINAL_VOLTAGE


def profile_id(evse_id: int, kind: str) -> int:
    """Stable id of our profile for this EVSE (0: the station) and kind; the same on every send."""
    return PROFILE_ID_BASE + _PURPOSE_OFFSET[kind] + evse_id


def choose_profile(
    station: Station, capabilities: Capabilities, evse_id: int, watts_only: bool = False
) -> ProfileChoice:
    """The profile for a limit of this EVSE (0: the whole station); see limits.py's docstring.

    `watts_only`: the charger refused amperes and took watts once; it counts while it states no unit."""
    if evse_id == 0:
        kind = "max"
        purpose = capabilities.max_profile_purpose
    elif station.settings.limit_profile == LIMIT_PROFILE_SESSION:
        kind, purpose = "session", "TxProfile"
    else:
        kind, purpose = "default", "TxDefaultProfile"
    level = capabilities.max_stack_level
    stated = capabilities.rate_units
    unit = UNIT_WATTS if (stated and UNIT_AMPS not in stated) or (watts_only and not stated) else UNIT_AMPS
    stack_level = max(level, 0) if level is not None else UNKNOWN_MAX_STACK_LEVEL
    return ProfileChoice(kind, purpose, profile_id(evse_id, kind), stack_level, unit)


def _anchor() -> datetime:
    """startSchedule of our absolute profiles: the start of the UTC day, so a charger whose clock is
    a few hours behind already has the limit in force (a start "now" could lie in its future)."""
    now = utcnow()
    return now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)


def _limit(value: float) -> float:
    return round(value, 1)  # OCPP 1.6 takes one decimal; the same for 2.x keeps frames comparable


def build_profile(choice: ProfileChoice, value: float, transaction_id: str | None) -> ChargingProfile:
    """The neutral profile of a limit `value` in `choice.unit` (the charger writes it in its version's form)."""
    session = choice.kind == "session"
    period = {"startPeriod": 0, "limit": _limit(value)}
    schedule: dict[str, Any] = {"chargingRateUnit": choice.unit, "chargingSchedulePeriod": [period]}
    if not session:
        schedule = {"startSchedule": format_timestamp(_anchor()), **schedule}
    return ChargingProfile(
        profile_id=choice.profile_id,
        stack_level=choice.stack_level,
        purpose=choice.purpose,
        kind="Relative" if session else "Absolute",
        schedule=schedule,
        transaction_id=transaction_id if session else None,
    )


def composite_limit(answer: dict[str, Any]) -> tuple[float, str] | None:
    """(limit, unit) in force now from a GetCompositeSchedule answer (1.6 or 2.x); None: no schedule, or
    no limit (a negative one: MicroOcpp 1.6 reports "no limit" as -1)."""
    if answer.get("status") != "Accepted":
        return None
    schedule = answer.get("schedule") or answer.get("chargingSchedule")
    if not isinstance(schedule, dict):
        return None
    unit = schedule.get("chargingRateUnit")
    periods = schedule.get("chargingSchedulePeriod")
    if unit not in (UNIT_AMPS, UNIT_WATTS) or not isinstance(periods, list) or not periods:
        return None
    start_raw = schedule.get("scheduleStart") or answer.get("scheduleStart")
    elapsed = 0.0
    if isinstance(start_raw, str):
        now = utcnow()
        elapsed = max(0.0, (now - parse_timestamp(start_raw, now)).total_seconds())
    current: dict[str, Any] | None = None
    for period in sorted((p for p in periods if isinstance(p, dict)), key=lambda p: p.get("startPeriod", 0)):
        if float(period.get("startPeriod", 0)) <= elapsed or current is None:
            current = period
    if current is None or not isinstance(current.get("limit"), int | float) or current["limit"] < 0:
        return None
    return float(current["limit"]), str(unit)


# the set_charging_profile service's simple form: its own ids, one per (connector, purpose), apart from ours
SIMPLE_PROFILE_ID_BASE = 8_900_000
_SIMPLE_PURPOSE_OFFSET = {"ChargePointMaxProfile": 0, "TxDefaultProfile": 1000, "TxProfile": 2000}


def simple_charging_profile(
    connector_id: int,
    *,
    limit: float,
    unit: str = UNIT_AMPS,
    purpose: str = "TxDefaultProfile",
    duration: int | None = None,
    stack_level: int = 0,
    transaction_id: str | None = None,
) -> ChargingProfile:
    """A one-period profile: `limit` (A or W) from now on (for `duration` s when given; a TxProfile from the
    start of its session).  Purpose in either version's spelling.  Its id is stable per (connector,
    purpose): a new one replaces it.  `csms.simple_profile` writes it in a station's version's form."""
    if purpose == "ChargingStationMaxProfile":
        purpose = "ChargePointMaxProfile"
    session = purpose == "TxProfile"
    choice = ProfileChoice(
        kind="session" if session else "default",
        purpose=purpose,
        profile_id=SIMPLE_PROFILE_ID_BASE + _SIMPLE_PURPOSE_OFFSET[purpose] + connector_id,
        stack_level=stack_level,
        unit=unit,
    )
    profile = build_profile(choice, limit, transaction_id)
    if duration is not None:
        profile.schedule["duration"] = duration
        if not session:  # the limit holds for `duration` from now, not from the anchor
            profile.schedule["startSchedule"] = format_timestamp(utcnow())
    return profile
