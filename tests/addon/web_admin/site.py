"""The add-on's central system, store, admin data and web UI in-process, as app.py wires them: the UI behind a
stand-in for the Supervisor's ingress proxy (path prefix, user headers) and on its own port with sign-in."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from ocpp_core_app.admin.services import AdminData
from ocpp_core_app.api import ApiServer
from ocpp_core_app.central_import import csms
from ocpp_core_app.store import SqliteStore
from ocpp_core_app.store.samples import MessageLog, SessionSamples
from ocpp_core_app.web import INGRESS, LOGIN, WebServer, WebState, install
from ocpp_core_app.web.accounts import Account, AccountBook
from ocpp_core_app.web.ha_roles import HaRoles
from ocpp_core_app.web.passwords import hash_password

TOKEN = "test-token-0123456789abcdef"
INGRESS_PATH = "/api/hassio_ingress/test-session-token"
ADMIN_ID, USER_ID = "ha-admin-id", "ha-user-id"
# the own port's accounts (name: password)
ADMIN_PASSWORD, USER_PASSWORD = "admin-password-1", "user-password-1"


class Roles(HaRoles):
    """Home Assistant's answer to who is admin, without Home Assistant."""

    def __init__(self) -> None:
        super().__init__("ws://unused", None)

    async def is_admin(self, user_id: str) -> bool:
        return user_id == ADMIN_ID


@dataclass
class Site:
    central: Any
    admin: AdminData
    store: SqliteStore
    api: ApiServer
    own: WebServer
    proxy_port: int

    @property
    def ocpp_url(self) -> str:
        return f"ws://127.0.0.1:{self.central.port}"

    @property
    def ingress(self) -> str:
        """The UI as a Home Assistant user reaches it (through the proxy stand-in)."""
        return f"http://127.0.0.1:{self.proxy_port}{INGRESS_PATH}"

    @property
    def direct(self) -> str:
        """The UI behind ingress, asked directly (the headers the proxy would add are the caller's)."""
        return f"http://127.0.0.1:{self.api.port}"

    @property
    def own_port(self) -> str:
        return f"http://127.0.0.1:{self.own.port}"


def ingress_headers(user_id: str = ADMIN_ID, name: str = "Ada") -> dict[str, str]:
    return {"X-Ingress-Path": INGRESS_PATH, "X-Remote-User-Id": user_id, "X-Remote-User-Display-Name": name}


def proxy_app(upstream: str, user: dict[str, str]) -> web.Application:
    """The Supervisor's ingress proxy, reduced to what the UI sees: the prefix stripped, the user's headers added
    (`user["id"]`, switchable by the test), redirects and cookies passed through."""
    app = web.Application()

    async def forward(request: web.Request) -> web.StreamResponse:
        path = request.match_info["tail"]
        headers = {
            k: v for k, v in request.headers.items() if k.lower() in ("cookie", "content-type", "accept-language")
        }
        headers |= ingress_headers(user["id"], user.get("name", "Ada"))
        body = await request.read()
        async with (
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())) as http,
            http.request(
                request.method, f"{upstream}/{path}", params=request.query, data=body or None, headers=headers,
                allow_redirects=False,
            ) as answer,
        ):  # fmt: skip
            passed = {
                k: v
                for k, v in answer.headers.items()
                if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")
            }
            return web.Response(status=answer.status, body=await answer.read(), headers=passed)

    app.router.add_route("*", INGRESS_PATH + "/{tail:.*}", forward)
    return app


@contextlib.asynccontextmanager
async def running_site(
    path: Path, unknown_chargers: str = "accept", **config: Any
) -> AsyncIterator[tuple[Site, dict[str, str]]]:
    """The site, and the proxy's current user (set `["id"]` to switch the Home Assistant user)."""
    store = SqliteStore(path / "ocpp_core.db", save_delay=0.05)
    await store.open()
    central = csms.CentralSystem(
        csms.CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, heartbeat_interval=60, **config), store
    )
    admin = AdminData(store)
    admin.attach(central, unknown_chargers)
    central.events.subscribe(SessionSamples(central, store).on_event)
    central.events.subscribe(MessageLog(central, store).on_event)
    await central.load()
    await admin.load()
    await central.start()
    accounts = AccountBook(path)
    accounts.accounts["admin"] = Account("admin", "admin", hash_password(ADMIN_PASSWORD))
    accounts.accounts["user"] = Account("user", "user", hash_password(USER_PASSWORD), ["USERTAG"])
    ingress = WebState(
        INGRESS, central, store, accounts, proxies=frozenset({"127.0.0.1"}), ha_roles=Roles(), admin=admin
    )
    api = ApiServer(central, TOKEN, "127.0.0.1", 0, ui=lambda app: install(app, ingress))
    await api.start()
    own = WebServer(WebState(LOGIN, central, store, accounts, admin=admin), "127.0.0.1", 0)
    await own.start()
    user = {"id": ADMIN_ID}
    runner = web.AppRunner(proxy_app(f"http://127.0.0.1:{api.port}", user), access_log=None)
    await runner.setup()
    proxy = web.TCPSite(runner, "127.0.0.1", 0)
    await proxy.start()
    sockets = getattr(proxy._server, "sockets", None) or ()
    try:
        yield Site(central, admin, store, api, own, sockets[0].getsockname()[1]), user
    finally:
        await runner.cleanup()
        await own.stop()
        await api.stop()
        await central.stop()
        await admin.close()
        await store.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)
