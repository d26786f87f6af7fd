"""What the admin pages share: their sections (the admin area's own navigation), the charger a page is about,
and a form's errors (field -> the message in the user's language)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..admin.services import AdminData
from .context import Context
from .formats import local_time

# the admin area's sections: (translation key, path)
SECTIONS = (
    ("admin.nav.chargers", "/admin/chargers"),
    ("admin.nav.tags", "/admin/tags"),
    ("tariffs.nav", "/admin/tariffs"),
    ("admin.nav.connectors", "/admin/connectors"),
    ("admin.nav.inbox", "/admin/inbox"),
    ("admin.nav.log", "/admin/log"),
)

Errors = dict[str, str]


def admin_data(ctx: Context) -> AdminData:
    if ctx.state.admin is None:
        raise web.HTTPServiceUnavailable(text="The admin pages need the app's store.\n")
    return ctx.state.admin


def station_of(ctx: Context, name: str = "id") -> Any:
    """The charger the query names (`?id=`): ids may hold any character, so they go in the query, not the path."""
    station = ctx.state.central.stations.get(ctx.request.query.get(name, ""))
    if station is None:
        raise web.HTTPNotFound(text=ctx.t("core.charger.unknown") + "\n")
    return station


def render_admin(ctx: Context, template: str, status: int = 200, **values: Any) -> web.Response:
    values.setdefault("notice", None)
    values.setdefault("errors", {})
    return ctx.render(
        template, status=status, sections=SECTIONS, local_time=lambda value: local_time(ctx.lang, value), **values
    )
