"""OCPP 1.6J: every central-system → charger operation as a typed async call.

Each method builds the payload from Python values, sends it (checked against
the schema first, see RpcEndpoint.call) and returns the charger's answer as
the charger sent it (camelCase keys).  What the answer means for the domain
model (a reservation taken, a local list version) is recorded below, at the
call layer (answers.py), so the same action sent raw is recorded too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..features.charger_requests import FirmwareUpdate, LogUpload, ProfileCriteria
from ..features.security_commands import VersionCommands
from ..rpc.endpoint import Payload
from ..rpc.payload import payload as _payload


class V16Commands(VersionCommands):
    """The Core, Firmware, Local List, Reservation, Smart Charging, Trigger and Security operations."""

    evse_key = "connectorId"

    # ---- Core ----------------------------------------------------------------

    async def reset(self, reset_type: str = "Soft") -> Payload:
        return await self._call("Reset", _payload(type=reset_type))

    async def unlock_connector(self, connector_id: int) -> Payload:
        return await self._call("UnlockConnector", _payload(connectorId=connector_id))

    async def change_availability(self, connector_id: int, availability: str) -> Payload:
        return await self._call("ChangeAvailability", _payload(connectorId=connector_id, type=availability))

    async def get_configuration(self, keys: list[str] | None = None) -> Payload:
        return await self._call("GetConfiguration", _payload(key=keys or None))

    async def change_configuration(self, key: str, value: str) -> Payload:
        return await self._call("ChangeConfiguration", _payload(key=key, value=value))

    async def data_transfer(self, vendor_id: str, message_id: str | None = None, data: str | None = None) -> Payload:
        return await self._call("DataTransfer", _payload(vendorId=vendor_id, messageId=message_id, data=data))

    async def remote_start_transaction(
        self, id_tag: str, connector_id: int | None = None, charging_profile: dict[str, Any] | None = None
    ) -> Payload:
        return await self._call(
            "RemoteStartTransaction", _payload(idTag=id_tag, connectorId=connector_id, chargingProfile=charging_profile)
        )

    async def remote_stop_transaction(self, transaction_id: int) -> Payload:
        return await self._call("RemoteStopTransaction", _payload(transactionId=transaction_id))

    # ---- Reservation ---------------------------------------------------------

    async def reserve_now(
        self,
        connector_id: int,
        expiry_date: datetime,
        id_tag: str,
        reservation_id: int,
        parent_id_tag: str | None = None,
    ) -> Payload:
        return await self._call(
            "ReserveNow",
            _payload(
                connectorId=connector_id,
                expiryDate=expiry_date,
                idTag=id_tag,
                reservationId=reservation_id,
                parentIdTag=parent_id_tag,
            ),
        )

    # ---- Local authorization list --------------------------------------------

    async def send_local_list(
        self, list_version: int, update_type: str, local_authorization_list: list[dict[str, Any]] | None = None
    ) -> Payload:
        return await self._call(
            "SendLocalList",
            _payload(listVersion=list_version, updateType=update_type, localAuthorizationList=local_authorization_list),
        )

    # ---- Remote trigger ------------------------------------------------------

    async def trigger_message(self, requested_message: str, connector_id: int | None = None) -> Payload:
        return await self._trigger("TriggerMessage", requested_message, connector_id)

    async def _trigger(self, action: str, requested_message: str, connector_id: int | None) -> Payload:
        """TriggerMessage and the security extension's ExtendedTriggerMessage: one payload, two names."""
        return await self._call(action, _payload(requestedMessage=requested_message, connectorId=connector_id))

    # ---- Firmware management -------------------------------------------------

    async def update_firmware(
        self, location: str, retrieve_date: datetime, retries: int | None = None, retry_interval: int | None = None
    ) -> Payload:
        return await self._call(
            "UpdateFirmware",
            _payload(location=location, retrieveDate=retrieve_date, retries=retries, retryInterval=retry_interval),
        )

    async def get_diagnostics(self, upload: LogUpload) -> Payload:
        """The log of upload.oldest .. upload.latest (startTime, stopTime)."""
        up = upload
        return await self._call(
            "GetDiagnostics",
            _payload(
                location=up.location,
                retries=up.retries,
                retryInterval=up.retry_interval,
                startTime=up.oldest,
                stopTime=up.latest,
            ),
        )

    # ---- Smart charging ------------------------------------------------------

    async def set_charging_profile(self, connector_id: int, charging_profile: dict[str, Any]) -> Payload:
        return await self._call(
            "SetChargingProfile", _payload(connectorId=connector_id, csChargingProfiles=charging_profile)
        )

    async def clear_charging_profile(self, criteria: ProfileCriteria) -> Payload:
        """The criteria's evse_id is the connector."""
        c = criteria
        return await self._call(
            "ClearChargingProfile",
            _payload(
                id=c.profile_id, connectorId=c.evse_id, chargingProfilePurpose=c.purpose, stackLevel=c.stack_level
            ),
        )

    # ---- Security whitepaper -------------------------------------------------

    async def extended_trigger_message(self, requested_message: str, connector_id: int | None = None) -> Payload:
        return await self._trigger("ExtendedTriggerMessage", requested_message, connector_id)

    async def signed_update_firmware(self, update: FirmwareUpdate) -> Payload:
        """Its signing certificate, signature and request id are required (the schema check refuses none)."""
        return await self._send_firmware("SignedUpdateFirmware", update)

    async def get_installed_certificate_ids(self, certificate_type: str) -> Payload:
        return await self._call("GetInstalledCertificateIds", _payload(certificateType=certificate_type))

    async def certificate_signed(self, certificate_chain: str) -> Payload:
        return await self._call("CertificateSigned", _payload(certificateChain=certificate_chain))
