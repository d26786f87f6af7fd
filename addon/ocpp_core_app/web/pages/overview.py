"""The overview: a tile per charger (or connector), refreshed every second by app.js from /overview/tiles."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..context import Context
from ..formats import number, since
from ..registry import page
from ..tiles import all_tiles


def _tiles(ctx: Context) -> dict[str, Any]:
    return {"tiles": all_tiles(ctx.state.central), "number": number, "since": since}


@page("/", nav="core.nav.overview")
async def overview(request: web.Request, ctx: Context) -> web.Response:
    return ctx.render("overview.html", **_tiles(ctx))


@page("/overview/tiles")
async def tiles_fragment(request: web.Request, ctx: Context) -> web.Response:
    """The tiles alone (what the page polls)."""
    return ctx.render("_tiles.html", **_tiles(ctx))
