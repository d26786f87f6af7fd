"""The API's bearer token: none or a wrong one is a 401 with WWW-Authenticate; repeated failures are throttled."""

from __future__ import annotations

import aiohttp
import pytest

from .api_client import AUTH, TOKEN, running_api


async def test_no_token_and_wrong_token_are_401() -> None:
    async with running_api() as api:
        status, body = await api.request("GET", "/chargers", headers={})
        assert (status, body["error"]) == (401, "unauthorized")
        async with api.http.get(api.base + "/chargers") as response:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        status, body = await api.request("GET", "/chargers", headers={"Authorization": "Bearer " + TOKEN + "x"})
        assert (status, body["message"]) == (401, "wrong token")
        status, body = await api.request("GET", "/chargers", headers={"Authorization": "Basic " + TOKEN})
        assert status == 401
        assert await api.request("GET", "/chargers") == (200, {"chargers": []})


async def test_websocket_needs_the_token() -> None:
    async with running_api() as api:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await api.http.ws_connect(api.base + "/events")
        assert refused.value.status == 401
        async with api.http.ws_connect(api.base + "/events?token=" + TOKEN) as ws:
            assert not ws.closed


async def test_failed_attempts_are_throttled() -> None:
    async with running_api() as api:
        for _ in range(10):
            assert (await api.request("GET", "/tags", headers={"Authorization": "Bearer wrong"}))[0] == 401
        status, body = await api.request("GET", "/tags", headers=AUTH)
        assert (status, body["error"]) == (429, "too_many_failures")


async def test_openapi_needs_no_token() -> None:
    async with running_api() as api:
        status, body = await api.request("GET", "/openapi.json", headers={})
        assert status == 200
        assert body["openapi"].startswith("3.")
