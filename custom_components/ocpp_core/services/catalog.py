"""Every charger service: its fields, its implementation per OCPP version, its refusals.

The services OCPP 1.6 and 2.x share are here, those only one version has at the
end (1.6) and in catalog_2x_only.py (2.x).  A service's fields are the same for every
version; `*_lacks` names those a version has no use for (an error when given),
`*_values` the values of an enumerated field a version has.
"""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..csms import OcppVersion
from . import ocpp2x_calls, ocpp16_calls
from .catalog_2x_only import V2_SERVICES
from .fields import (
    ATTR_CONNECTOR_ID,
    ATTR_EVSE_CONNECTOR_ID,
    AVAILABILITY_TYPES,
    CERTIFICATE_ID_TYPES_V2,
    CERTIFICATE_TYPES,
    CERTIFICATE_TYPES_V2,
    EXTENDED_TRIGGER_MESSAGES,
    HASH_ALGORITHMS,
    ID_TOKEN_TYPES,
    LOCAL_LIST_ENTRY,
    LOG_TYPES,
    PROFILE_PURPOSES,
    RATE_UNITS,
    SERVICE_CERTIFICATE_ID_TYPES,
    SERVICE_CERTIFICATE_TYPES,
    SERVICE_RESET_TYPES,
    SERVICE_TRIGGER_MESSAGES,
    TRIGGER_MESSAGES,
    TRIGGER_MESSAGES_V2,
    UPDATE_TYPES,
    config_value_field,
    connector_field,
    connector_not_0_field,
    count_field,
    int_field,
    json_value_field,
    limit_field,
    object_field,
    ocpp_enum,
    text_field,
    time_field,
    transaction_id_field,
    v2_values,
)
from .service import ChargerService, Implementation, Run, charger_service, refused

_CONNECTOR: Final = vol.Optional(ATTR_CONNECTOR_ID)
# OCPP 2.x: which connector of the EVSE
_EVSE_CONNECTOR: Final = vol.Optional(ATTR_EVSE_CONNECTOR_ID)
# OCPP 2.x: the type of the id tags given (IdTokenEnumType)
_ID_TOKEN_TYPE: Final = vol.Optional("id_token_type")
_V2_ONLY: Final = (ATTR_EVSE_CONNECTOR_ID, "id_token_type")


def _v16_only(
    name: str,
    fields: dict[vol.Marker, Any],
    run: Run,
    refusals: frozenset[str] | None,
    response: SupportsResponse = SupportsResponse.OPTIONAL,
) -> ChargerService:
    return charger_service(name, fields, refusals, response, v16=run)


