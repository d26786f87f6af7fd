"""Every charger service: its fields, its implementation per OCPP version, its refusals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..csms import OcppVersion
from ..errors import Answer
from .fields import (
    _LOCAL_LIST_ENTRY,
    ATTR_CONNECTOR_ID,
    AVAILABILITY_TYPES,
    CERTIFICATE_TYPES,
    EXTENDED_TRIGGER_MESSAGES,
    HASH_ALGORITHMS,
    LOG_TYPES,
    PROFILE_PURPOSES,
    RATE_UNITS,
    RESET_TYPES,
    TRIGGER_MESSAGES,
    UPDATE_TYPES,
    _config_value,
    _connector,
    _connector_not_0,
    _count,
    _data_value,
    _int,
    _object,
    _text,
    _time,
    ocpp_enum,
)
from .target import Target
from .v16 import (
    _cancel_reservation,
    _change_availability,
    _change_configuration,
    _clear_cache,
    _clear_charging_profile,
    _data_transfer,
    _delete_certificate,
    _get_composite_schedule,
    _get_configuration,
    _get_diagnostics,
    _get_installed_certificate_ids,
    _get_local_list_version,
    _get_log,
    _install_certificate,
    _reserve_now,
    _reset,
    _send_call,
    _send_local_list,
    _set_charging_profile,
    _start_transaction,
    _stop_transaction,
    _trigger_message,
    _unlock_connector,
    _update_firmware,
)

# ---- service descriptions --------------------------------------------------------

Run = Callable[[Target, dict[str, Any]], Awaitable[Answer]]


@dataclass(frozen=True, slots=True)
class Implementation:
    """How one OCPP version carries out a service."""

    run: Run
    # the service's fields this version understands; None: all of them
    fields: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class ChargerService:
    """A service that asks one charger for something and returns its answer."""

    name: str
    fields: dict[vol.Marker, Any]
    implementations: Mapping[OcppVersion, Implementation]
    # answer statuses that mean the charger did not do it (an error); None: every status but Accepted
    refused: frozenset[str] | None
    response: SupportsResponse = SupportsResponse.OPTIONAL

    @property
    def schema(self) -> vol.Schema:
        return vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string, **self.fields})


def _v16(run: Run) -> dict[OcppVersion, Implementation]:
    return {OcppVersion.V16: Implementation(run)}


def _refused(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)


# ---- the services ------------------------------------------------------------------

_CONNECTOR: Final = vol.Optional(ATTR_CONNECTOR_ID)

CHARGER_SERVICES: Final[tuple[ChargerService, ...]] = (
    ChargerService("reset", {vol.Optional("type"): ocpp_enum(*RESET_TYPES)}, _v16(_reset), _refused("Rejected")),
    ChargerService(
        "unlock_connector",
        {_CONNECTOR: _connector_not_0},
        _v16(_unlock_connector),
        _refused("UnlockFailed", "NotSupported"),
    ),
    ChargerService(
        "change_availability",
        {_CONNECTOR: _connector, vol.Required("type"): ocpp_enum(*AVAILABILITY_TYPES)},
        _v16(_change_availability),
        _refused("Rejected"),
    ),
    ChargerService(
        "get_configuration",
        {vol.Optional("keys"): vol.All(cv.ensure_list, [_text])},
        _v16(_get_configuration),
        None,
        SupportsResponse.ONLY,
    ),
    ChargerService(
        "change_configuration",
        {vol.Required("key"): _text, vol.Required("value"): _config_value},
        _v16(_change_configuration),
        _refused("Rejected", "NotSupported"),
    ),
    ChargerService("clear_cache", {}, _v16(_clear_cache), _refused("Rejected")),
    ChargerService(
        "data_transfer",
        {vol.Required("vendor_id"): _text, vol.Optional("message_id"): _text, vol.Optional("data"): _data_value},
        _v16(_data_transfer),
        _refused("Rejected", "UnknownMessageId", "UnknownVendorId"),
    ),
    ChargerService(
        "start_transaction",
        {_CONNECTOR: _connector_not_0, vol.Optional("id_tag"): _text, vol.Optional("charging_profile"): _object},
        _v16(_start_transaction),
        _refused("Rejected"),
    ),
    ChargerService(
        "stop_transaction",
        {_CONNECTOR: _connector_not_0, vol.Optional("transaction_id"): _int},
        _v16(_stop_transaction),
        _refused("Rejected"),
    ),
    ChargerService(
        "reserve_now",
        {
            _CONNECTOR: _connector,
            vol.Required("expiry_date"): _time,
            vol.Required("id_tag"): _text,
            vol.Optional("parent_id_tag"): _text,
            vol.Optional("reservation_id"): _int,
        },
        _v16(_reserve_now),
        _refused("Faulted", "Occupied", "Rejected", "Unavailable"),
    ),
    ChargerService(
        "cancel_reservation",
        {vol.Required("reservation_id"): _int},
        _v16(_cancel_reservation),
        _refused("Rejected"),
    ),
    ChargerService(
        "send_local_list",
        {
            vol.Required("list_version"): _int,
            vol.Optional("update_type"): ocpp_enum(*UPDATE_TYPES),
            vol.Optional("local_authorization_list"): [_LOCAL_LIST_ENTRY],
        },
        _v16(_send_local_list),
        _refused("Failed", "NotSupported", "VersionMismatch"),
    ),
    ChargerService("get_local_list_version", {}, _v16(_get_local_list_version), None, SupportsResponse.ONLY),
    ChargerService(
        "trigger_message",
        {
            vol.Required("requested_message"): ocpp_enum(*TRIGGER_MESSAGES, *EXTENDED_TRIGGER_MESSAGES),
            _CONNECTOR: _connector,
        },
        _v16(_trigger_message),
        _refused("Rejected", "NotImplemented"),
    ),
    ChargerService(
        "update_firmware",
        {
            vol.Required("location"): _text,
            vol.Optional("retrieve_date"): _time,
            vol.Optional("retries"): _count,
            vol.Optional("retry_interval"): _count,
            vol.Optional("signing_certificate"): _text,
            vol.Optional("signature"): _text,
            vol.Optional("install_date"): _time,
            vol.Optional("request_id"): _int,
        },
        _v16(_update_firmware),
        _refused("Rejected", "InvalidCertificate", "RevokedCertificate"),
    ),
    ChargerService(
        "get_diagnostics",
        {
            vol.Required("location"): _text,
            vol.Optional("retries"): _count,
            vol.Optional("retry_interval"): _count,
            vol.Optional("start_time"): _time,
            vol.Optional("stop_time"): _time,
        },
        _v16(_get_diagnostics),
        None,
    ),
    ChargerService(
        "get_log",
        {
            vol.Required("log_type"): ocpp_enum(*LOG_TYPES),
            vol.Required("location"): _text,
            vol.Optional("request_id"): _int,
            vol.Optional("oldest_timestamp"): _time,
            vol.Optional("latest_timestamp"): _time,
            vol.Optional("retries"): _count,
            vol.Optional("retry_interval"): _count,
        },
        _v16(_get_log),
        _refused("Rejected"),
    ),
    ChargerService(
        "set_charging_profile",
        {_CONNECTOR: _connector, vol.Required("charging_profile"): _object},
        _v16(_set_charging_profile),
        _refused("Rejected", "NotSupported"),
    ),
    ChargerService(
        "clear_charging_profile",
        {
            _CONNECTOR: _connector,
            vol.Optional("charging_profile_id"): _int,
            vol.Optional("charging_profile_purpose"): ocpp_enum(*PROFILE_PURPOSES),
            vol.Optional("stack_level"): _count,
        },
        _v16(_clear_charging_profile),
        # Unknown: nothing matched, so nothing is left to clear either
        _refused(),
    ),
    ChargerService(
        "get_composite_schedule",
        {
            _CONNECTOR: _connector,
            vol.Required("duration"): _count,
            vol.Optional("charging_rate_unit"): ocpp_enum(*RATE_UNITS),
        },
        _v16(_get_composite_schedule),
        _refused("Rejected"),
        SupportsResponse.ONLY,
    ),
    ChargerService(
        "install_certificate",
        {vol.Required("certificate_type"): ocpp_enum(*CERTIFICATE_TYPES), vol.Required("certificate"): _text},
        _v16(_install_certificate),
        _refused("Rejected", "Failed"),
    ),
    ChargerService(
        "get_installed_certificate_ids",
        {vol.Required("certificate_type"): ocpp_enum(*CERTIFICATE_TYPES)},
        _v16(_get_installed_certificate_ids),
        # NotFound: none installed, which is an answer
        _refused(),
        SupportsResponse.ONLY,
    ),
    ChargerService(
        "delete_certificate",
        {
            vol.Required("hash_algorithm"): ocpp_enum(*HASH_ALGORITHMS),
            vol.Required("issuer_name_hash"): _text,
            vol.Required("issuer_key_hash"): _text,
            vol.Required("serial_number"): _text,
        },
        _v16(_delete_certificate),
        _refused("Failed", "NotFound"),
    ),
    ChargerService(
        "send_call",
        {vol.Required("action"): _text, vol.Optional("payload"): _object},
        # any version: the payload is in the charger's own version
        {version: Implementation(_send_call) for version in OcppVersion},
        # the raw answer, whatever its status
        _refused(),
    ),
)

GET_TRANSACTIONS_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        _CONNECTOR: _connector_not_0,
        vol.Optional("since"): _time,
        vol.Optional("until"): _time,
    }
)
