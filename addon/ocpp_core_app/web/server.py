"""Serving the UI: its pages on the API's application (the ingress port, beside /api/v1/) and, optionally, on an
application of its own on the own port (with sign-in).

Every page goes through `_wrap`: ingress requests only from the Supervisor's proxy (loopback only for /health),
who asks and their role, the language, the CSRF token of every POST."""

from __future__ import annotations

import functools
import hmac
import logging
from pathlib import Path
from typing import Any

from aiohttp import web

from . import pages  # noqa: F401 (registers every area's pages)
from .context import LANG_COOKIE, Context, User, ingress_csrf, ingress_prefix, language
from .registry import ADMIN, PAGES, USER, Page, allowed
from .sessions import COOKIE
from .state import INGRESS, LOGIN, LOOPBACK, STATE, WebState

_LOGGER = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
HEALTH = "/health"


async def _identify(request: web.Request, state: WebState) -> User | None:
    if state.mode == INGRESS:
        user_id = request.headers.get("X-Remote-User-Id", "").strip()
        if not user_id:
            return None
        name = request.headers.get("X-Remote-User-Display-Name") or request.headers.get("X-Remote-User-Name") or user_id
        admin = state.ha_roles is not None and await state.ha_roles.is_admin(user_id)
        key = "ha:" + user_id
        return User(key, name.strip(), ADMIN if admin else USER, ingress_csrf(state, key))
    session = state.sessions.get(request.cookies.get(COOKIE))
    if session is None:
        return None
    account = state.accounts.accounts.get(session.account)
    if account is None:
        return None
    return User("local:" + account.name, account.name, account.role, session.csrf)


def _wrap(page: Page) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        if state.mode == INGRESS and request.remote not in state.proxies:
            raise web.HTTPForbidden(text="Only Home Assistant's ingress proxy may open this page.\n")
        lang, remember = language(request)
        user = await _identify(request, state)
        base = ingress_prefix(request) if state.mode == INGRESS else ""
        ctx = Context(request, state, user, lang, base)
        if remember is not None:
            ctx.cookies[LANG_COOKIE] = remember
        if page.role is not None and user is None:
            if state.mode == LOGIN:
                return ctx.redirect("/login", next=request.path_qs if request.method == "GET" else None)
            return ctx.render("message.html", status=403, title=ctx.t("core.error.forbidden"),
                              text=ctx.t("core.error.no_user"))  # fmt: skip
        if not allowed(page.role, user.role if user is not None else None):
            return ctx.render("message.html", status=403, title=ctx.t("core.error.forbidden"),
                              text=ctx.t("core.error.admins_only"))  # fmt: skip
        if request.method == "POST":
            ctx.form = await request.post()
            expected = user.csrf if user is not None else request.cookies.get("ocpp_core_login_csrf", "")
            given = ctx.field("csrf")
            if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
                return ctx.render("message.html", status=403, title=ctx.t("core.error.forbidden"),
                                  text=ctx.t("core.error.csrf"))  # fmt: skip
        try:
            return await page.handler(request, ctx)
        except web.HTTPNotFound as err:  # an unknown charger …: a page in the user's language
            return ctx.render("message.html", status=404, title=ctx.t("core.error.not_found"), text=err.text or "")

    return handler


@functools.cache
def _static_files() -> dict[str, bytes]:
    """static/'s files, read once (a few kB)."""
    return {p.name: p.read_bytes() for p in STATIC.iterdir() if p.suffix in STATIC_TYPES}


async def _static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    body = _static_files().get(name)
    if body is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=body,
        content_type=STATIC_TYPES[Path(name).suffix],
        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


async def _health(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    if state.mode == INGRESS and request.remote not in state.proxies | LOOPBACK:
        raise web.HTTPForbidden()
    return web.Response(text="ok\n")


def install(app: web.Application, state: WebState) -> None:
    """Add the UI's routes to `app` (the API's application, or the own port's)."""
    app[STATE] = state
    app.router.add_get(HEALTH, _health)
    app.router.add_get("/static/{name}", _static)
    for page in PAGES:
        app.router.add_route(page.method, page.path, _wrap(page))


class WebServer:
    """The UI alone on its own port, with sign-in (the add-on's web_login option)."""

    def __init__(self, state: WebState, host: str, port: int) -> None:
        self.app = web.Application()
        install(self.app, state)
        self._runner = web.AppRunner(self.app, access_log=None)
        self._host, self.port = host, port

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or ()
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self._runner.cleanup()


__all__ = ["INGRESS", "LOGIN", "WebServer", "WebState", "install"]
