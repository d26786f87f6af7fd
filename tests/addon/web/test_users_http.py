"""The Users area's forms without a browser: who is no admin is refused by the server too (another's password,
adding an account, linking tags), and a password changed signs that account out everywhere else."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aiohttp

from .harness import client_session, running_web


async def _csrf(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as response:
        token = re.search(r'name="csrf" value="([^"]+)"', await response.text())
    assert token is not None
    return token.group(1)


async def _sign_in(http: aiohttp.ClientSession, own: str, name: str, password: str) -> str:
    form = {"csrf": await _csrf(http, own + "/login"), "name": name, "password": password, "next": "/"}
    async with http.post(own + "/login", data=form, allow_redirects=False) as response:
        assert response.status == 303, await response.text()
    return await _csrf(http, own + "/account")


async def test_who_is_no_admin_is_refused_and_a_new_password_signs_out_elsewhere(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with running_web(data) as web, client_session() as admin, client_session() as carla:
        assert web.admin_password is not None
        token = await _sign_in(admin, web.own, "admin", web.admin_password)
        form = {"csrf": token, "name": "carla", "password": "carla-secret-1", "password_again": "carla-secret-1",
                "role": "user"}  # fmt: skip
        async with admin.post(web.own + "/users/add", data=form) as response:
            assert response.status == 200 and "The account carla was added." in await response.text()
        book = json.loads((data / "web_accounts.json").read_text())
        assert book["accounts"]["carla"]["role"] == "user"
        assert "carla-secret-1" not in (data / "web_accounts.json").read_text()
        carla_token = await _sign_in(carla, web.own, "carla", "carla-secret-1")
        before = (data / "web_accounts.json").read_text()
        refused = [
            ("/users/password", {"name": "admin", "password": "taken-over-1", "password_again": "taken-over-1"}),
            ("/users/add", {"name": "mallory", "password": "mallory-pw-1", "password_again": "mallory-pw-1",
                            "role": "admin"}),
            ("/users/tags", {"owner": "local:carla", "tags": "SOMEONES-TAG"}),
            ("/users/delete", {"name": "admin"}),
        ]  # fmt: skip
        for path, fields in refused:
            async with carla.post(web.own + path, data={"csrf": carla_token, **fields}) as response:
                assert response.status == 403, path
        assert (data / "web_accounts.json").read_text() == before
        # the admin sets carla's password: carla's session ends
        form = {"csrf": token, "name": "carla", "password": "carla-secret-2", "password_again": "carla-secret-2",
                "from": "users"}  # fmt: skip
        async with admin.post(web.own + "/users/password", data=form) as response:
            assert response.status == 200 and "The password of carla was changed." in await response.text()
        async with carla.get(web.own + "/account", allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"].startswith("/login")
        await _sign_in(carla, web.own, "carla", "carla-secret-2")