SHARED_SERVICES: Final[tuple[ChargerService, ...]] = (
    charger_service(
        "reset",
        {vol.Optional("type"): ocpp_enum(*SERVICE_RESET_TYPES), _CONNECTOR: connector_field},
        refused("Rejected"),
        v16=ocpp16_calls.reset,
        v2=ocpp2x_calls.reset,
        # 1.6 resets the whole charger; OnIdle (wait for the sessions to end) is 2.x's alone
        v16_lacks=(ATTR_CONNECTOR_ID,),
        v16_values={"type": frozenset({"Hard", "Soft", "Immediate"})},
    ),
    charger_service(
        "unlock_connector",
        {_CONNECTOR: connector_not_0_field, _EVSE_CONNECTOR: connector_not_0_field},
        refused("UnlockFailed", "NotSupported", "OngoingAuthorizedTransaction", "UnknownConnector"),
        v16=ocpp16_calls.unlock_connector,
        v2=ocpp2x_calls.unlock_connector,
        v16_lacks=_V2_ONLY,
    ),
    charger_service(
        "change_availability",
        {
            _CONNECTOR: connector_field,
            vol.Required("type"): ocpp_enum(*AVAILABILITY_TYPES),
            _EVSE_CONNECTOR: connector_not_0_field,
        },
        refused("Rejected"),
        v16=ocpp16_calls.change_availability,
        v2=ocpp2x_calls.change_availability,
        v16_lacks=_V2_ONLY,
    ),
    charger_service("clear_cache", {}, refused("Rejected"), v16=ocpp16_calls.clear_cache, v2=ocpp2x_calls.clear_cache),
    charger_service(
        "data_transfer",
        {
            vol.Required("vendor_id"): text_field,
            vol.Optional("message_id"): text_field,
            vol.Optional("data"): json_value_field,
        },
        refused("Rejected", "UnknownMessageId", "UnknownVendorId"),
        v16=ocpp16_calls.data_transfer,
        v2=ocpp2x_calls.data_transfer,
    ),
    charger_service(
        "start_transaction",
        {
            _CONNECTOR: connector_not_0_field,
            vol.Optional("id_tag"): text_field,
            vol.Optional("charging_profile"): object_field,
            _ID_TOKEN_TYPE: ocpp_enum(*ID_TOKEN_TYPES),
        },
        refused("Rejected"),
        v16=ocpp16_calls.start_transaction,
        v2=ocpp2x_calls.start_transaction,
        v16_lacks=_V2_ONLY,
    ),
    charger_service(
        "stop_transaction",
        {_CONNECTOR: connector_not_0_field, vol.Optional("transaction_id"): transaction_id_field},
        refused("Rejected"),
        v16=ocpp16_calls.stop_transaction,
        v2=ocpp2x_calls.stop_transaction,
    ),
    charger_service(
        "reserve_now",
        {
            _CONNECTOR: connector_field,
            vol.Required("expiry_date"): time_field,
            vol.Required("id_tag"): text_field,
            vol.Optional("parent_id_tag"): text_field,
            vol.Optional("reservation_id"): int_field,
            _ID_TOKEN_TYPE: ocpp_enum(*ID_TOKEN_TYPES),
        },
        refused("Faulted", "Occupied", "Rejected", "Unavailable"),
        v16=ocpp16_calls.reserve_now,
        v2=ocpp2x_calls.reserve_now,
        v16_lacks=_V2_ONLY,
    ),
    charger_service(
        "cancel_reservation",
        {vol.Required("reservation_id"): int_field},
        refused("Rejected"),
        v16=ocpp16_calls.cancel_reservation,
        v2=ocpp2x_calls.cancel_reservation,
    ),
    charger_service(
        "send_local_list",
        {
            vol.Required("list_version"): int_field,
            vol.Optional("update_type"): ocpp_enum(*UPDATE_TYPES),
            vol.Optional("local_authorization_list"): [LOCAL_LIST_ENTRY],
            _ID_TOKEN_TYPE: ocpp_enum(*ID_TOKEN_TYPES),
        },
        refused("Failed", "NotSupported", "VersionMismatch"),
        v16=ocpp16_calls.send_local_list,
        v2=ocpp2x_calls.send_local_list,
        v16_lacks=_V2_ONLY,
    ),
    charger_service(
        "get_local_list_version",
        {},
        None,
        SupportsResponse.ONLY,
        v16=ocpp16_calls.get_local_list_version,
        v2=ocpp2x_calls.get_local_list_version,
    ),
    charger_service(
        "trigger_message",
        {
            vol.Required("requested_message"): ocpp_enum(*SERVICE_TRIGGER_MESSAGES),
            _CONNECTOR: connector_field,
            _EVSE_CONNECTOR: connector_not_0_field,
        },
        refused("Rejected", "NotImplemented"),
        v16=ocpp16_calls.trigger_message,
        v2=ocpp2x_calls.trigger_message,
        v16_lacks=_V2_ONLY,
        v16_values={"requested_message": frozenset((*TRIGGER_MESSAGES, *EXTENDED_TRIGGER_MESSAGES))},
        v2_values={"requested_message": v2_values(*TRIGGER_MESSAGES_V2)},
    ),
    charger_service(
        "update_firmware",
        {
            vol.Required("location"): text_field,
            vol.Optional("retrieve_date"): time_field,
            vol.Optional("retries"): count_field,
            vol.Optional("retry_interval"): count_field,
            vol.Optional("signing_certificate"): text_field,
            vol.Optional("signature"): text_field,
            vol.Optional("install_date"): time_field,
            vol.Optional("request_id"): int_field,
        },
        refused("Rejected", "InvalidCertificate", "RevokedCertificate"),
        v16=ocpp16_calls.update_firmware,
        v2=ocpp2x_calls.update_firmware,
    ),
    charger_service(
        "get_log",
        {
            vol.Required("log_type"): ocpp_enum(*LOG_TYPES),
            vol.Required("location"): text_field,
            vol.Optional("request_id"): int_field,
            vol.Optional("oldest_timestamp"): time_field,
            vol.Optional("latest_timestamp"): time_field,
            vol.Optional("retries"): count_field,
            vol.Optional("retry_interval"): count_field,
        },
        refused("Rejected"),
        v16=ocpp16_calls.get_log,
        v2=ocpp2x_calls.get_log,
    ),
    charger_service(
        "set_charging_profile",
        {
            _CONNECTOR: connector_field,
            vol.Optional("charging_profile"): object_field,
            # or the simple form: a limit from now on (see shared.charging_profile)
            vol.Optional("limit"): limit_field,
            vol.Optional("unit"): ocpp_enum(*RATE_UNITS),
            vol.Optional("purpose"): ocpp_enum(*PROFILE_PURPOSES),
            vol.Optional("duration"): count_field,
            vol.Optional("stack_level"): count_field,
        },
        refused("Rejected", "NotSupported"),
        v16=ocpp16_calls.set_charging_profile,
        v2=ocpp2x_calls.set_charging_profile,
    ),
    charger_service(
        "clear_charging_profile",
        {
            _CONNECTOR: connector_field,
            vol.Optional("charging_profile_id"): int_field,
            vol.Optional("charging_profile_purpose"): ocpp_enum(*PROFILE_PURPOSES),
            vol.Optional("stack_level"): count_field,
        },
        # Unknown: nothing matched, so nothing is left to clear either
        refused(),
        v16=ocpp16_calls.clear_charging_profile,
        v2=ocpp2x_calls.clear_charging_profile,
    ),
    charger_service(
        "get_composite_schedule",
        {
            _CONNECTOR: connector_field,
            vol.Required("duration"): count_field,
            vol.Optional("charging_rate_unit"): ocpp_enum(*RATE_UNITS),
        },
        refused("Rejected"),
        SupportsResponse.ONLY,
        v16=ocpp16_calls.get_composite_schedule,
        v2=ocpp2x_calls.get_composite_schedule,
    ),
    charger_service(
        "install_certificate",
        {
            vol.Required("certificate_type"): ocpp_enum(*SERVICE_CERTIFICATE_TYPES),
            vol.Required("certificate"): text_field,
        },
        refused("Rejected", "Failed"),
        v16=ocpp16_calls.install_certificate,
        v2=ocpp2x_calls.install_certificate,
        v16_values={"certificate_type": frozenset(CERTIFICATE_TYPES)},
        v2_values={"certificate_type": v2_values(*CERTIFICATE_TYPES_V2)},
    ),
    charger_service(
        "get_installed_certificate_ids",
        {vol.Required("certificate_type"): ocpp_enum(*SERVICE_CERTIFICATE_ID_TYPES)},
        # NotFound: none installed, which is an answer
        refused(),
        SupportsResponse.ONLY,
        v16=ocpp16_calls.get_installed_certificate_ids,
        v2=ocpp2x_calls.get_installed_certificate_ids,
        v16_values={"certificate_type": frozenset(CERTIFICATE_TYPES)},
        v2_values={"certificate_type": v2_values(*CERTIFICATE_ID_TYPES_V2)},
    ),
    charger_service(
        "delete_certificate",
        {
            vol.Required("hash_algorithm"): ocpp_enum(*HASH_ALGORITHMS),
            vol.Required("issuer_name_hash"): text_field,
            vol.Required("issuer_key_hash"): text_field,
            vol.Required("serial_number"): text_field,
        },
        refused("Failed", "NotFound"),
        v16=ocpp16_calls.delete_certificate,
        v2=ocpp2x_calls.delete_certificate,
    ),
    ChargerService(
        "send_call",
        {vol.Required("action"): text_field, vol.Optional("payload"): object_field},
        # any version: the payload is in the charger's own version
        dict.fromkeys(OcppVersion, Implementation(ocpp16_calls.send_call)),
        # the raw answer, whatever its status
        refused(),
    ),
)

