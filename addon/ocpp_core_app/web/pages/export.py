"""Exports: the transactions of a charger, a tag or all, for a date range, as CSV or XLSX in the user's language
(admin/exports.py writes them).  Every signed-in user may export what the charger pages show them."""

from __future__ import annotations

import asyncio
from datetime import date

from aiohttp import web

from ...admin.exports import ExportQuery, export_rows, filename, local_zone, to_csv, to_xlsx
from ...store import StoreError
from ..context import Context
from ..formats import parse_day
from ..registry import page

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _form(ctx: Context, status: int = 200, errors: dict[str, str] | None = None) -> web.Response:
    central = ctx.state.central
    given = {k: ctx.request.query.get(k, "").strip() for k in ("charger", "tag", "from", "to")}
    return ctx.render(
        "export.html", status=status, given=given, errors=errors or {}, chargers=sorted(central.stations),
        tags=[record.id_tag for record in central.tags],
    )  # fmt: skip


@page("/export", nav="export.nav")
async def export_form(request: web.Request, ctx: Context) -> web.Response:
    return _form(ctx)


def _day(text: str) -> date | None:
    return parse_day(text) if text else None


@page("/export/file")
async def export_file(request: web.Request, ctx: Context) -> web.StreamResponse:
    query = request.query
    kind = query.get("format", "")
    errors: dict[str, str] = {}
    if kind not in FORMATS:
        errors["format"] = ctx.t("export.error.format")
    charger = query.get("charger", "").strip() or None
    if charger is not None and charger not in ctx.state.central.stations:
        errors["charger"] = ctx.t("export.error.charger")
    days: dict[str, date | None] = {}
    for name in ("from", "to"):
        try:
            days[name] = _day(query.get(name, "").strip())
        except ValueError:
            errors[name] = ctx.t("core.tx.error.date")
    first, last = days.get("from"), days.get("to")
    if first is not None and last is not None and first > last:
        errors["to"] = ctx.t("core.tx.error.order")
    if errors:
        return _form(ctx, 400, errors)
    zone = local_zone()
    wanted = ExportQuery.for_dates(charger, query.get("tag", "").strip() or None, first, last, zone)
    try:
        # every session the store recorded, not csms's history alone
        rows = await export_rows(ctx.state.central, wanted, zone, store=ctx.state.store)
    except StoreError:
        return _form(ctx, 503, {"store": ctx.t("core.tx.error.store")})
    # a large export takes seconds to write: in a thread, so the event loop (the chargers) carries on
    body = await asyncio.to_thread(to_csv if kind == "csv" else to_xlsx, rows, ctx.lang)
    response = web.Response(
        body=body,
        headers={
            "Content-Type": FORMATS[kind],
            "Content-Disposition": f'attachment; filename="{filename(wanted, kind)}"',
        },
    )
    ctx.finish(response)
    return response
