"""OCPP 1.6 configuration keys: reading GetConfiguration answers and the keys the central system uses.

Configuration is only ever read here.  Writing happens when the user asks
(ChangeConfiguration through V16Commands), never on the central system's own
initiative.
"""

from __future__ import annotations

import re
from typing import Any

from ..rpc.values import text_int
from .station import Station

# Connectors made from NumberOfConnectors, at most (a garbage value must not create hundreds of devices).
MAX_CONNECTORS = 64

_LIST_SEPARATOR = re.compile(r"[,;]")


class GarbageAnswer(ValueError):
    """A GetConfiguration answer that is not one."""


def parse_get_configuration(answer: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """({key: {"value": str | None, "readonly": bool}}, unknown keys) from a GetConfiguration answer.

    Entries that make no sense are skipped; an answer with no usable part raises GarbageAnswer.
    """
    if not isinstance(answer, dict):
        raise GarbageAnswer("the answer is not an object")
    raw_keys = answer.get("configurationKey") or []
    raw_unknown = answer.get("unknownKey") or []
    if not isinstance(raw_keys, list) or not isinstance(raw_unknown, list):
        raise GarbageAnswer("configurationKey / unknownKey are not lists")
    entries: dict[str, dict[str, Any]] = {}
    for item in raw_keys:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not item["key"]:
            continue
        value = item.get("value")
        entries[item["key"]] = {
            "value": None if value is None else str(value),
            "readonly": item.get("readonly") is True or str(item.get("readonly")).lower() == "true",
        }
    unknown = [key for key in raw_unknown if isinstance(key, str) and key]
    if raw_keys and not entries:
        raise GarbageAnswer("no usable configurationKey entry")
    return entries, unknown


def _value(station: Station, key: str) -> str | None:
    entry = station.configuration.get(key)
    if entry is None:
        return None
    value = entry.get("value")
    return value.strip() if isinstance(value, str) else None


def _key_int(station: Station, key: str) -> int | None:
    return text_int(_value(station, key))


def _bool(station: Station, key: str) -> bool | None:
    value = _value(station, key)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    return None


def _list(station: Station, key: str) -> list[str] | None:
    value = _value(station, key)
    if value is None:
        return None
    return [part.strip() for part in _LIST_SEPARATOR.split(value) if part.strip()]


def apply_configuration(station: Station) -> None:
    """Set the station's typed attributes from its configuration (keys it does not report: None / empty)."""
    connectors = _key_int(station, "NumberOfConnectors")
    station.number_of_connectors = connectors if connectors is not None and connectors >= 0 else None
    profiles = _list(station, "SupportedFeatureProfiles")
    station.supported_feature_profiles = frozenset(profiles) if profiles is not None else None
    station.meter_values_sampled_data = _list(station, "MeterValuesSampledData") or []
    station.meter_value_sample_interval = _key_int(station, "MeterValueSampleInterval")
    station.charge_profile_max_stack_level = _key_int(station, "ChargeProfileMaxStackLevel")
    station.charging_schedule_allowed_charging_rate_unit = (
        _list(station, "ChargingScheduleAllowedChargingRateUnit") or []
    )
    station.charging_schedule_max_periods = _key_int(station, "ChargingScheduleMaxPeriods")
    station.max_charging_profiles_installed = _key_int(station, "MaxChargingProfilesInstalled")
    station.local_auth_list_enabled = _bool(station, "LocalAuthListEnabled")
    station.local_auth_list_max_length = _key_int(station, "LocalAuthListMaxLength")
    station.reserve_connector_zero_supported = _bool(station, "ReserveConnectorZeroSupported")
