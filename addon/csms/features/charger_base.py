"""What the 1.6 and 2.x `Charger`s (v16/charger.py, v201/charger.py) do alike.

Both hold their station's id, the state their capabilities are read from, and their version's typed
commands; the calls whose arguments are the same in every version (profiles, the composite schedule,
the local list) are written once here, each version giving only its payload's form.
"""

from __future__ import annotations

from typing import Any, Protocol

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


class VersionCharger[C: SharedCommands]:
    """The base of each version's Charger; subclasses give the forms of their version (the hooks below)."""

    meter_interval_key: str

    def __init__(self, station_id: str, state: CentralState, commands: C) -> None:
        self._station_id = station_id
        self._state = state
        self._commands = commands

    # ---- the version's forms -----------------------------------------------------

    @staticmethod
    def station_capabilities(station: Station) -> Capabilities:
        raise NotImplementedError

    @staticmethod
    def station_local_list_limits(station: Station) -> LocalListLimits:
        raise NotImplementedError

    @staticmethod
    def profile_payload(profile: ChargingProfile) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def local_list_entry(entry: Entry) -> dict[str, Any]:
        raise NotImplementedError

    # ---- the same in every version ---------------------------------------------------

    @property
    def station_id(self) -> str:
        return self._station_id

    @property
    def capabilities(self) -> Capabilities:
        return self.station_capabilities(self._state.stations[self._station_id])

    @property
    def local_list_limits(self) -> LocalListLimits:
        return self.station_local_list_limits(self._state.stations[self._station_id])

    async def set_charging_profile(self, evse_id: int, profile: ChargingProfile) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.set_charging_profile(evse_id, self.profile_payload(profile)))

    async def clear_charging_profile(self, profile_id: int) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.clear_charging_profile(profile_id))

    async def get_composite_schedule(self, evse_id: int, duration: int, unit: str | None = None) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_composite_schedule(evse_id, duration, unit))

    async def send_local_list(self, version: int, update_type: str, entries: list[Entry]) -> ChargerAnswer:
        data = [self.local_list_entry(entry) for entry in entries]
        return ChargerAnswer.of(await self._commands.send_local_list(version, update_type, data))
