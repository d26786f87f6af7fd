"""The charger services only OCPP 2.x has: the device model, transaction status, display messages.

OCPP 1.6 chargers answer them with the translated "unsupported_version" error.
"""

from __future__ import annotations

from typing import Final

import voluptuous as vol
from homeassistant.core import SupportsResponse

from . import v201
from .fields import (
    ATTR_CONNECTOR_ID,
    ATTRIBUTE_TYPES,
    MESSAGE_FORMATS,
    MESSAGE_PRIORITIES,
    MESSAGE_STATES,
    REPORT_BASES,
    _connector_not_0,
    _int,
    _ocpp_time,
    _text,
    _transaction_id,
    _variable_values,
    _variables,
    ocpp_enum,
)
from .service import ChargerService, charger_service, refused

_ATTRIBUTE_TYPE: Final = vol.Optional("attribute_type")

V2_SERVICES: Final[tuple[ChargerService, ...]] = (
    charger_service(
        "get_variables",
        {vol.Required("variables"): _variables, _ATTRIBUTE_TYPE: ocpp_enum(*ATTRIBUTE_TYPES)},
        # each variable's attributeStatus (UnknownVariable …) is part of the answer
        refused(),
        SupportsResponse.ONLY,
        v2=v201._get_variables,
    ),
    charger_service(
        "set_variables",
        {vol.Required("variables"): _variable_values, _ATTRIBUTE_TYPE: ocpp_enum(*ATTRIBUTE_TYPES)},
        # refused per variable (see v201._set_variables)
        refused(),
        v2=v201._set_variables,
    ),
    charger_service(
        "get_base_report",
        {vol.Optional("report_base"): ocpp_enum(*REPORT_BASES)},
        # EmptyResultSet: nothing to report, which is an answer
        refused("Rejected", "NotSupported"),
        v2=v201._get_base_report,
    ),
    charger_service(
        "get_transaction_status",
        {vol.Optional(ATTR_CONNECTOR_ID): _connector_not_0, vol.Optional("transaction_id"): _transaction_id},
        refused(),
        SupportsResponse.ONLY,
        v2=v201._get_transaction_status,
    ),
    charger_service(
        "set_display_message",
        {
            vol.Required("message"): _text,
            vol.Optional("message_id"): _int,
            vol.Optional("priority"): ocpp_enum(*MESSAGE_PRIORITIES),
            vol.Optional("state"): ocpp_enum(*MESSAGE_STATES),
            vol.Optional("format"): ocpp_enum(*MESSAGE_FORMATS),
            vol.Optional("language"): _text,
            vol.Optional("start_time"): _ocpp_time,
            vol.Optional("end_time"): _ocpp_time,
            vol.Optional("transaction_id"): _transaction_id,
        },
        None,
        v2=v201._set_display_message,
    ),
    charger_service(
        "clear_display_message",
        {vol.Required("message_id"): _int},
        # Unknown: no such message, so none is left to clear either
        refused("Rejected"),
        v2=v201._clear_display_message,
    ),
)
