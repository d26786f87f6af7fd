"""Operations whose payload is one in every version: those of the 1.6 security whitepaper that OCPP 2.0.1
took over unchanged, and a few of the core's."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from ..adapter import CallFn
from ..rpc.endpoint import Payload
from ..rpc.payload import payload as _payload
from .charger_requests import CertificateHash, FirmwareUpdate, LogRequest, ProfileCriteria


class CommonCommands:
    """ClearCache, GetLocalListVersion and CancelReservation: one payload in every version."""

    def __init__(self, call: CallFn) -> None:
        self._call = call

    async def clear_cache(self) -> Payload:
        return await self._call("ClearCache", {})

    async def get_local_list_version(self) -> Payload:
        return await self._call("GetLocalListVersion", {})

    async def cancel_reservation(self, reservation_id: int) -> Payload:
        return await self._call("CancelReservation", _payload(reservationId=reservation_id))


class SecurityCommands(CommonCommands):
    """GetLog, InstallCertificate, DeleteCertificate and the signed firmware update: one payload in every version."""

    async def get_log(self, request: LogRequest) -> Payload:
        r, up = request, request.upload
        log = _payload(remoteLocation=up.location, oldestTimestamp=up.oldest, latestTimestamp=up.latest)
        return await self._call(
            "GetLog",
            _payload(
                logType=r.log_type, requestId=r.request_id, log=log, retries=up.retries, retryInterval=up.retry_interval
            ),
        )

    async def install_certificate(self, certificate_type: str, certificate: str) -> Payload:
        return await self._call(
            "InstallCertificate", _payload(certificateType=certificate_type, certificate=certificate)
        )

    async def delete_certificate(self, certificate: CertificateHash) -> Payload:
        c = certificate
        hash_data = _payload(
            hashAlgorithm=c.hash_algorithm,
            issuerNameHash=c.issuer_name_hash,
            issuerKeyHash=c.issuer_key_hash,
            serialNumber=c.serial_number,
        )
        return await self._call("DeleteCertificate", _payload(certificateHashData=hash_data))

    async def _send_firmware(self, action: str, update: FirmwareUpdate) -> Payload:
        """1.6 SignedUpdateFirmware and 2.x UpdateFirmware: one payload under two names (the request id is
        required: the schema check refuses an update without one)."""
        u = update
        firmware = _payload(
            location=u.location,
            retrieveDateTime=u.retrieve,
            installDateTime=u.install,
            signingCertificate=u.signing_certificate,
            signature=u.signature,
        )
        return await self._call(
            action,
            _payload(requestId=u.request_id, firmware=firmware, retries=u.retries, retryInterval=u.retry_interval),
        )


class ProfileCommands(Protocol):
    """The typed commands every version has with the same arguments (in the same order) but its own payload."""

    async def set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], /) -> Payload: ...

    async def clear_charging_profile(self, criteria: ProfileCriteria, /) -> Payload:
        """The purpose in the version's own spelling."""
        ...

    async def send_local_list(
        self, version: int, update_type: str, entries: list[dict[str, Any]] | None = None, /
    ) -> Payload: ...


class VersionCommands(SecurityCommands, ProfileCommands):
    """The base of each version's typed commands: the shared ones here, the others in the version's form (what
    features/charger_base.py's `VersionCharger` calls)."""

    evse_key: ClassVar[str]  # how the version names a connector / EVSE in a payload: connectorId, evseId

    async def get_composite_schedule(
        self, evse_id: int, duration: int, charging_rate_unit: str | None = None
    ) -> Payload:
        """The schedule of one connector (1.6) / EVSE (2.x), 0: the whole charger, for `duration` seconds."""
        where = {self.evse_key: evse_id}
        return await self._call(
            "GetCompositeSchedule", _payload(**where, duration=duration, chargingRateUnit=charging_rate_unit)
        )
