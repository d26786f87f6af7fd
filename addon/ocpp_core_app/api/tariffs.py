"""GET / PUT / DELETE /tariffs: csms's tariffs (as HA's get_tariffs / set_tariff / clear_tariff take them).

The scope is named by `charger`, `connector` and `tag` (all left out: the central system's); a tariff that
csms refuses (its TariffError) is a 400 with csms's code, and nothing is changed.
"""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..central_import import csms
from .errors import ApiError, bad_request

# the fields of set_tariff besides its scope
TARIFF_FIELDS = (
    "currency", "name", "energy_price", "session_fee", "time_price", "time_grace_minutes", "idle_price",
    "idle_grace_minutes", "max_energy_kwh", "on_max_energy", "bands", "time_zone",
)  # fmt: skip
SCOPE_FIELDS = ("charger", "connector", "tag")

if TYPE_CHECKING:
    from custom_components.ocpp_core.csms.features import pricing as pricing
else:  # csms's pricing package, beside the csms the app imports (its copy in the add-on)
    pricing = importlib.import_module(f"{csms.__name__}.features.pricing")


def tariff_api_error(err: Any) -> ApiError:
    return ApiError(400, err.code, str(err), detail=err.detail)


def scope_of(given: Any) -> Any:
    """The csms Scope the `charger` / `connector` / `tag` values name; TariffError for a bad combination."""
    charger = str(given.get("charger") or "").strip() or None
    tag = str(given.get("tag") or "").strip() or None
    connector_text = str(given.get("connector") or "").strip()
    if connector_text and not connector_text.isdigit():
        raise pricing.TariffError("bad_scope", "a connector is a number from 1")
    connector = int(connector_text) if connector_text else None
    return pricing.Scope.of(charger, connector, tag)


def _check_charger(central: Any, scope: Any) -> None:
    if scope.station_id is not None and scope.station_id not in central.stations:
        raise ApiError(404, "unknown_charger", f"no charger {scope.station_id!r}")


async def list_tariffs(request: web.Request) -> web.Response:
    return web.json_response({"tariffs": request.app["central"].pricing.tariffs.entries()}, dumps=_dumps)


async def put_tariff(request: web.Request) -> web.Response:
    central = request.app["central"]
    text = await request.text()
    try:
        body = json.loads(text) if text.strip() else {}
    except ValueError as err:
        raise bad_request(f"the body is no JSON: {err}") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    unknown = sorted(set(body) - set(TARIFF_FIELDS) - set(SCOPE_FIELDS))
    if unknown:
        raise bad_request(f"unknown fields: {', '.join(unknown)} (known: {', '.join(SCOPE_FIELDS + TARIFF_FIELDS)})")
    try:
        scope = scope_of(body)
        _check_charger(central, scope)
        tariff = await central.pricing.set_tariff(scope, {k: v for k, v in body.items() if k in TARIFF_FIELDS})
    except pricing.TariffError as err:
        raise tariff_api_error(err) from err
    return web.json_response({**scope.to_dict(), "tariff": tariff.to_dict()}, dumps=_dumps)


async def delete_tariff(request: web.Request) -> web.Response:
    central = request.app["central"]
    try:
        scope = scope_of(request.query)
    except pricing.TariffError as err:
        raise tariff_api_error(err) from err
    if not await central.pricing.clear_tariff(scope):
        raise ApiError(404, "tariff_not_set", "no tariff is set there")
    return web.json_response({"removed": scope.to_dict()}, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str)
