"""What the 1.6 and 2.x `Charger`s (v16/charger.py, v201/charger.py) do alike.

Both hold their station's id, the state their capabilities are read from, and their version's typed
commands; the calls whose arguments are the same in every version (profiles, the composite schedule,
the local list) are written once here, each version giving only its payload's form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn, Protocol

from ..model.station import Station
from ..rpc.endpoint import Payload
from ..state.central_state import CentralState
from .charger import Capabilities, ChargerAnswer, ChargingProfile, LocalListLimits
from .charger_commands import UnsupportedVersion
from .local_list import Entry


class SharedCommands(Protocol):
    """The typed commands every version has with the same arguments (in the same order)."""

    async def set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], /) -> Payload: ...

    async def clear_charging_profile(
        self,
        profile_id: int | None = None,
        evse_id: int | None = None,
        purpose: str | None = None,
        stack_level: int | None = None,
        /,
    ) -> Payload: ...

    async def get_composite_schedule(self, evse_id: int, duration: int, unit: str | None = None, /) -> Payload: ...

    async def send_local_list(
        self, version: int, update_type: str, entries: list[dict[str, Any]] | None = None, /
    ) -> Payload: ...

    async def clear_cache(self) -> Payload: ...

    async def cancel_reservation(self, reservation_id: int, /) -> Payload: ...

    async def install_certificate(self, certificate_type: str, certificate: str, /) -> Payload: ...

    async def delete_certificate(
        self, hash_algorithm: str, issuer_name_hash: str, issuer_key_hash: str, serial_number: str, /
    ) -> Payload: ...

    async def get_log(
        self,
        log_type: str,
        request_id: int,
        remote_location: str,
        oldest_timestamp: datetime | None = None,
        latest_timestamp: datetime | None = None,
        retries: int | None = None,
        retry_interval: int | None = None,
        /,
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

    @staticmethod
    def given_local_list_entry(entry: dict[str, Any], token_type: str) -> dict[str, Any]:
        """An entry as a user wrote it (1.6 {idTag, idTagInfo} or this version's form) in this version's."""
        raise NotImplementedError

    @staticmethod
    def own_name(name: str) -> str:
        """A profile purpose or certificate type in this version's spelling (either version's given)."""
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

    async def set_charging_profile_as_given(self, evse_id: int, payload: dict[str, Any]) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.set_charging_profile(evse_id, payload))

    async def clear_charging_profile(
        self,
        profile_id: int | None = None,
        evse_id: int | None = None,
        purpose: str | None = None,
        stack_level: int | None = None,
    ) -> ChargerAnswer:
        own = None if purpose is None else self.own_name(purpose)
        return ChargerAnswer.of(await self._commands.clear_charging_profile(profile_id, evse_id, own, stack_level))

    async def get_composite_schedule(self, evse_id: int, duration: int, unit: str | None = None) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_composite_schedule(evse_id, duration, unit))

    async def send_local_list(self, version: int, update_type: str, entries: list[Entry]) -> ChargerAnswer:
        data = [self.local_list_entry(entry) for entry in entries]
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

    async def delete_certificate(
        self, hash_algorithm: str, issuer_name_hash: str, issuer_key_hash: str, serial_number: str
    ) -> ChargerAnswer:
        answer = await self._commands.delete_certificate(
            hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number
        )
        return ChargerAnswer.of(answer)

    async def get_log(
        self,
        log_type: str,
        request_id: int,
        location: str,
        oldest: datetime | None = None,
        latest: datetime | None = None,
        retries: int | None = None,
        retry_interval: int | None = None,
    ) -> ChargerAnswer:
        answer = await self._commands.get_log(log_type, request_id, location, oldest, latest, retries, retry_interval)
        return ChargerAnswer.of(answer, request_id)

    # ---- what only one version has: the other says so --------------------------------

    def _unsupported(self, command: str) -> NoReturn:
        raise UnsupportedVersion(f"{self._station_id}'s OCPP version has no {command}")

    async def get_configuration(self, keys: list[str] | None = None) -> ChargerAnswer:
        self._unsupported("GetConfiguration (OCPP 1.6)")

    async def change_configuration(self, key: str, value: str) -> ChargerAnswer:
        self._unsupported("ChangeConfiguration (OCPP 1.6)")

    async def get_diagnostics(
        self,
        location: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        start: datetime | None = None,
        stop: datetime | None = None,
    ) -> ChargerAnswer:
        self._unsupported("GetDiagnostics (OCPP 1.6)")

    async def get_variables(self, entries: list[dict[str, Any]]) -> ChargerAnswer:
        self._unsupported("GetVariables (OCPP 2.x)")

    async def set_variables(self, entries: list[dict[str, Any]]) -> ChargerAnswer:
        self._unsupported("SetVariables (OCPP 2.x)")

    async def get_base_report(self, request_id: int, report_base: str) -> ChargerAnswer:
        self._unsupported("GetBaseReport (OCPP 2.x)")

    async def get_transaction_status(self, transaction_id: str | None = None) -> ChargerAnswer:
        self._unsupported("GetTransactionStatus (OCPP 2.x)")

    async def set_display_message(self, message: dict[str, Any]) -> ChargerAnswer:
        self._unsupported("SetDisplayMessage (OCPP 2.x)")

    async def clear_display_message(self, message_id: int) -> ChargerAnswer:
        self._unsupported("ClearDisplayMessage (OCPP 2.x)")
