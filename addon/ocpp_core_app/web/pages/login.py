"""Signing in and out on the own port (behind ingress Home Assistant has signed the user in)."""

from __future__ import annotations

import secrets

from aiohttp import web

from ..context import Context
from ..passwords import async_matches
from ..registry import page
from ..sessions import COOKIE
from ..state import LOGIN

LOGIN_CSRF = "ocpp_core_login_csrf"


def _safe_next(ctx: Context, target: str) -> str:
    """Only a path of this UI (never another site)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _form(ctx: Context, status: int = 200, error: str | None = None, name: str = "") -> web.Response:
    token = secrets.token_urlsafe(24)
    ctx.cookies[LOGIN_CSRF] = token
    return ctx.render(
        "login.html", status=status, error=error, login_csrf=token, name=name,
        next=_safe_next(ctx, ctx.request.query.get("next", "") or ctx.field("next")),
    )  # fmt: skip


@page("/login", role=None)
async def login_form(request: web.Request, ctx: Context) -> web.Response:
    if ctx.state.mode != LOGIN:
        return ctx.redirect("/")
    return _form(ctx)


@page("/login", method="POST", role=None)
async def login(request: web.Request, ctx: Context) -> web.Response:
    if ctx.state.mode != LOGIN:
        return ctx.redirect("/")
    address = request.remote or "?"
    throttle = ctx.state.login_throttle
    name, password = ctx.field("name"), ctx.field("password")
    if throttle.blocked(address):
        return _form(ctx, 429, ctx.t("core.login.throttled"), name)
    if not name or not password:
        return _form(ctx, 400, ctx.t("core.login.missing"), name)
    account = ctx.state.accounts.accounts.get(name)
    if account is None or not await async_matches(account.password, password):
        throttle.failed(address)
        return _form(ctx, 401, ctx.t("core.login.wrong"), name)
    throttle.succeeded(address)
    session_id = ctx.state.sessions.create(account.name)
    response = web.Response(status=303, headers={"Location": ctx.base + _safe_next(ctx, ctx.field("next"))})
    response.set_cookie(COOKIE, session_id, path=ctx.cookie_path, httponly=True, samesite="Strict")
    response.del_cookie(LOGIN_CSRF, path=ctx.cookie_path)
    ctx.finish(response)
    return response


@page("/logout", method="POST")
async def logout(request: web.Request, ctx: Context) -> web.Response:
    ctx.state.sessions.end(request.cookies.get(COOKIE))
    response = ctx.redirect("/login" if ctx.state.mode == LOGIN else "/")
    response.del_cookie(COOKIE, path=ctx.cookie_path)
    return response
