"""Admin: a charger's message log — its OCPP frames both ways, newest first, filtered by action, direction and
time, in pages.  Every frame is scrubbed of secrets (admin/message_log.py) before it reaches the template."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from ...admin.message_log import LogQuery, frames_of, query
from ..admin_forms import Errors, admin_data, render_admin
from ..context import Context
from ..formats import parse_moment
from ..registry import ADMIN, page

DIRECTIONS = ("in", "out")


def _moment(text: str) -> datetime | None:
    """A datetime-local value, or a time typed as German writes it (the add-on's local time); ValueError when it
    is none."""
    if not text:
        return None
    return parse_moment(text).astimezone()


def _wall_clock(lang: str, moment: datetime) -> str:
    """A frame's time to the second, in the add-on's local time, as the language writes a date."""
    return moment.astimezone().strftime("%d.%m.%Y %H:%M:%S" if lang == "de" else "%Y-%m-%d %H:%M:%S")


@page("/admin/log", role=ADMIN)
async def message_log(request: web.Request, ctx: Context) -> web.Response:
    central = ctx.state.central
    given = {k: request.query.get(k, "").strip() for k in ("charger", "action", "direction", "from", "to", "page")}
    chargers = sorted(central.stations)
    charger = given["charger"] or (chargers[0] if chargers else "")
    errors: Errors = {}
    since = until = None
    for name in ("from", "to"):
        try:
            moment = _moment(given[name])
        except ValueError:
            errors[name] = ctx.t("admin.log.error.time")
            continue
        since, until = (moment, until) if name == "from" else (since, moment)
    if since is not None and until is not None and since >= until:
        errors["to"] = ctx.t("admin.log.error.order")
    direction = given["direction"] if given["direction"] in DIRECTIONS else None
    page_number = int(given["page"]) if given["page"].isdigit() else 1
    result = None
    if charger and not errors:
        frames = await frames_of(central, admin_data(ctx).store, charger)
        wanted = LogQuery(given["action"] or None, direction, since, until, page_number)
        result = query(frames, wanted)
    filters = {k: v for k, v in given.items() if k != "page"} | {"charger": charger}
    return render_admin(
        ctx, "admin_log.html", status=400 if errors else 200, chargers=chargers, charger=charger, given=given,
        filters=filters, errors=errors, result=result, wall_clock=lambda moment: _wall_clock(ctx.lang, moment), directions=DIRECTIONS,
    )  # fmt: skip
