"""Admin: the connectors' own names (the overview's tiles and the charger page show them; empty: `<charger>:<n>`).
One form per charger: every name is checked before any is saved."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...central_import import csms
from ...store import StoreError
from ..admin_forms import Errors, render_admin, station_of
from ..context import Context
from ..registry import ADMIN, page
from ..tiles import charger_name

MAX_NAME = 50


def _chargers(ctx: Context) -> list[dict[str, Any]]:
    stations = sorted(ctx.state.central.stations.values(), key=lambda s: s.station_id)
    return [
        {"station": s, "name": charger_name(s), "connectors": sorted(n for n in s.connectors if n > 0)}
        for s in stations
    ]


def _page(ctx: Context, status: int = 200, errors: Errors | None = None, **extra: Any) -> web.Response:
    given = {}
    if ctx.form is not None:
        given = {key: ctx.field(key) for key in ctx.form if key.startswith("name_")}
    return render_admin(
        ctx, "admin_connectors.html", status=status, chargers=_chargers(ctx), errors=errors or {},
        given=given, failed=ctx.request.query.get("id") if errors else None, **extra,
    )  # fmt: skip


@page("/admin/connectors", role=ADMIN)
async def connectors(request: web.Request, ctx: Context) -> web.Response:
    return _page(ctx)


@page("/admin/connectors", method="POST", role=ADMIN)
async def connectors_save(request: web.Request, ctx: Context) -> web.Response:
    station = station_of(ctx)
    names: dict[int, str] = {}
    errors: Errors = {}
    for number in sorted(n for n in station.connectors if n > 0):
        text = ctx.field(f"name_{number}")
        if len(text) > MAX_NAME:
            errors[f"name_{number}"] = ctx.t("admin.error.connector_name", max=MAX_NAME)
        elif text:
            names[number] = text
    if errors:
        return _page(ctx, 400, errors)
    try:
        await ctx.state.central.update_settings(station.station_id, {"connector_names": names})
    except csms.InvalidSettings as err:
        return _page(ctx, 400, {"form": str(err)})
    except StoreError:
        return _page(ctx, 503, {"form": ctx.t("admin.error.store")})
    ctx.form = None
    return _page(ctx, notice=ctx.t("admin.connectors.saved", charger=charger_name(station)))
