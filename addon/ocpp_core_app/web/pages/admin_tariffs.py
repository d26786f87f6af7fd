"""Admin: the tariffs (csms's pricing) — the central system's, a charger's, a connector's, a tag's; set, edit,
clear.  csms checks a tariff whole before it keeps it (nothing half-saved); its errors are shown translated.

Times of day are one band a line: `HH:MM-HH:MM [price per kWh] [price per minute]` (the tariff's own prices
where left out); together they cover the whole day, or there are none.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...api.tariffs import _pricing, scope_of
from ...store import StoreError
from ..admin_forms import Errors, render_admin
from ..context import Context
from ..formats import price
from ..registry import ADMIN, page

# the tariff's fields the form has (as csms's tariff names them), besides the bands
PRICE_FIELDS = ("energy_price", "session_fee", "time_price", "time_grace_minutes", "idle_price", "idle_grace_minutes")
TEXT_FIELDS = ("currency", "name", "max_energy_kwh", "on_max_energy", "time_zone")
ON_MAX = ("stop", "limit", "note")
pricing = _pricing()


def _bands_text(bands: list[dict[str, Any]]) -> str:
    lines = []
    for band in bands:
        prices = [band.get("energy_price") or "", band.get("time_price") or ""]
        line = f"{band['start']}-{band['end']} {' '.join(prices).rstrip()}".rstrip()
        if not prices[0] and prices[1]:
            line = f"{band['start']}-{band['end']} - {prices[1]}"
        lines.append(line)
    return "\n".join(lines)


def _bands(text: str) -> list[dict[str, Any]]:
    """The textarea's bands as csms takes them; TariffError bad_band for a line that is none."""
    bands: list[dict[str, Any]] = []
    for number, line in enumerate((x.strip() for x in text.splitlines() if x.strip()), 1):
        words = line.split()
        start, dash, end = words[0].partition("-")
        if not dash or len(words) > 3:
            raise pricing.TariffError("bad_band", f"{number}: {line}")
        band: dict[str, Any] = {"start": start, "end": end}
        for key, value in zip(("energy_price", "time_price"), words[1:], strict=False):
            if value != "-":
                band[key] = value.replace(",", ".")
        bands.append(band)
    return bands


def _data(ctx: Context) -> dict[str, Any]:
    """The tariff the form gives, as csms's set_tariff takes it (empty fields: the tariff's defaults)."""
    data: dict[str, Any] = {"currency": ctx.field("currency").upper()}
    for key in (*PRICE_FIELDS, "max_energy_kwh"):
        if ctx.field(key):
            data[key] = ctx.field(key).replace(",", ".")  # a German decimal comma is a decimal point
    for key in ("name", "on_max_energy", "time_zone"):
        if ctx.field(key):
            data[key] = ctx.field(key)
    data["bands"] = _bands(ctx.field("bands"))
    return data


def _values(ctx: Context, entry: dict[str, Any] | None) -> dict[str, Any]:
    if ctx.form is not None:
        keys = ("charger", "connector", "tag", "bands", *PRICE_FIELDS, *TEXT_FIELDS)
        return {key: ctx.field(key) for key in keys}
    query = ctx.request.query
    values = {"charger": query.get("charger", ""), "connector": query.get("connector", ""), "tag": query.get("tag", "")}
    tariff = entry["tariff"] if entry is not None else {}
    for key in PRICE_FIELDS + TEXT_FIELDS:
        value = tariff.get(key)
        values[key] = "" if value is None else str(value)
    values["on_max_energy"] = values["on_max_energy"] or "stop"
    values["bands"] = _bands_text(tariff.get("bands") or [])
    return values


def _entry(ctx: Context, scope: Any) -> dict[str, Any] | None:
    tariff = ctx.state.central.pricing.tariffs.get(scope)
    return None if tariff is None else {**scope.to_dict(), "tariff": tariff.to_dict()}


def _page(ctx: Context, status: int = 200, errors: Errors | None = None, notice: str | None = None,
          entry: dict[str, Any] | None = None) -> web.Response:  # fmt: skip
    central = ctx.state.central
    return render_admin(
        ctx, "admin_tariffs.html", status=status, tariffs=central.pricing.tariffs.entries(),
        values=_values(ctx, entry), errors=errors or {}, notice=notice, chargers=sorted(central.stations),
        on_max=ON_MAX, editing=entry is not None,
        price=lambda value, currency: price(ctx.lang, value, currency, pricing.minor_unit(currency)),
    )  # fmt: skip


def _error(ctx: Context, err: Any) -> Errors:
    return {"form": ctx.t(f"tariffs.error.{err.code}", detail=err.detail)}


@page("/admin/tariffs", role=ADMIN)
async def tariffs(request: web.Request, ctx: Context) -> web.Response:
    """The list, and the form: empty, or the tariff of the scope the query names (?charger=&connector=&tag=)."""
    try:
        scope = scope_of(request.query)
    except pricing.TariffError as err:
        return _page(ctx, 400, _error(ctx, err))
    return _page(ctx, entry=_entry(ctx, scope))


@page("/admin/tariffs", method="POST", role=ADMIN)
async def tariff_save(request: web.Request, ctx: Context) -> web.Response:
    pricing_manager = ctx.state.central.pricing
    try:
        scope = scope_of({key: ctx.field(key) for key in ("charger", "connector", "tag")})
        before = pricing_manager.tariffs.get(scope)
        await pricing_manager.set_tariff(scope, _data(ctx))
    except pricing.TariffError as err:
        return _page(ctx, 400, _error(ctx, err))
    except StoreError:
        # not kept in memory either: the tariff before stays
        if before is None:
            pricing_manager.tariffs.clear(scope)
        else:
            pricing_manager.tariffs.set(scope, before)
        return _page(ctx, 503, {"form": ctx.t("admin.error.store")})
    ctx.form = None
    return _page(ctx, notice=ctx.t("tariffs.saved"))


@page("/admin/tariffs/delete", method="POST", role=ADMIN)
async def tariff_delete(request: web.Request, ctx: Context) -> web.Response:
    pricing_manager = ctx.state.central.pricing
    try:
        scope = scope_of({key: ctx.field(key) for key in ("charger", "connector", "tag")})
    except pricing.TariffError as err:
        return _page(ctx, 400, _error(ctx, err))
    before = pricing_manager.tariffs.get(scope)
    try:
        cleared = await pricing_manager.clear_tariff(scope)
    except StoreError:
        if before is not None:
            pricing_manager.tariffs.set(scope, before)
        return _page(ctx, 503, {"form": ctx.t("admin.error.store")})
    ctx.form = None
    if not cleared:
        return _page(ctx, 404, {"form": ctx.t("tariffs.error.not_set")})
    return _page(ctx, notice=ctx.t("tariffs.deleted"))
