"""One charger, whatever OCPP version it speaks: the commands the features and Home Assistant send.

`CentralSystem.charger(station_id)` gives it for a connected charger; the version adapters implement it
(v16/charger.py, v201/charger.py), so they alone know each version's payloads.  Arguments are neutral:
a connector number is the 1.6 connector or the 2.x EVSE (`Station.connectors`), a charging profile is in
a neutral `ChargingProfile` (features/limit_profiles.py builds it), local-list entries are the
neutral `Entry` dicts of features/local_list.py.  Each call answers a `ChargerAnswer`: the neutral status
and the charger's answer as it sent it.  A typed Protocol, so a remote client (the add-on's API) can
implement it too.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..rpc.endpoint import Payload
from .charger_commands import ServiceCommands
from .pricing.notice import CostNotice


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


class Charger(ServiceCommands, Protocol):
    """A connected charger's version-neutral commands (with the services' others: charger_commands.py) and
    capabilities."""

    @property
    def station_id(self) -> str: ...

    # ---- capabilities (from what the charger reported) ------------------------------

    @property
    def capabilities(self) -> Capabilities: ...

    @property
    def local_list_limits(self) -> LocalListLimits: ...

    @property
    def meter_interval_key(self) -> str:
        """The name of the charger's meter interval setting (1.6 key, 2.x Component.Variable)."""
        ...

    # ---- core -------------------------------------------------------------------

    async def restart(self, hard: bool = False, *, evse_id: int | None = None, on_idle: bool = False) -> ChargerAnswer:
        """Reset: soft (1.6 Soft, 2.x Immediate: sessions end first) or hard (1.6 Hard, 2.x Immediate); 2.x also
        once idle (OnIdle; 1.6: UnsupportedVersion) and of one EVSE (1.6 resets the whole charger)."""
        ...

    async def unlock(self, connector_id: int, evse_connector_id: int | None = None) -> ChargerAnswer:
        """Unlock a connector (1.6) / the EVSE's connector given, else the one in use, else its first (2.x)."""
        ...

    async def change_availability(
        self, connector_id: int | None, operative: bool, evse_connector_id: int | None = None
    ) -> ChargerAnswer:
        """Operative / Inoperative: the whole charger (None or 0), or one connector / EVSE (2.x: or one connector
        of it)."""
        ...

    async def remote_start(
        self,
        id_tag: str,
        connector_id: int | None = None,
        *,
        charging_profile: dict[str, Any] | None = None,
        id_token_type: str | None = None,
    ) -> ChargerAnswer:
        """A profile in the charger's version's form; 2.x: the token's type (default Central), and `value` is
        the remoteStartId chosen."""
        ...

    async def set_password(self, password: str) -> ChargerAnswer:
        """Its new Basic-auth password (1.6 AuthorizationKey, hex; 2.x SecurityCtrlr.BasicAuthPassword)."""
        ...

    async def remote_stop(self, transaction_id: str) -> ChargerAnswer:
        """InvalidArgument for an id the version cannot carry (1.6: a number)."""
        ...

    # ---- smart charging -----------------------------------------------------------

    async def set_charging_profile(self, evse_id: int, profile: ChargingProfile) -> ChargerAnswer:
        """evse_id 0: the whole charger."""
        ...

    async def clear_charging_profile(
        self,
        profile_id: int | None = None,
        evse_id: int | None = None,
        purpose: str | None = None,
        stack_level: int | None = None,
    ) -> ChargerAnswer:
        """The profiles matching every criterion given (purpose in either version's spelling)."""
        ...

    async def get_composite_schedule(self, evse_id: int, duration: int, unit: str | None = None) -> ChargerAnswer: ...

    # ---- local authorization list ----------------------------------------------------

    async def local_list_version(self) -> ChargerAnswer:
        """`value`: the version the charger holds (-1 when it says it has no local list)."""
        ...

    async def send_local_list(self, version: int, update_type: str, entries: list[dict[str, Any]]) -> ChargerAnswer:
        """Full / Differential; `entries` neutral (id_tag, status, expiry, parent; remove: True to remove)."""
        ...

    # ---- meter values --------------------------------------------------------------

    async def meter_interval(self) -> ChargerAnswer:
        """`value`: the interval (s) the charger reports using now (None: unknown)."""
        ...

    async def set_meter_interval(self, seconds: int) -> ChargerAnswer: ...

    # ---- costs (features/pricing) ------------------------------------------------------

    @property
    def shows_costs(self) -> bool:
        """Whether it takes cost messages (1.6: it advertises California Pricing; 2.x: unless it says not)."""
        ...

    async def show_cost(self, notice: CostNotice) -> ChargerAnswer | None:
        """The running or final cost; None when the version tells it otherwise (2.x final: in the
        TransactionEventResponse)."""
        ...

    async def show_user_price(self, id_tag: str, notice: CostNotice) -> ChargerAnswer | None:
        """The tariff of the driver who identified (1.6 SetUserPrice); None when the version has no such message."""
        ...
