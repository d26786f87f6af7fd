"""The web UI's test bench: the real app process (app_process.py), a stand-in for the Supervisor's ingress proxy
and for Home Assistant Core's WebSocket API behind it (who is admin), simulated chargers, and Debian's chromium
driven by Playwright.

The stand-in proxy serves /api/hassio_ingress/<token>/<path> as the Supervisor does: it forwards to the app's UI
port with X-Ingress-Path and the X-Remote-User-* headers of the user the test chose, and leaves every Location
and cookie as the app sent it (so links that forget the prefix break, as they would behind the real one).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import shutil
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from sim.charger16 import ConfigKey
from sim.charger16 import connect as connect16
from tests.addon.app_process import App, free_port, start_app

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / ".artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
INGRESS_TOKEN = "Xq3kTestSession_9"
INGRESS_PREFIX = f"/api/hassio_ingress/{INGRESS_TOKEN}"
SUPERVISOR_TOKEN = "supervisor-token-for-tests"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Home Assistant's users as config/auth/list lists them
HA_USERS = [
    {"id": "admin-id", "username": "anna", "name": "Anna Admin", "is_owner": True, "group_ids": ["system-admin"]},
    {"id": "user-id", "username": "ben", "name": "Ben User", "is_owner": False, "group_ids": ["system-users"]},
]
# request headers the proxy passes on (the browser's), and response headers it passes back
_FORWARD = ("Cookie", "Accept-Language", "Content-Type", "Accept", "User-Agent", "X-Requested-With")
_BACK = (
    "Content-Type",
    "Content-Disposition",
    "Location",
    "Cache-Control",
    "Content-Security-Policy",
    "X-Content-Type-Options",
)


@dataclass(slots=True)
class HaUser:
    id: str
    name: str
    display_name: str


ADMIN = HaUser("admin-id", "anna", "Anna Admin")
USER = HaUser("user-id", "ben", "Ben User")


@dataclass(slots=True)
class Supervisor:
    """The stand-in: ingress proxy, Core's WebSocket API (config/auth/list), /discovery."""

    ui_port: int = 0
    user: HaUser | None = field(default_factory=lambda: ADMIN)
    port: int = 0
    auth_lists: int = 0
    # Core behind the Supervisor's proxy: "up", "down" (the proxy answers 502), "unreachable" (closed after auth_ok)
    core: str = "up"
    # what the add-on sent on /core/websocket, in order
    core_frames: list[dict[str, Any]] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _client: aiohttp.ClientSession | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{INGRESS_PREFIX}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", INGRESS_PREFIX + "/{tail:.*}", self._proxy)
        app.router.add_get("/core/websocket", self._core)
        app.router.add_get("/frontend", self._frontend)
        app.router.add_post("/discovery", self._discovery)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        self.port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        # no cookie jar: the browser's Cookie header is passed on, as the Supervisor does
        self._client = client_session(auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar())

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _proxy(self, request: web.Request) -> web.StreamResponse:
        assert self._client is not None
        headers = {k: request.headers[k] for k in _FORWARD if k in request.headers}
        headers["X-Ingress-Path"] = INGRESS_PREFIX
        if self.user is not None:
            headers.update({
                "X-Remote-User-Id": self.user.id,
                "X-Remote-User-Name": self.user.name,
                "X-Remote-User-Display-Name": self.user.display_name,
            })  # fmt: skip
        url = f"http://127.0.0.1:{self.ui_port}/{request.match_info['tail']}"
        async with self._client.request(
            request.method, url, params=request.query, headers=headers, data=await request.read(),
            allow_redirects=False,
        ) as upstream:  # fmt: skip
            body = await upstream.read()
            response = web.Response(status=upstream.status, body=body)
            for name in _BACK:
                if name in upstream.headers:
                    response.headers[name] = upstream.headers[name]
            for value in upstream.headers.getall("Set-Cookie", []):
                response.headers.add("Set-Cookie", value)
            return response

    async def _core(self, request: web.Request) -> web.StreamResponse:
        """The Supervisor's /core/websocket as supervisor/api/proxy.py has it: 502 before the upgrade while Core is
        down; after it auth_required, the add-on's `auth` (access_token, or the older api_password) checked against
        its token (auth_invalid and closed when wrong), auth_ok — sent before the Supervisor connects to Core, so
        a Core it cannot reach then closes the socket —, then every frame passed to Core and back."""
        if self.core == "down":
            raise web.HTTPBadGateway()
        ws = web.WebSocketResponse(heartbeat=30)
        await ws.prepare(request)
        await ws.send_json({"type": "auth_required", "ha_version": "2026.2.3"})
        auth = await ws.receive_json(timeout=10)
        self.core_frames.append(auth)
        if (auth.get("api_password") or auth.get("access_token")) != SUPERVISOR_TOKEN:
            await ws.send_json({"type": "auth_invalid", "message": "Invalid access"})
            await ws.close()
            return ws
        await ws.send_json({"type": "auth_ok", "ha_version": "2026.2.3"})
        if self.core == "unreachable":
            await ws.close()
            return ws
        async for message in ws:  # Core: answers config/auth/list (it needs an admin: the Supervisor's user is one)
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            asked = json.loads(message.data)
            self.core_frames.append(asked)
            if asked.get("type") == "config/auth/list":
                self.auth_lists += 1
                await ws.send_json({"id": asked["id"], "type": "result", "success": True, "result": HA_USERS})
            else:
                error = {"code": "unknown_command", "message": "Unknown command."}
                await ws.send_json({"id": asked.get("id"), "type": "result", "success": False, "error": error})
        return ws

    async def _frontend(self, request: web.Request) -> web.Response:
        """Home Assistant's frontend, reduced to what the add-on's panel sees: its <html lang> (the user's language,
        ?lang=) and the panel's frame of the same origin."""
        lang = request.query.get("lang", "en")
        page = f'<!doctype html><html lang="{lang}"><body><iframe src="{INGRESS_PREFIX}/"></iframe></body></html>'
        return web.Response(text=page, content_type="text/html")

    async def _discovery(self, request: web.Request) -> web.Response:
        return web.json_response({"result": "ok", "data": {"uuid": "test-discovery"}})


