"""The charger services only OCPP 2.x has: the device model, transaction status, display messages.

OCPP 1.6 chargers answer them with the translated "unsupported_version" error.
"""

from __future__ import annotations

from typing import Final

import voluptuous as vol
from homeassistant.core import SupportsResponse

from . import ocpp2x_calls
from .fields import (
    ATTR_CONNECTOR_ID,
    ATTRIBUTE_TYPES,
    MESSAGE_FORMATS,
    MESSAGE_PRIORITIES,
    MESSAGE_STATES,
    REPORT_BASES,
    connector_not_0_field,
    int_field,
    ocpp_enum,
    ocpp_time_field,
    text_field,
    transaction_id_field,
    variable_values_field,
    variables_field,
)
from .service import ChargerService, charger_service, refused

_ATTRIBUTE_TYPE: Final = vol.Optional("attribute_type")

V2_SERVICES: Final[tuple[ChargerService, ...]] = (
    charger_service(
        "get_variables",
        {vol.Required("variables"): variables_field, _ATTRIBUTE_TYPE: ocpp_enum(*ATTRIBUTE_TYPES)},
        # each variable's attributeStatus (UnknownVariable …) is part of the answer
        refused(),
        SupportsResponse.ONLY,
        v2=ocpp2x_calls.get_variables,
    ),
    charger_service(
        "set_variables",
        {vol.Required("variables"): variable_values_field, _ATTRIBUTE_TYPE: ocpp_enum(*ATTRIBUTE_TYPES)},
        # refused per variable (see ocpp2x_calls.set_variables)
        refused(),
        v2=ocpp2x_calls.set_variables,
    ),
    charger_service(
        "get_base_report",
        {vol.Optional("report_base"): ocpp_enum(*REPORT_BASES)},
        # EmptyResultSet: nothing to report, which is an answer
        refused("Rejected", "NotSupported"),
        v2=ocpp2x_calls.get_base_report,
    ),
    charger_service(
        "get_transaction_status",
        {vol.Optional(ATTR_CONNECTOR_ID): connector_not_0_field, vol.Optional("transaction_id"): transaction_id_field},
        refused(),
        SupportsResponse.ONLY,
        v2=ocpp2x_calls.get_transaction_status,
    ),
    charger_service(
        "set_display_message",
        {
            vol.Required("message"): text_field,
            vol.Optional("message_id"): int_field,
            vol.Optional("priority"): ocpp_enum(*MESSAGE_PRIORITIES),
            vol.Optional("state"): ocpp_enum(*MESSAGE_STATES),
            vol.Optional("format"): ocpp_enum(*MESSAGE_FORMATS),
            vol.Optional("language"): text_field,
            vol.Optional("start_time"): ocpp_time_field,
            vol.Optional("end_time"): ocpp_time_field,
            vol.Optional("transaction_id"): transaction_id_field,
        },
        None,
        v2=ocpp2x_calls.set_display_message,
    ),
    charger_service(
        "clear_display_message",
        {vol.Required("message_id"): int_field},
        # Unknown: no such message, so none is left to clear either
        refused("Rejected"),
        v2=ocpp2x_calls.clear_display_message,
    ),
)
