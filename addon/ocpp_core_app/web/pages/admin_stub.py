"""A placeholder of the admin area (the admin pages replace it): only admins may open it."""

from __future__ import annotations

from aiohttp import web

from ..context import Context
from ..registry import ADMIN, page


@page("/admin", role=ADMIN, nav="core.nav.admin")
async def admin_home(request: web.Request, ctx: Context) -> web.Response:
    return ctx.render("message.html", title=ctx.t("core.nav.admin"), text=ctx.t("core.admin.soon"))
