"""The tariffs (csms's features/pricing, as HA's set_tariff / clear_tariff / get_tariffs take them): the web UI
and the card payments' hold read them; the integration's remote mode sets them (its options flow and services).

A refused tariff is a 400 with the tariff's own code, its `detail` and `tariff_error: true`, so the integration
shows the same translated message as for its embedded central system's."""

from __future__ import annotations

import importlib
from typing import Any

from aiohttp import web

from . import fields as f
from .errors import ApiError
from .routes import _dumps, json_body


def _pricing() -> Any:
    # csms.features.pricing, from wherever csms was imported (the add-on's copy, or the integration's)
    from ..central_import import csms

    return importlib.import_module(csms.__name__ + ".features.pricing")


def _refused(err: Any) -> ApiError:
    """csms's TariffError as the API's error (its code and detail)."""
    return ApiError(400, err.code, str(err), detail=err.detail, tariff_error=True)


def _scope(body: dict[str, Any]) -> Any:
    pricing = _pricing()
    try:
        return pricing.Scope.of(
            f.text(body, "charger_id"), f.integer(body, "connector_id", minimum=1), f.text(body, "id_tag")
        )
    except pricing.TariffError as err:
        raise _refused(err) from err


def scope_of(given: Any) -> Any:
    """The Scope the web form's `charger` / `connector` / `tag` values name; TariffError for a bad combination."""
    pricing = _pricing()
    charger = str(given.get("charger") or "").strip() or None
    tag = str(given.get("tag") or "").strip() or None
    connector_text = str(given.get("connector") or "").strip()
    if connector_text and not connector_text.isdigit():
        raise pricing.TariffError("bad_scope", "a connector is a number from 1")
    return pricing.Scope.of(charger, int(connector_text) if connector_text else None, tag)


async def list_tariffs(request: web.Request) -> web.Response:
    return web.json_response({"tariffs": request.app["central"].pricing.tariffs.entries()}, dumps=_dumps)


async def set_tariff(request: web.Request) -> web.Response:
    """{charger_id?, connector_id?, id_tag?, tariff: {currency, energy_price, session_fee, max_energy_kwh, …}}"""
    body = await json_body(request)
    scope = _scope(body)
    data = body.get("tariff")
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "tariff: an object (currency, energy_price, …)")
    central = request.app["central"]
    try:
        tariff = await central.pricing.set_tariff(scope, data)
    except _pricing().TariffError as err:
        raise _refused(err) from err
    return web.json_response({"scope": scope.to_dict(), "tariff": tariff.to_dict()}, dumps=_dumps)


async def clear_tariff(request: web.Request) -> web.Response:
    body = await json_body(request)
    cleared = await request.app["central"].pricing.clear_tariff(_scope(body))
    return web.json_response({"cleared": cleared})


def add_routes(app: web.Application, prefix: str) -> None:
    app.router.add_get(f"{prefix}/tariffs", list_tariffs)
    app.router.add_put(f"{prefix}/tariffs", set_tariff)
    app.router.add_delete(f"{prefix}/tariffs", clear_tariff)
