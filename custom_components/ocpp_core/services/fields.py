"""Field values of the services: OCPP enumerations and validators."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final

import voluptuous as vol
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..csms import format_timestamp
from ..errors import validation_error

ATTR_CONNECTOR_ID: Final = "connector_id"
# OCPP 2.x: a connector of the EVSE that connector_id (or the connector device) names
ATTR_EVSE_CONNECTOR_ID: Final = "evse_connector_id"

SERVICE_GET_TRANSACTIONS: Final = "get_transactions"

# ---- OCPP 1.6 enumerations (tests/services/test_descriptions.py checks them against the ocpp package's schemas) ----

RESET_TYPES: Final = ("Hard", "Soft")
AVAILABILITY_TYPES: Final = ("Operative", "Inoperative")
TRIGGER_MESSAGES: Final = (
    "BootNotification",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "StatusNotification",
)
# the security whitepaper's ExtendedTriggerMessage adds these two
EXTENDED_TRIGGER_MESSAGES: Final = ("LogStatusNotification", "SignChargePointCertificate")
UPDATE_TYPES: Final = ("Full", "Differential")
ID_TAG_STATUSES: Final = ("Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx")
PROFILE_PURPOSES: Final = ("ChargePointMaxProfile", "TxDefaultProfile", "TxProfile")
RATE_UNITS: Final = ("A", "W")
LOG_TYPES: Final = ("DiagnosticsLog", "SecurityLog")
CERTIFICATE_TYPES: Final = ("CentralSystemRootCertificate", "ManufacturerRootCertificate")
HASH_ALGORITHMS: Final = ("SHA256", "SHA384", "SHA512")

# ---- OCPP 2.0.1 enumerations (2.1 adds values; the services offer 2.0.1's, which 2.1 keeps) ----

RESET_TYPES_V2: Final = ("Immediate", "OnIdle")
TRIGGER_MESSAGES_V2: Final = (
    "BootNotification",
    "LogStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "SignChargingStationCertificate",
    "SignV2GCertificate",
    "StatusNotification",
    "TransactionEvent",
    "SignCombinedCertificate",
    "PublishFirmwareStatusNotification",
)
PROFILE_PURPOSES_V2: Final = ("ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile")
CERTIFICATE_TYPES_V2: Final = (
    "V2GRootCertificate",
    "MORootCertificate",
    "CSMSRootCertificate",
    "ManufacturerRootCertificate",
)
CERTIFICATE_ID_TYPES_V2: Final = (*CERTIFICATE_TYPES_V2, "V2GCertificateChain")
ID_TOKEN_TYPES: Final = (
    "Central",
    "eMAID",
    "ISO14443",
    "ISO15693",
    "KeyCode",
    "Local",
    "MacAddress",
    "NoAuthorization",
)
REPORT_BASES: Final = ("ConfigurationInventory", "FullInventory", "SummaryInventory")
ATTRIBUTE_TYPES: Final = ("Actual", "Target", "MinSet", "MaxSet")
MESSAGE_PRIORITIES: Final = ("AlwaysFront", "InFront", "NormalCycle")
MESSAGE_STATES: Final = ("Charging", "Faulted", "Idle", "Unavailable")
MESSAGE_FORMATS: Final = ("ASCII", "HTML", "URI", "UTF8")

# ---- the services' values: one name per meaning, in either version's spelling ----

# The same thing, named differently by 1.6 and 2.x: a service takes either name and
# gives its implementation the 1.6 one; the 2.x implementation sends the 2.x one.
V2_NAMES: Final = {
    "SignChargePointCertificate": "SignChargingStationCertificate",
    "ChargePointMaxProfile": "ChargingStationMaxProfile",
    "CentralSystemRootCertificate": "CSMSRootCertificate",
}
_V16_NAMES: Final = {v2: v16 for v16, v2 in V2_NAMES.items()}

# reset: 1.6's Soft and Hard, 2.x's Immediate and OnIdle (see services.yaml for how each version takes them)
SERVICE_RESET_TYPES: Final = (*RESET_TYPES, *RESET_TYPES_V2)
SERVICE_TRIGGER_MESSAGES: Final = tuple(
    dict.fromkeys((*TRIGGER_MESSAGES, *EXTENDED_TRIGGER_MESSAGES, *(_V16_NAMES.get(m, m) for m in TRIGGER_MESSAGES_V2)))
)
SERVICE_CERTIFICATE_TYPES: Final = tuple(
    dict.fromkeys((*CERTIFICATE_TYPES, *(_V16_NAMES.get(c, c) for c in CERTIFICATE_TYPES_V2)))
)
SERVICE_CERTIFICATE_ID_TYPES: Final = tuple(
    dict.fromkeys((*CERTIFICATE_TYPES, *(_V16_NAMES.get(c, c) for c in CERTIFICATE_ID_TYPES_V2)))
)


def v2_name(value: str) -> str:
    """The 2.x spelling of a service value (most are the same in both versions)."""
    return V2_NAMES.get(value, value)


def v2_values(*values: str) -> frozenset[str]:
    """The service values (in their 1.6 spelling where both versions have them) that are 2.x values."""
    return frozenset(_V16_NAMES.get(value, value) for value in values)


# profiles a station device applies to the whole charger (connector 0 / EVSE 0) unless told otherwise
WHOLE_CHARGER_PURPOSES: Final = frozenset(
    {"ChargePointMaxProfile", "TxDefaultProfile", "ChargingStationMaxProfile", "ChargingStationExternalConstraints"}
)


# ---- validators ----------------------------------------------------------------


def _squash(value: str) -> str:
    return value.replace("_", "").replace("-", "").lower()


def ocpp_enum(*values: str) -> Callable[[Any], str]:
    """vol.In over OCPP's values; also takes the snake_case keys the UI selectors send ("charge_point_max_profile")
    and the 2.x name of a value both versions have ("ChargingStationMaxProfile" is "ChargePointMaxProfile")."""
    lookup = {_squash(value): value for value in values}
    lookup.update({_squash(v2): v16 for v16, v2 in V2_NAMES.items() if v16 in values})

    def validate(value: Any) -> str:
        if isinstance(value, str) and (found := lookup.get(_squash(value))) is not None:
            return found
        raise vol.Invalid(f"value must be one of {list(values)}")

    return validate


def config_value_field(value: Any) -> str:
    """OCPP configuration values are strings; YAML's true/false become OCPP's true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return cv.string(value)


