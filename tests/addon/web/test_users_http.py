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


async def test_an_admin_promotes_and_demotes_but_never_the_last_admin(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with running_web(data) as web, client_session() as admin, client_session() as carla:
        assert web.admin_password is not None
        token = await _sign_in(admin, web.own, "admin", web.admin_password)
        form = {"csrf": token, "name": "carla", "password": "carla-secret-1", "password_again": "carla-secret-1",
                "role": "user"}  # fmt: skip
        async with admin.post(web.own + "/users/add", data=form) as response:
            assert response.status == 200
        carla_token = await _sign_in(carla, web.own, "carla", "carla-secret-1")
        # the only admin cannot be made a user; a role that is none is refused; nothing changes
        before = (data / "web_accounts.json").read_text()
        for fields, status, text in (
            ({"name": "admin", "role": "user"}, 409, "admin is the last admin: make another account an admin first."),
            ({"name": "carla", "role": "owner"}, 400, "Choose a role: user or admin."),
            ({"name": "nobody", "role": "admin"}, 404, "There is no user nobody."),
        ):
            async with admin.post(web.own + "/users/role", data={"csrf": token, **fields}) as response:
                assert response.status == status and text in await response.text(), fields
        assert (data / "web_accounts.json").read_text() == before
        # carla is no admin: she cannot promote herself
        async with carla.post(
            web.own + "/users/role", data={"csrf": carla_token, "name": "carla", "role": "admin"}
        ) as response:
            assert response.status == 403
        assert json.loads((data / "web_accounts.json").read_text())["accounts"]["carla"]["role"] == "user"
        async with carla.get(web.own + "/admin/chargers") as response:
            assert response.status == 403
        # promoted: her open session sees the admin pages at once
        async with admin.post(web.own + "/users/role", data={"csrf": token, "name": "carla", "role": "admin"}) as r:
            assert r.status == 200 and "carla is an admin now." in await r.text()
        assert json.loads((data / "web_accounts.json").read_text())["accounts"]["carla"]["role"] == "admin"
        async with carla.get(web.own + "/admin/chargers") as response:
            assert response.status == 200
        # two admins: the first may be made a user now, by carla; then carla is the last one
        async with carla.post(
            web.own + "/users/role", data={"csrf": carla_token, "name": "admin", "role": "user"}
        ) as r:
            assert r.status == 200 and "admin is a user now (no admin any more)." in await r.text()
        async with admin.get(web.own + "/users") as response:
            assert response.status == 403
        async with carla.post(
            web.own + "/users/role", data={"csrf": carla_token, "name": "carla", "role": "user"}
        ) as r:
            assert r.status == 409
        # who makes themselves a user lands on their account page (the Users page is no longer theirs)
        async with carla.post(web.own + "/users/role", data={"csrf": carla_token, "name": "admin", "role": "admin"}):
            pass
        async with carla.post(
            web.own + "/users/role", data={"csrf": carla_token, "name": "carla", "role": "user"}, allow_redirects=False
        ) as response:
            assert response.status == 303 and response.headers["Location"] == "/account"
        book = json.loads((data / "web_accounts.json").read_text())["accounts"]
        assert (book["admin"]["role"], book["carla"]["role"]) == ("admin", "user")
