"""A charger's page (or one connector's): its status and error, the commands, its transactions in a date range,
and the chart of a chosen session."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..chart import session_chart
from ..commands import ACTIONS, USER_ACTIONS, Notice, send
from ..context import Context
from ..formats import local_time, number, since
from ..registry import page
from ..tiles import Tile, charger_name, station_tiles
from ..transactions import COLUMNS, date_range, transactions


def _station(ctx: Context) -> Any:
    station = ctx.state.central.stations.get(ctx.request.match_info["charger_id"])
    if station is None:
        raise web.HTTPNotFound(text=ctx.t("core.charger.unknown"))
    return station


def _connector_filter(ctx: Context, station: Any) -> int | None:
    text = ctx.request.query.get("connector", "")
    return int(text) if text.isdigit() and int(text) in station.connectors and int(text) > 0 else None


def _tiles(ctx: Context, station: Any) -> list[Tile]:
    tiles = station_tiles(ctx.state.central, station)
    connector = _connector_filter(ctx, station)
    if connector is not None and len(tiles) > 1:
        tiles = [tile for tile in tiles if tile.connector_id == connector]
    return tiles


async def _chart(ctx: Context, station: Any, found: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, Any]:
    wanted = ctx.request.query.get("tx")
    chosen = next((tx for tx in found if str(tx.get("transaction_id")) == wanted), None)
    if chosen is None and found:
        chosen = found[0]
    if chosen is None:
        return None, None
    samples = await ctx.state.store.session_samples(
        station.station_id, str(chosen["transaction_id"]), str(chosen["start_time"])
    )
    labels = {k: ctx.t(f"core.chart.{k}") for k in ("energy", "power", "none")}
    start = chosen.get("meter_start_wh")
    return chosen, session_chart(ctx.lang, samples, start if isinstance(start, int | float) else None, labels)


async def _page(ctx: Context, status: int = 200, notice: Notice | None = None) -> web.Response:
    station = _station(ctx)
    central = ctx.state.central
    connector = _connector_filter(ctx, station)
    span = date_range(ctx)
    found = transactions(ctx, station.station_id, connector, span) if span.error is None else []
    chosen, chart = await _chart(ctx, station, found)
    tiles = _tiles(ctx, station)
    is_admin = ctx.user is not None and ctx.user.is_admin
    return ctx.render(
        "charger.html",
        status=status,
        station=station,
        name=charger_name(station),
        connected=central.is_connected(station.station_id),
        tiles=tiles,
        connector=connector,
        connectors=sorted(n for n in station.connectors if n > 0),
        span=span,
        columns=COLUMNS,
        transactions=found,
        chosen=chosen,
        chart=chart,
        notice=notice,
        actions=[a for a in ACTIONS if a in USER_ACTIONS or is_admin],
        own_tags=ctx.state.accounts.own_tags(ctx.user.key) if ctx.user is not None else [],
        number=number,
        since=since,
        local_time=local_time,
    )


@page("/chargers/{charger_id}")
async def charger_page(request: web.Request, ctx: Context) -> web.Response:
    return await _page(ctx)


@page("/chargers/{charger_id}/status")
async def charger_status(request: web.Request, ctx: Context) -> web.Response:
    """The status tiles alone (what the page polls)."""
    station = _station(ctx)
    return ctx.render("_status.html", tiles=_tiles(ctx, station), number=number, since=since)


@page("/chargers/{charger_id}/command", method="POST")
async def charger_command(request: web.Request, ctx: Context) -> web.Response:
    station = _station(ctx)
    ctx.page_path = f"/chargers/{station.station_id}"
    notice = await send(ctx, station, ctx.field("action"))
    return await _page(ctx, 200 if notice.ok else 400 if notice.field else 409, notice)