def json_text(value: Any) -> str:
    """DataTransfer data is a string in 1.6: anything else is sent as JSON text (2.x takes any JSON value)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def json_value_field(value: Any) -> Any:
    """Any JSON value (data of a DataTransfer)."""
    try:
        json.dumps(value)
    except (TypeError, ValueError) as err:
        raise vol.Invalid("must be a JSON value") from err
    return value


# a time without a zone is Home Assistant's local time
time_field = vol.All(cv.datetime, dt_util.as_utc)
ocpp_time_field = vol.All(cv.datetime, dt_util.as_utc, format_timestamp)
connector_field = vol.All(vol.Coerce(int), vol.Range(min=0))
connector_not_0_field = vol.All(vol.Coerce(int), vol.Range(min=1))
int_field = vol.Coerce(int)
count_field = cv.positive_int
# a charging limit (A or W): not negative, one decimal as OCPP 1.6 takes it
limit_field = vol.All(vol.Coerce(float), vol.Range(min=0, max=1_000_000), lambda value: round(value, 1))
text_field = cv.string
object_field = vol.Schema(dict)
# a transaction id: a number in 1.6, the station's own text (up to 36 characters) in 2.x
transaction_id_field = vol.All(cv.string, vol.Length(min=1, max=36))

_LOCAL_LIST_ENTRY_V16 = vol.Schema(
    {
        vol.Required("idTag"): text_field,
        vol.Optional("idTagInfo"): vol.Schema(
            {
                vol.Required("status"): ocpp_enum(*ID_TAG_STATUSES),
                vol.Optional("expiryDate"): ocpp_time_field,
                vol.Optional("parentIdTag"): text_field,
            }
        ),
    }
)
# OCPP 2.x's AuthorizationData, as the specification writes it (checked against the schema when sent)
_LOCAL_LIST_ENTRY_V2 = vol.Schema(
    {vol.Required("idToken"): dict, vol.Optional("idTokenInfo"): dict}, extra=vol.ALLOW_EXTRA
)
# an entry in either version's form: 1.6's (any version) or 2.x's (2.x chargers only)
LOCAL_LIST_ENTRY = vol.Any(_LOCAL_LIST_ENTRY_V16, _LOCAL_LIST_ENTRY_V2)


# ---- the device model (OCPP 2.x) ----------------------------------------------------

_VARIABLE_FORM = "a variable is written Component/Variable (e.g. OCPPCommCtrlr/HeartbeatInterval) or as an object"


def _named(value: Any) -> dict[str, Any]:
    """A ComponentType / VariableType: its name, or the object as OCPP writes it."""
    if isinstance(value, str) and value:
        return {"name": value}
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return dict(value)
    raise vol.Invalid(_VARIABLE_FORM)


def _variable_entry(value: Any) -> dict[str, Any]:
    """One variable: "Component/Variable", or {"component", "variable", "attributeType"?, …} (names or objects)."""
    if isinstance(value, str):
        component, slash, variable = (part.strip() for part in value.partition("/"))
        if not (slash and component and variable):
            raise vol.Invalid(_VARIABLE_FORM)
        return {"component": {"name": component}, "variable": {"name": variable}}
    if isinstance(value, dict) and "component" in value and "variable" in value:
        entry = {**value, "component": _named(value["component"]), "variable": _named(value["variable"])}
        if "attributeType" in entry:
            entry["attributeType"] = ocpp_enum(*ATTRIBUTE_TYPES)(entry["attributeType"])
        return entry
    raise vol.Invalid(_VARIABLE_FORM)


variables_field = vol.All(cv.ensure_list, vol.Length(min=1), [_variable_entry])


def variable_values_field(value: Any) -> list[dict[str, Any]]:
    """Values to set: {"Component/Variable": value, …}, or [{"component", "variable", "attributeValue", …}]."""
    if isinstance(value, dict):
        entries = [
            {**_variable_entry(name), "attributeValue": config_value_field(item)} for name, item in value.items()
        ]
    elif isinstance(value, list):
        entries = []
        for item in value:
            if not isinstance(item, dict) or "attributeValue" not in item:
                raise vol.Invalid("each variable needs its attributeValue")
            entries.append({**_variable_entry(item), "attributeValue": config_value_field(item["attributeValue"])})
    else:
        raise vol.Invalid('values are written {"Component/Variable": value, …}')
    if not entries:
        raise vol.Invalid("no variable to set")
    return entries


# set_charging_profile's simple form: a limit (and how) instead of a whole profile
SIMPLE_PROFILE_FIELDS: Final = ("unit", "purpose", "duration", "stack_level")


def check_profile_form(data: Mapping[str, Any]) -> None:
    """set_charging_profile: a whole charging_profile, or a limit with its unit, purpose, duration."""
    if ("charging_profile" in data) == ("limit" in data):
        raise validation_error("profile_or_limit")
    for field in SIMPLE_PROFILE_FIELDS:
        require_field(data, field, "limit")


def require_field(data: Mapping[str, Any], field: str, requires: str) -> None:
    if field in data and requires not in data:
        raise validation_error("field_requires", field=field, requires=requires)