# OCPP 1.6 only: 2.x keeps its configuration in the device model (get_variables, set_variables,
# get_base_report) and has GetLog where 1.6 has GetDiagnostics
V16_SERVICES: Final[tuple[ChargerService, ...]] = (
    _v16_only(
        "get_configuration",
        {vol.Optional("keys"): vol.All(cv.ensure_list, [text_field])},
        ocpp16_calls.get_configuration,
        None,
        SupportsResponse.ONLY,
    ),
    _v16_only(
        "change_configuration",
        {vol.Required("key"): text_field, vol.Required("value"): config_value_field},
        ocpp16_calls.change_configuration,
        refused("Rejected", "NotSupported"),
    ),
    _v16_only(
        "get_diagnostics",
        {
            vol.Required("location"): text_field,
            vol.Optional("retries"): count_field,
            vol.Optional("retry_interval"): count_field,
            vol.Optional("start_time"): time_field,
            vol.Optional("stop_time"): time_field,
        },
        ocpp16_calls.get_diagnostics,
        None,
    ),
)

CHARGER_SERVICES: Final[tuple[ChargerService, ...]] = (*SHARED_SERVICES, *V16_SERVICES, *V2_SERVICES)

GET_TRANSACTIONS_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        _CONNECTOR: connector_not_0_field,
        vol.Optional("since"): time_field,
        vol.Optional("until"): time_field,
    }
)
