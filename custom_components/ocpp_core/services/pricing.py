"""Tariff services: set_tariff, clear_tariff, get_tariffs (administrators only: they set what others pay).

A tariff applies to a central system (a config entry, named by `config_entry_id`; it may be left out while
only one is set up), to one charger or one of its connectors (EVSEs) named by `device_id` (a connector
device names that connector; `connector_id` names one of a charger device), or to an id tag.  The most
specific wins as a session starts (the tag's, the connector's, the charger's, the central system's); a
running session keeps the tariff it started with.  A bad tariff (a negative price, an unknown currency,
times of day leaving a gap or overlapping) is a translated error and changes nothing.  The tariffs live where
the central system lives (`records`: the embedded one's store, or the add-on's over its API).
"""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from ..backend import CentralBackend
from ..csms.features.pricing import Scope, TariffError
from ..errors import validation_error
from .admin import DomainService, schemas_of
from .fields import ATTR_CONNECTOR_ID
from .tags import ATTR_CONFIG_ENTRY_ID, ATTR_ID_TAG, central_named
from .target import resolve_target

SERVICE_SET_TARIFF: Final = "set_tariff"
SERVICE_CLEAR_TARIFF: Final = "clear_tariff"
SERVICE_GET_TARIFFS: Final = "get_tariffs"

_NUMBER = cv.string  # a number or its text, read exactly by the tariff (0.30 stays 0.30)
_WHERE: Final[dict[Any, Any]] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    vol.Optional(ATTR_DEVICE_ID): cv.string,
    vol.Optional(ATTR_CONNECTOR_ID): vol.All(vol.Coerce(int), vol.Range(min=1)),
    vol.Optional(ATTR_ID_TAG): cv.string,
}
# the prices are checked by the tariff, so that a bad one gets a translated error
SET_TARIFF_SCHEMA: Final = vol.Schema(
    {
        **_WHERE,
        vol.Required("currency"): cv.string,
        vol.Optional("name"): cv.string,
        vol.Optional("energy_price"): _NUMBER,
        vol.Optional("session_fee"): _NUMBER,
        vol.Optional("time_price"): _NUMBER,
        vol.Optional("time_grace_minutes"): _NUMBER,
        vol.Optional("idle_price"): _NUMBER,
        vol.Optional("idle_grace_minutes"): _NUMBER,
        vol.Optional("max_energy_kwh"): _NUMBER,
        vol.Optional("on_max_energy"): cv.string,
        vol.Optional("bands"): vol.All(cv.ensure_list, [dict]),
        vol.Optional("time_zone"): cv.string,
    }
)
CLEAR_TARIFF_SCHEMA: Final = vol.Schema(_WHERE)
GET_TARIFFS_SCHEMA: Final = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})
_TARIFF_FIELDS: Final = frozenset(str(key) for key in SET_TARIFF_SCHEMA.schema) - {str(key) for key in _WHERE}


def tariff_error(err: TariffError) -> ServiceValidationError:
    """The translated error of a refused tariff."""
    return validation_error(f"tariff_{err.code}", detail=err.detail)


def _where(hass: HomeAssistant, data: dict[str, Any]) -> tuple[CentralBackend, Scope]:
    """The central system and the scope named: a device (charger or connector), a tag, or neither."""
    station_id: str | None = None
    connector_id: int | None = data.get(ATTR_CONNECTOR_ID)
    if ATTR_DEVICE_ID in data:
        target = resolve_target(hass, data[ATTR_DEVICE_ID])
        central, station_id, connector_id = target.backend, target.station_id, target.named_connector(data)
    else:
        central = central_named(hass, data)
    try:
        return central, Scope.of(station_id, connector_id, data.get(ATTR_ID_TAG))
    except TariffError as err:
        raise tariff_error(err) from err


async def _set_tariff(call: ServiceCall) -> ServiceResponse:
    central, scope = _where(call.hass, dict(call.data))
    try:
        tariff = await central.records.set_tariff(scope, {k: v for k, v in call.data.items() if k in _TARIFF_FIELDS})
    except TariffError as err:
        raise tariff_error(err) from err
    return {**scope.to_dict(), "tariff": tariff.to_dict()} if call.return_response else None


async def _clear_tariff(call: ServiceCall) -> ServiceResponse:
    central, scope = _where(call.hass, dict(call.data))
    if not await central.records.clear_tariff(scope):
        raise validation_error("tariff_not_set")
    return None


async def _get_tariffs(call: ServiceCall) -> ServiceResponse:
    central = central_named(call.hass, dict(call.data))
    entries: list[Any] = await central.records.tariffs()
    return {"tariffs": entries}


# registered with the others by services/__init__.py
PRICING_SERVICES: Final = (
    DomainService(SERVICE_SET_TARIFF, _set_tariff, SET_TARIFF_SCHEMA, SupportsResponse.OPTIONAL),
    DomainService(SERVICE_CLEAR_TARIFF, _clear_tariff, CLEAR_TARIFF_SCHEMA, SupportsResponse.NONE),
    DomainService(SERVICE_GET_TARIFFS, _get_tariffs, GET_TARIFFS_SCHEMA, SupportsResponse.ONLY),
)
PRICING_SCHEMAS: Final = schemas_of(PRICING_SERVICES)
