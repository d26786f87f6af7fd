"""Field values of the services: OCPP enumerations and validators."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import voluptuous as vol
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..csms.timeutil import format_timestamp
from ..errors import validation_error

ATTR_CONNECTOR_ID: Final = "connector_id"

SERVICE_GET_TRANSACTIONS: Final = "get_transactions"

# ---- OCPP 1.6 enumerations (tests/test_services.py checks them against the ocpp package's schemas) ----

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

# profiles a station device applies to the whole charger (connector 0) unless told otherwise
_WHOLE_CHARGER_PURPOSES: Final = frozenset({"ChargePointMaxProfile", "TxDefaultProfile"})

# requestId of GetLog / SignedUpdateFirmware when the caller gives none: unique in a run, unlikely to repeat after one
_REQUEST_IDS = itertools.count(int(time.time()) % 1_000_000_000)


# ---- validators ----------------------------------------------------------------


def _squash(value: str) -> str:
    return value.replace("_", "").replace("-", "").lower()


def ocpp_enum(*values: str) -> Callable[[Any], str]:
    """vol.In over OCPP's values; also takes the snake_case keys the UI selectors send ("charge_point_max_profile")."""
    lookup = {_squash(value): value for value in values}

    def validate(value: Any) -> str:
        if isinstance(value, str) and (found := lookup.get(_squash(value))) is not None:
            return found
        raise vol.Invalid(f"value must be one of {list(values)}")

    return validate


def _config_value(value: Any) -> str:
    """OCPP configuration values are strings; YAML's true/false become OCPP's true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return cv.string(value)


def _data_value(value: Any) -> str:
    """DataTransfer data is a string in 1.6: anything else is sent as JSON text."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


# a time without a zone is Home Assistant's local time
_time = vol.All(cv.datetime, dt_util.as_utc)
_ocpp_time = vol.All(cv.datetime, dt_util.as_utc, format_timestamp)
_connector = vol.All(vol.Coerce(int), vol.Range(min=0))
_connector_not_0 = vol.All(vol.Coerce(int), vol.Range(min=1))
_int = vol.Coerce(int)
_count = cv.positive_int
_text = cv.string
_object = vol.Schema(dict)

_LOCAL_LIST_ENTRY = vol.Schema(
    {
        vol.Required("idTag"): _text,
        vol.Optional("idTagInfo"): vol.Schema(
            {
                vol.Required("status"): ocpp_enum(*ID_TAG_STATUSES),
                vol.Optional("expiryDate"): _ocpp_time,
                vol.Optional("parentIdTag"): _text,
            }
        ),
    }
)


def _require(data: Mapping[str, Any], field: str, requires: str) -> None:
    if field in data and requires not in data:
        raise validation_error("field_requires", field=field, requires=requires)
