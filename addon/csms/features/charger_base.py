"""What the 1.6 and 2.x `Charger`s (v16/charger.py, v201/charger.py) do alike.

Both hold their station's id, the state their capabilities are read from, and their version's typed
commands; the calls whose arguments are the same in every version (profiles, the composite schedule,
the local list) are written once here, each version giving only its payload's form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from ..model.station import Station
from ..rpc.endpoint import Payload
from ..state.central_state import CentralState
from .charger import Capabilities, ChargerAnswer, ChargingProfile, LocalListLimits
from .local_list import Entry


class SharedCommands(Protocol):
    """The typed commands every version has with the same arguments (in the same order)."""

    async def set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], /) -> Payload: ...

    async def clear_charging_profile(self, profile_id: int | None = None, /) -> Payload: ...

    async def get_composite_schedule(self, evse_id: int, duration: int, unit: str | None = None, /) -> Payload: ...

    async def send_local_list(
        self, version: int, update_type: str, entries: list[dict[str, Any]] | None = None, /
    ) -> Payload: ...


_MAX_PROFILE_PURPOSES = ("ChargePointMaxProfile", "ChargingStationMaxProfile")  # 1.6's name, 2.x's


def profile_fields(profile: ChargingProfile, max_profile_purpose: str) -> dict[str, Any]:
    """A profile's fields that 1.6 and 2.x name alike; the whole-charger purpose in the version's own name."""
    purpose = max_profile_purpose if profile.purpose in _MAX_PROFILE_PURPOSES else profile.purpose
    return {"stackLevel": profile.stack_level, "chargingProfilePurpose": purpose, "chargingProfileKind": profile.kind}


@dataclass(frozen=True, slots=True)
class VersionForms:
    """How one version names, reads and writes what every charger does (given by each version's charger.py)."""

    meter_interval_key: str  # the meter interval setting: 1.6 key, 2.x Component.Variable
    capabilities: Callable[[Station], Capabilities]
    local_list_limits: Callable[[Station], LocalListLimits]
    profile_payload: Callable[[ChargingProfile], dict[str, Any]]
    local_list_entry: Callable[[Entry], dict[str, Any]]


class VersionCharger[C: SharedCommands]:
    """The base of each version's Charger; subclasses give the forms of their version (`forms`)."""

    forms: ClassVar[VersionForms]

    def __init__(self, station_id: str, state: CentralState, commands: C) -> None:
        self._station_id = station_id
        self._state = state
        self._commands = commands

    # ---- the same in every version ---------------------------------------------------

    @property
    def station_id(self) -> str:
        return self._station_id

    @property
    def meter_interval_key(self) -> str:
        return self.forms.meter_interval_key

    @property
    def capabilities(self) -> Capabilities:
        return self.forms.capabilities(self._state.stations[self._station_id])

    @property
    def local_list_limits(self) -> LocalListLimits:
        return self.forms.local_list_limits(self._state.stations[self._station_id])

    async def set_charging_profile(self, evse_id: int, profile: ChargingProfile) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.set_charging_profile(evse_id, self.forms.profile_payload(profile)))

    async def clear_charging_profile(self, profile_id: int) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.clear_charging_profile(profile_id))

    async def get_composite_schedule(self, evse_id: int, duration: int, unit: str | None = None) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_composite_schedule(evse_id, duration, unit))

    async def send_local_list(self, version: int, update_type: str, entries: list[Entry]) -> ChargerAnswer:
        data = [self.forms.local_list_entry(entry) for entry in entries]
        return ChargerAnswer.of(await self._commands.send_local_list(version, update_type, data))
