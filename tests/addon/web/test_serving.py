"""How the web UI is served, without a browser: ingress only from the proxy's address (the API beside it as
before), every URL under the ingress prefix, CSRF tokens on every form, sign-in throttled per address, the
first admin's password printed once and kept only as a hash."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aiohttp

from .harness import INGRESS_PREFIX, USER, client_session, running_web

URL_ATTRIBUTES = re.compile(r'\b(?:href|src|action|data-refresh)="([^"]*)"')


async def test_ingress_only_from_the_proxy_address_and_the_api_beside_it(tmp_path: Path) -> None:
    async with running_web(tmp_path / "data", proxy="172.30.32.2") as web, client_session() as http:
        base = f"http://127.0.0.1:{web.ui_port}"
        async with http.get(base + "/", headers={"X-Remote-User-Id": "admin-id"}) as response:
            assert response.status == 403
        async with http.get(base + "/health") as response:  # loopback: the health check
            assert (response.status, await response.text()) == (200, "ok\n")
        token = (tmp_path / "data" / "api_token").read_text().strip()
        async with http.get(base + "/api/v1/chargers", headers={"Authorization": f"Bearer {token}"}) as response:
            assert (response.status, await response.json()) == (200, {"chargers": []})
        async with http.get(base + "/api/v1/chargers") as response:
            assert response.status == 401  # the API keeps its token


async def test_every_url_is_under_the_ingress_prefix(tmp_path: Path) -> None:
    from sim.charger16 import connect as connect16

    async with running_web(tmp_path / "data") as web, client_session() as http:
        cp, task, ws = await connect16(web.ocpp_url, "CP-URLS", connectors=2)
        await cp.boot()
        await cp.send_all_statuses()
        found: list[str] = []
        for path in ("/", "/chargers/CP-URLS", "/chargers/CP-URLS?connector=2", "/admin", "/overview/tiles"):
            async with http.get(web.supervisor.base + path) as response:
                assert response.status == 200, path
                html = await response.text()
                assert response.headers["Cache-Control"] == "no-store"
                assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
            found += URL_ATTRIBUTES.findall(html)
        assert len(found) > 20
        assert [url for url in found if not url.startswith(INGRESS_PREFIX + "/")] == []
        # and each of them answers through the proxy
        for url in sorted({u.split("?")[0] for u in found if "/command" not in u}):
            async with http.get(f"http://127.0.0.1:{web.supervisor.port}{url}") as response:
                assert response.status == 200, url
        await ws.close()
        task.cancel()


async def test_no_form_is_taken_without_its_csrf_token(tmp_path: Path) -> None:
    async with running_web(tmp_path / "data") as web, client_session() as http:
        command = web.supervisor.base + "/chargers/NOPE/command"
        for form in ({"action": "start", "id_tag": "X"}, {"action": "start", "id_tag": "X", "csrf": "forged"}):
            async with http.post(command, data=form) as response:
                assert response.status == 403
                assert "This form has expired" in await response.text()
        async with http.post(web.own + "/login", data={"name": "admin", "password": "x"}) as response:
            assert response.status == 403  # the sign-in form too (its token is in a cookie and the form)
        async with http.get(web.supervisor.base + "/chargers/NOPE") as response:
            assert response.status == 404 and "No such charger." in await response.text()
        # behind ingress without Home Assistant's user headers: nobody is signed in
        web.supervisor.user = None
        async with http.get(web.supervisor.base + "/") as response:
            assert response.status == 403
            assert "did not say who you are" in await response.text()


async def _login(
    http: aiohttp.ClientSession, own: str, name: str, password: str, next_page: str = "/"
) -> aiohttp.ClientResponse:
    async with http.get(own + "/login") as response:
        html = await response.text()
    token = re.search(r'name="csrf" value="([^"]+)"', html)
    assert token is not None
    form = {"csrf": token.group(1), "name": name, "password": password, "next": next_page}
    async with http.post(own + "/login", data=form, allow_redirects=False) as response:
        await response.read()
        return response


async def test_sign_in_is_throttled_and_the_password_kept_only_as_a_hash(tmp_path: Path) -> None:
    async with running_web(tmp_path / "data") as web, client_session() as http:
        password = web.admin_password
        assert password is not None and len(password) >= 12
        book = (tmp_path / "data" / "web_accounts.json").read_text()
        assert password not in book
        assert json.loads(book)["accounts"]["admin"]["password"]["kdf"] == "scrypt"
        assert (tmp_path / "data" / "web_accounts.json").stat().st_mode & 0o077 == 0
        for _ in range(5):
            assert (await _login(http, web.own, "admin", "wrong")).status == 401
        # the sixth attempt, even with the right password, waits
        assert (await _login(http, web.own, "admin", password)).status == 429
        async with http.get(web.own + "/") as response:
            assert response.url.path == "/login"
    # a restart prints no password again (the account exists)
    async with running_web(tmp_path / "data") as web, client_session() as http:
        assert web.admin_password is None
        response = await _login(http, web.own, "admin", password, next_page="//evil.example/")
        assert (response.status, response.headers["Location"]) == (303, "/")  # never to another site
        async with http.get(web.own + "/") as page:
            assert page.status == 200 and 'class="tiles"' in await page.text()


async def test_a_user_cannot_send_the_admin_commands(tmp_path: Path) -> None:
    from sim.charger16 import connect as connect16

    async with running_web(tmp_path / "data") as web, client_session() as http:
        cp, task, ws = await connect16(web.ocpp_url, "CP-ROLE")
        await cp.boot()
        await cp.send_all_statuses()
        web.supervisor.user = USER
        async with http.get(web.supervisor.base + "/chargers/CP-ROLE") as response:
            token = re.search(r'name="csrf" value="([^"]+)"', await response.text())
        assert token is not None
        for form in ({"action": "limit", "amps": "6"}, {"action": "restart"}, {"action": "unlock"}):
            async with http.post(web.supervisor.base + "/chargers/CP-ROLE/command",
                                 data={**form, "csrf": token.group(1)}) as response:  # fmt: skip
                assert response.status == 409
                assert "Only administrators may do this." in await response.text()
        assert cp.sim.charging_profiles == {}  # no limit reached the charger
        await ws.close()
        task.cancel()
