"""What the 1.6 and 2.x `Charger`s (v16/charger.py, v201/charger.py) do alike.

Both hold their station's id, the state their capabilities are read from, and their version's typed
commands; the calls whose arguments are the same in every version (profiles, the composite schedule,
the local list) are written once here, each version giving only its payload's form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from ..model.station import Station
from ..state.central_state import CentralState
from .charger import Capabilities, Charger, ChargerAnswer, ChargingProfile, LocalListLimits, TariffSupport
from .charger_requests import CertificateHash, LogRequest, ProfileCriteria
from .local_list import Entry
from .pricing.tariff import Tariff
from .security_commands import VersionCommands

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


class VersionCharger[C: VersionCommands](Charger):
    """The base of each version's Charger; subclasses give the forms of their version (`forms`).  It subclasses
    `Charger`, so the signatures are declared there alone (mypy checks every override against them) and the
    commands one version lacks say so (charger_commands.py)."""

    forms: ClassVar[VersionForms]

    def __init__(self, station_id: str, state: CentralState, commands: C) -> None:
        self._station_id = station_id
        self._state = state
        self._commands = commands

    # ---- the version's forms beyond `forms` ----------------------------------------

    @staticmethod
    def given_local_list_entry(entry: dict[str, Any], token_type: str) -> dict[str, Any]:
        """An entry as a user wrote it (1.6 {idTag, idTagInfo} or this version's form) in this version's."""
        raise NotImplementedError

    @staticmethod
    def own_name(name: str) -> str:
        """A profile purpose or certificate type in this version's spelling (either version's given)."""
        raise NotImplementedError

    @property
    def tariff_support(self) -> TariffSupport | None:
        """Only OCPP 2.1 stations calculate costs of their own (v21/charger.py)."""
        return None

    async def set_default_tariff(self, evse_id: int, tariff: Tariff, tariff_id: str) -> ChargerAnswer:
        raise NotImplementedError("only OCPP 2.1 stations take tariffs")

    async def clear_tariffs(self, tariff_ids: list[str]) -> ChargerAnswer:
        raise NotImplementedError("only OCPP 2.1 stations take tariffs")

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

    def profile_payload(self, profile: ChargingProfile) -> dict[str, Any]:
        """The profile as this version sends it (the API shows what was sent)."""
        return self.forms.profile_payload(profile)

    async def set_charging_profile(self, evse_id: int, profile: ChargingProfile) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.set_charging_profile(evse_id, self.forms.profile_payload(profile)))

    async def set_charging_profile_as_given(self, evse_id: int, payload: dict[str, Any]) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.set_charging_profile(evse_id, payload))

    async def clear_charging_profile(self, criteria: ProfileCriteria) -> ChargerAnswer:
        own = None if criteria.purpose is None else self.own_name(criteria.purpose)
        return ChargerAnswer.of(await self._commands.clear_charging_profile(replace(criteria, purpose=own)))

    async def get_composite_schedule(self, evse_id: int, duration: int, unit: str | None = None) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_composite_schedule(evse_id, duration, unit))

    async def send_local_list(self, version: int, update_type: str, entries: list[Entry]) -> ChargerAnswer:
        data = [self.forms.local_list_entry(entry) for entry in entries]
        return ChargerAnswer.of(await self._commands.send_local_list(version, update_type, data))

    async def send_local_list_as_given(
        self, version: int, update_type: str, entries: list[dict[str, Any]], token_type: str
    ) -> ChargerAnswer:
        data = [self.given_local_list_entry(entry, token_type) for entry in entries]
        return ChargerAnswer.of(await self._commands.send_local_list(version, update_type, data or None))

    async def clear_cache(self) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.clear_cache())

    async def cancel_reservation(self, reservation_id: int) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.cancel_reservation(reservation_id))

    async def install_certificate(self, certificate_type: str, certificate: str) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.install_certificate(self.own_name(certificate_type), certificate))

    async def delete_certificate(self, certificate: CertificateHash) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.delete_certificate(certificate))

    async def get_log(self, request: LogRequest) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_log(request), request.request_id)
