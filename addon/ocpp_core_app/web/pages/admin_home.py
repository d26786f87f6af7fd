"""The admin area's start: its sections, and how many unknown chargers and tags wait in the inbox."""

from __future__ import annotations

from aiohttp import web

from ...admin.inbox import CHARGER, TAG
from ..admin_forms import admin_data, render_admin
from ..context import Context
from ..registry import ADMIN, page


@page("/admin", role=ADMIN, nav="core.nav.admin")
async def admin_home(request: web.Request, ctx: Context) -> web.Response:
    inbox = admin_data(ctx).inbox
    waiting = {kind: len(inbox.entries(kind, decided=False)) if inbox else 0 for kind in (CHARGER, TAG)}
    return render_admin(ctx, "admin_home.html", waiting=waiting)
