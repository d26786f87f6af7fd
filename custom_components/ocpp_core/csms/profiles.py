"""The set_charging_profile service's simple form, written in a station's OCPP version's form.

The neutral profile comes from features/limit_profiles.py; the versions write it (v16/v201 charger.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Required, TypedDict, Unpack

from .features.charger import ChargingProfile
from .features.limit_profiles import simple_charging_profile
from .model.station import Station
from .rpc.types import OcppVersion
from .v16.charger import profile_payload as v16_payload
from .v201.charger import profile_payload as v201_payload

_FORMS: dict[OcppVersion, Callable[[ChargingProfile], dict[str, Any]]] = {
    OcppVersion.V16: v16_payload,
    OcppVersion.V201: v201_payload,
    OcppVersion.V21: v201_payload,
}


class SimpleProfileOptions(TypedDict, total=False):
    """`simple_charging_profile`'s keywords: the limit, and what it leaves at its defaults when left out."""

    limit: Required[float]
    unit: str
    purpose: str
    duration: int | None
    stack_level: int
    transaction_id: str | None


def simple_profile(station: Station, connector_id: int, **options: Unpack[SimpleProfileOptions]) -> dict[str, Any]:
    """`simple_charging_profile` as the station's version writes it (never connected: 1.6)."""
    profile = simple_charging_profile(connector_id, **options)
    return _FORMS.get(station.ocpp_version or OcppVersion.V16, v16_payload)(profile)
