"""Service steps that are the same in every OCPP version (their commands share the signature)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from homeassistant.util import dt as dt_util

from ..csms import CertificateHash, FirmwareUpdate, LogRequest, LogUpload, ProfileCriteria, simple_profile
from ..errors import Answer, validation_error
from .fields import WHOLE_CHARGER_PURPOSES, check_profile_form
from .target import Target


class _LogCommands(Protocol):
    async def get_log(self, request: LogRequest, /) -> Answer: ...


class _ProfileCommands(Protocol):
    async def set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], /) -> Answer: ...


def given_or_new(data: dict[str, Any], key: str, allocate: Callable[[], int]) -> Any:
    """The id the caller gave under `key`, else a new one of the central system's (`allocate`)."""
    given = data.get(key)
    return allocate() if given is None else given


async def get_log(commands: _LogCommands, target: Target, data: dict[str, Any]) -> Answer:
    """GetLog (1.6 security whitepaper and 2.x alike); the request id is made up when not given and returned."""
    request_id = given_or_new(data, "request_id", target.central.next_request_id)
    upload = LogUpload(
        data["location"],
        data.get("oldest_timestamp"),
        data.get("latest_timestamp"),
        data.get("retries"),
        data.get("retry_interval"),
    )
    request = LogRequest(data["log_type"], request_id, upload)
    answer = await commands.get_log(request)
    return {**answer, "requestId": request_id}


def firmware_update(data: dict[str, Any], request_id: int | None) -> FirmwareUpdate:
    """update_firmware's fields (retrieve_date: now when not given)."""
    return FirmwareUpdate(
        data["location"],
        data.get("retrieve_date") or dt_util.utcnow(),
        data.get("retries"),
        data.get("retry_interval"),
        data.get("signing_certificate"),
        data.get("signature"),
        data.get("install_date"),
        request_id,
    )


def profile_criteria(target: Target, data: dict[str, Any], purpose: str | None) -> ProfileCriteria:
    """clear_charging_profile's criteria (`purpose` in the charger's version's spelling)."""
    return ProfileCriteria(
        data.get("charging_profile_id"), target.named_connector(data), purpose, data.get("stack_level")
    )


def certificate_hash(data: dict[str, Any]) -> CertificateHash:
    """delete_certificate's fields."""
    return CertificateHash(
        data["hash_algorithm"], data["issuer_name_hash"], data["issuer_key_hash"], data["serial_number"]
    )


async def set_charging_profile(commands: _ProfileCommands, target: Target, data: dict[str, Any]) -> Answer:
    """SetChargingProfile in either version: the profile given, or the simple form's (then returned too)."""
    connector_id, profile = charging_profile(target, data)
    answer = await commands.set_charging_profile(connector_id, profile)
    return answer if "charging_profile" in data else {**answer, "chargingProfile": profile}


def profile_connector(target: Target, data: dict[str, Any]) -> int:
    """Where a charging profile goes: the whole charger for station-wide purposes, else connector 1 by default."""
    profile: dict[str, Any] = data["charging_profile"]
    default = 0 if profile.get("chargingProfilePurpose") in WHOLE_CHARGER_PURPOSES else 1
    return target.connector(data, default=default)


def charging_profile(target: Target, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(connector, profile) of set_charging_profile: the profile given, or the one its simple form
    (limit, unit, purpose, duration, stack level) describes, in the charger's version."""
    check_profile_form(data)
    if "charging_profile" in data:
        return profile_connector(target, data), data["charging_profile"]
    purpose = data.get("purpose", "TxDefaultProfile")
    connector_id = target.connector(data, default=0 if purpose in WHOLE_CHARGER_PURPOSES else 1)
    transaction_id = None
    if purpose == "TxProfile":
        connector = target.station.connectors.get(connector_id)
        if connector is None or connector.transaction is None:
            raise validation_error("no_open_transaction", charger=target.station_id)
        transaction_id = connector.transaction.transaction_id
    profile = simple_profile(
        target.station,
        connector_id,
        limit=data["limit"],
        unit=data.get("unit", "A"),
        purpose=purpose,
        duration=data.get("duration"),
        stack_level=data.get("stack_level", 0),
        transaction_id=transaction_id,
    )
    return connector_id, profile
