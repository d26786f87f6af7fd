"""Admin: the inbox — unknown chargers that tried to connect and unknown tags that tried to charge; accept or
refuse each (admin/inbox.py does it), or forget a decided one."""

from __future__ import annotations

from aiohttp import web

from ...admin.inbox import CHARGER, TAG, InboxError
from ...central_import import csms
from ...store import StoreError
from ..admin_forms import Errors, admin_data, render_admin
from ..context import Context
from ..registry import ADMIN, page


def _page(ctx: Context, status: int = 200, errors: Errors | None = None, notice: str | None = None) -> web.Response:
    inbox = admin_data(ctx).inbox
    lists = {
        kind: {
            "waiting": inbox.entries(kind, decided=False) if inbox else [],
            "decided": inbox.entries(kind, decided=True) if inbox else [],
        }
        for kind in (CHARGER, TAG)
    }
    return render_admin(ctx, "admin_inbox.html", status=status, lists=lists, errors=errors or {}, notice=notice,
                        given_key=ctx.field("key"))  # fmt: skip


@page("/admin/inbox", role=ADMIN)
async def inbox_page(request: web.Request, ctx: Context) -> web.Response:
    return _page(ctx)


@page("/admin/inbox", method="POST", role=ADMIN)
async def inbox_action(request: web.Request, ctx: Context) -> web.Response:
    inbox = admin_data(ctx).inbox
    kind, key, action = ctx.field("kind"), ctx.field("key"), ctx.field("action")
    if inbox is None or kind not in (CHARGER, TAG) or action not in ("accept", "refuse", "forget") or not key:
        return _page(ctx, 400, {"form": ctx.t("admin.error.check")})
    central = ctx.state.central
    # a new charger accepted while max_stations are known: the cap lets it in all the same (see admin/inbox.py)
    full = len(central.stations) >= central.config.max_stations and key not in central.stations
    over_cap = central.config.max_stations if kind == CHARGER and action == "accept" and full else 0
    try:
        if action == "forget":
            await inbox.forget(kind, key)
        elif kind == CHARGER and action == "accept":
            password = ctx.form.get("password") if ctx.form is not None else None
            await inbox.accept_charger(key, password if isinstance(password, str) and password else None)
        elif kind == CHARGER:
            await inbox.refuse_charger(key)
        elif action == "accept":
            await inbox.accept_tag(key, ctx.field("name") or None)
        else:
            await inbox.refuse_tag(key)
    except InboxError as err:
        field = "password" if err.code == "bad_password" else "form"
        return _page(ctx, 400, {field: ctx.t(f"admin.inbox.error.{err.code}", tag=key)})
    except (StoreError, csms.CallError, csms.CallTimeout):
        return _page(ctx, 503, {"form": ctx.t("admin.error.store")})
    ctx.form = None
    if over_cap:  # let in past the cap: say so, and how to let more in
        return _page(ctx, notice=ctx.t("admin.inbox.done.charger.accept_over_cap", id=key, max=over_cap))
    return _page(ctx, notice=ctx.t(f"admin.inbox.done.{kind}.{action}", id=key))
