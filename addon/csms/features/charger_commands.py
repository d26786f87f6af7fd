"""More of the Home Assistant services' charger commands in version-neutral form: part of the `Charger`
(charger.py, which has the core ones: restart, unlock, availability, remote start / stop, profiles).

A connector number is the 1.6 connector or the 2.x EVSE; `evse_connector_id` is the connector of a 2.x
EVSE (1.6 has none: ignored).  A command only one version has (1.6 configuration and diagnostics, 2.x
variables, reports and display messages) raises `UnsupportedVersion` on the other; an argument the
charger's version cannot carry raises `InvalidArgument`.  Each answers a `ChargerAnswer`; `value` holds
the id the central system chose for it when there is one (remoteStartId, requestId).
"""

from __future__ import annotations

from typing import Any, NoReturn, Protocol

from ..model.station import Reservation
from .charger_requests import CertificateHash, FirmwareUpdate, LogRequest, LogUpload
from .charger_values import ChargerAnswer, ChargingProfile


class UnsupportedVersion(NotImplementedError):
    """The charger speaks an OCPP version that has no such command (or whose adapter is not there yet)."""


class InvalidArgument(ValueError):
    """An argument the charger's OCPP version cannot carry (the message names it)."""


def unsupported(station_id: str, command: str) -> NoReturn:
    raise UnsupportedVersion(f"{station_id}'s OCPP version has no {command}")


class ServiceCommands(Protocol):
    """What the HA services (and the add-on's API) ask of a charger, whatever its version.

    A charger class that subclasses it (features/charger_base.py) inherits the one-version-only commands'
    bodies, which say the version has no such command; a structural implementer writes its own."""

    @property
    def station_id(self) -> str: ...

    async def trigger_message(
        self, message: str, connector_id: int | None = None, evse_connector_id: int | None = None
    ) -> ChargerAnswer: ...

    async def clear_cache(self) -> ChargerAnswer: ...

    async def data_transfer(self, vendor_id: str, message_id: str | None = None, data: object = None) -> ChargerAnswer:
        """`data` any JSON value (1.6 carries text: anything else is sent as its JSON)."""
        ...

    async def reserve_now(self, reservation: Reservation, id_token_type: str | None = None) -> ChargerAnswer:
        """connector_id 0: any (2.x: any EVSE); 2.x: the token's and parent's type (default Central)."""
        ...

    async def cancel_reservation(self, reservation_id: int) -> ChargerAnswer: ...

    async def set_charging_profile_as_given(self, evse_id: int, payload: dict[str, Any]) -> ChargerAnswer:
        """A charging profile already in the charger's own version's form (as a user wrote it)."""
        ...

    def profile_payload(self, profile: ChargingProfile) -> dict[str, Any]:
        """A neutral `ChargingProfile` in the charger's version's form (what set_charging_profile sends)."""
        ...

    async def send_local_list_as_given(
        self, version: int, update_type: str, entries: list[dict[str, Any]], token_type: str
    ) -> ChargerAnswer:
        """Entries as a user wrote them: 1.6 {idTag, idTagInfo} (2.x converts them, tokens of `token_type`)
        or the charger's own form."""
        ...

    async def install_certificate(self, certificate_type: str, certificate: str) -> ChargerAnswer:
        """certificate_type in either version's spelling (CentralSystemRootCertificate = CSMSRootCertificate)."""
        ...

    async def get_installed_certificate_ids(self, certificate_type: str) -> ChargerAnswer: ...

    async def delete_certificate(self, certificate: CertificateHash) -> ChargerAnswer: ...

    async def update_firmware(self, update: FirmwareUpdate) -> ChargerAnswer:
        """1.6: UpdateFirmware, or SignedUpdateFirmware when signed; 2.x: UpdateFirmware.  `value`: the requestId
        its status notifications carry (None: 1.6 unsigned, which has none); one is chosen when none is given."""
        ...

    async def get_log(self, request: LogRequest) -> ChargerAnswer:
        """`value`: the request id (its LogStatusNotifications carry it)."""
        ...

    # ---- one version's only ----------------------------------------------------------

    async def get_configuration(self, keys: list[str] | None = None) -> ChargerAnswer:
        """1.6."""
        unsupported(self.station_id, "GetConfiguration (OCPP 1.6)")

    async def change_configuration(self, key: str, value: str) -> ChargerAnswer:
        """1.6."""
        unsupported(self.station_id, "ChangeConfiguration (OCPP 1.6)")

    async def get_diagnostics(self, upload: LogUpload) -> ChargerAnswer:
        """1.6."""
        unsupported(self.station_id, "GetDiagnostics (OCPP 1.6)")

    async def get_variables(self, entries: list[dict[str, Any]]) -> ChargerAnswer:
        """2.x GetVariableData entries."""
        unsupported(self.station_id, "GetVariables (OCPP 2.x)")

    async def set_variables(self, entries: list[dict[str, Any]]) -> ChargerAnswer:
        """2.x SetVariableData entries."""
        unsupported(self.station_id, "SetVariables (OCPP 2.x)")

    async def get_base_report(self, request_id: int, report_base: str) -> ChargerAnswer:
        """2.x; the report follows as NotifyReport."""
        unsupported(self.station_id, "GetBaseReport (OCPP 2.x)")

    async def get_transaction_status(self, transaction_id: str | None = None) -> ChargerAnswer:
        """2.x."""
        unsupported(self.station_id, "GetTransactionStatus (OCPP 2.x)")

    async def set_display_message(self, message: dict[str, Any]) -> ChargerAnswer:
        """2.x MessageInfoType."""
        unsupported(self.station_id, "SetDisplayMessage (OCPP 2.x)")

    async def clear_display_message(self, message_id: int) -> ChargerAnswer:
        """2.x."""
        unsupported(self.station_id, "ClearDisplayMessage (OCPP 2.x)")
