"""The API of the app as the add-on runs it (a subprocess on the SQLite store): tag changes made through it
persist across a restart; the generated token is the one it accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .api_client import client_session
from .app_process import free_port, start_app

TOKEN = "process-token-0123456789"


async def _call(port: int, method: str, path: str, body: Any = None, token: str = TOKEN) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        client_session() as http,
        http.request(method, f"http://127.0.0.1:{port}/api/v1{path}", json=body, headers=headers) as response,
    ):
        return response.status, await response.json()


async def test_tag_crud_persists_across_a_restart(tmp_path: Path) -> None:
    data, ui_port = tmp_path / "data", free_port()
    app = start_app(data, "--ui-port", str(ui_port), "--api-token", TOKEN)
    try:
        assert "API on port" in app.output()
        status, body = await _call(
            ui_port, "POST", "/tags", {"id_tag": "CARD-A", "name": "Anna", "expiry_date": "2030-01-31"}
        )
        assert (status, body["tag"]["expiry_date"]) == (201, "2030-02-01T00:00:00+00:00")
        assert (await _call(ui_port, "POST", "/tags", {"id_tag": "card-a"}))[0] == 409
        assert (await _call(ui_port, "POST", "/tags", {"id_tag": "CARD-B", "status": "Blocked"}))[0] == 201
        assert (await _call(ui_port, "POST", "/tags", {"id_tag": "CARD-C", "status": "Maybe"}))[1][
            "error"
        ] == "bad_status"
        status, body = await _call(ui_port, "PUT", "/tags/CARD-A", {"name": "Anna B.", "chargers": ["nope"]})
        assert (status, body["error"]) == (400, "unknown_charger")
        status, body = await _call(ui_port, "PUT", "/tags/CARD-A", {"name": "Anna B."})
        assert (status, body["tag"]["name"]) == (200, "Anna B.")
        assert (await _call(ui_port, "DELETE", "/tags/CARD-B"))[0] == 200
        assert (await _call(ui_port, "DELETE", "/tags/CARD-B"))[0] == 404
        assert (await _call(ui_port, "PUT", "/tags/CARD-Z", {"name": "x"}))[0] == 404
    finally:
        assert app.stop() == 0
    app = start_app(data, "--ui-port", str(ui_port), "--api-token", TOKEN)
    try:
        status, body = await _call(ui_port, "GET", "/tags")
        assert status == 200
        assert [(t["id_tag"], t["name"], t["status_now"]) for t in body["tags"]] == [("CARD-A", "Anna B.", "Accepted")]
    finally:
        assert app.stop() == 0


async def test_the_generated_token_is_the_one_accepted(tmp_path: Path) -> None:
    data, ui_port = tmp_path / "data", free_port()
    app = start_app(data, "--ui-port", str(ui_port))
    try:
        token = (data / "api_token").read_text().strip()
        assert token in app.output()
        assert (await _call(ui_port, "GET", "/chargers", token=token)) == (200, {"chargers": []})
        assert (await _call(ui_port, "GET", "/chargers", token=TOKEN))[0] == 401
    finally:
        assert app.stop() == 0