@dataclass(slots=True)
class WebApp:
    app: App
    supervisor: Supervisor
    web_port: int
    admin_password: str | None

    @property
    def ocpp_url(self) -> str:
        return self.app.url

    @property
    def ui_port(self) -> int:
        return self.supervisor.ui_port

    @property
    def own(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"


def _ui_port(app: App) -> int:
    args = [str(a) for a in app.process.args]  # type: ignore[union-attr]
    return int(args[len(args) - 1 - args[::-1].index("--ui-port") + 1])


async def _blocking[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn` in a thread of its own, ended before this returns (the HA harness counts threads left behind; the
    loop's default executor keeps one)."""
    with ThreadPoolExecutor(1) as pool:
        return await asyncio.get_running_loop().run_in_executor(pool, functools.partial(fn, *args, **kwargs))


def client_session(**kwargs: Any) -> aiohttp.ClientSession:
    """An HTTP client for 127.0.0.1 without aiodns (its pycares channel leaves a shutdown thread behind, which the
    HA harness counts), keeping 127.0.0.1's cookies as a browser does."""
    connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
    kwargs.setdefault("cookie_jar", aiohttp.CookieJar(unsafe=True))
    return aiohttp.ClientSession(connector=connector, **kwargs)


def _write_accounts(data_dir: Path, book: dict[str, Any]) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "web_accounts.json").write_text(json.dumps(book))


@contextlib.asynccontextmanager
async def running_web(data_dir: Path, *args: str, ha_user_tags: dict[str, list[str]] | None = None,
                      proxy: str = "127.0.0.1") -> AsyncIterator[WebApp]:  # fmt: skip
    """The app with the web UI behind the stand-in ingress proxy and on its own port (with sign-in)."""
    supervisor = Supervisor()
    await supervisor.start()
    if ha_user_tags is not None:
        _write_accounts(data_dir, {"ha_user_tags": ha_user_tags})
    web_port = free_port()
    env = {"SUPERVISOR_TOKEN": SUPERVISOR_TOKEN, "OCPP_CORE_SUPERVISOR_URL": f"http://127.0.0.1:{supervisor.port}"}
    flags = ["--web-port", str(web_port), "--ingress-proxy", proxy,
             "--ha-websocket-url", f"ws://127.0.0.1:{supervisor.port}/core/websocket", *args]  # fmt: skip
    try:
        app = await _blocking(start_app, data_dir, *flags, env=env)
    except BaseException:
        await supervisor.stop()
        raise
    supervisor.ui_port = _ui_port(app)
    password = None
    for line in app.output().splitlines():
        if line.startswith("Web UI: first account created: admin / "):
            password = line.split(" / ", 1)[1].split(" ", 1)[0]
    try:
        yield WebApp(app, supervisor, web_port, password)
    finally:
        await _blocking(app.stop)
        await supervisor.stop()


@contextlib.asynccontextmanager
async def browser(locale: str = "en-US") -> AsyncIterator[Any]:
    """A fresh chromium context (its Accept-Language from `locale`), at desktop size."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await chromium.new_context(viewport=DESKTOP, locale=locale)
            yield context
            await context.close()
        finally:
            await chromium.close()


async def screenshots(page: Any, name: str) -> None:
    """The page at phone and desktop width, into .artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        await page.set_viewport_size(size)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)


def have_chromium() -> bool:
    return shutil.which("chromium") is not None or Path(CHROMIUM).exists()


@contextlib.asynccontextmanager
async def charger16(
    web: WebApp, cp_id: str, connectors: int = 1, *, expect: str = "Accepted", takes_password: bool = False
) -> AsyncIterator[Any]:
    """A simulated 1.6 charger at the app, booted (its boot answered `expect`) and its statuses sent."""
    cp, task, ws = await connect16(web.ocpp_url, cp_id, connectors=connectors)
    if takes_password:
        cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)  # it takes a password (1.6 security)
    try:
        await cp.boot(expect=expect)
        await cp.send_all_statuses()
        yield cp
    finally:
        await ws.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
