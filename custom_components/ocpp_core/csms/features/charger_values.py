"""What a charger answers and states, in neutral form: the values of the `Charger` interface (charger.py)
and of its service commands (charger_commands.py), which both import them from here."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from ..rpc.endpoint import Payload


@dataclass(frozen=True)
class ChargerAnswer:
    """What the charger answered: `status` (None when its answer has none), its raw answer, and for a
    read the value read (`local_list_version`, `meter_interval`; None: unknown / not given)."""

    status: str | None
    raw: Payload = field(default_factory=dict)
    value: int | None = None

    @classmethod
    def of(cls, raw: Payload, value: int | None = None) -> ChargerAnswer:
        status = raw.get("status")
        return cls(None if status is None else str(status), raw, value)


_INT32_MAX = 2_147_483_647
UNIT_AMPS = "A"
UNIT_WATTS = "W"


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What the charger says it takes, from what it reported (1.6 configuration, 2.x device model); computed
    by its version (v16/charger.py, v201/charger.py), known while it is away too."""

    rate_units: frozenset[str] = frozenset()  # "A" / "W" it takes in schedules; empty: it does not say
    max_stack_level: int | None = None  # the highest stack level it takes; None: unknown
    phases: int | None = None  # phases it states it is wired with (2.x SupplyPhases); None: not stated
    max_profile_purpose: str = "ChargePointMaxProfile"  # the purpose of a whole-charger limit
    # after a boot, a read of what it takes follows (1.6: always its configuration; 2.x: the first inventory)
    read_follows_boot: bool = True


@dataclass(frozen=True, slots=True)
class LocalListLimits:
    """What the charger says of its local authorization list (1.6 configuration, 2.x LocalAuthListCtrlr)."""

    refused: str | None = None  # why it takes no local list (None: it takes one, or does not say)
    max_length: int | None = None  # entries the list may hold
    per_message: int | None = None  # entries one SendLocalList may carry
    max_id_length: int | None = None  # the longest id tag it takes (1.6: 20)


@dataclass(frozen=True, slots=True)
class TariffSupport:
    """A station that calculates costs itself (OCPP 2.1 TariffCostCtrlr): whether it takes tariffs with
    conditions (times of day, grace times: ConditionsSupported[Tariff]) and how many prices per element it
    takes (MaxElements[Tariff]; None: not said)."""

    conditions: bool = True
    max_elements: int | None = None


@dataclass(frozen=True, slots=True)
class ChargingProfile:
    """A charging profile in neutral form; each version's charger writes it in its own (v16/v201 charger.py
    `profile_payload`: 1.6 csChargingProfiles, 2.x chargingProfile)."""

    profile_id: int
    stack_level: int
    purpose: str  # ChargePointMaxProfile (2.x: ChargingStationMaxProfile, either spelling), TxDefaultProfile, TxProfile
    kind: str  # Absolute | Relative
    # chargingRateUnit, chargingSchedulePeriod, startSchedule?, duration? (the same names in every version)
    schedule: dict[str, Any]
    transaction_id: str | None = None  # a TxProfile's session


def count(value: object) -> int | None:
    """A count a charger stated (an int, or text "5" / "5.0"), within int32; else None."""
    if isinstance(value, bool):
        return None
    number: int | None = None
    with contextlib.suppress(ValueError, OverflowError):  # "x", inf, "1e999"
        if isinstance(value, int | float):
            number = int(value)
        elif isinstance(value, str):
            number = int(float(value.strip()))
    return number if number is not None and abs(number) <= _INT32_MAX else None


def rate_units(names: list[str]) -> frozenset[str]:
    """The units named in a charger's list (Current / Power, A / W, any case)."""
    units = set()
    for name in names:
        if name.lower() in ("current", "a"):
            units.add(UNIT_AMPS)
        elif name.lower() in ("power", "w"):
            units.add(UNIT_WATTS)
    return frozenset(units)
