"""A charger's refusal as a caller of HA's REST API sees it (/api/services/ocpp_core/...).

HA's REST API passes no error message on: a HomeAssistantError is a bare HTTP 500 there (HA 2025.1 and
2026.2 alike).  So a caller asking for the response (?return_response) gets the charger's answer.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .conftest import Open, answer, device


@pytest.fixture(scope="module", autouse=True)
def _resolver_thread() -> None:
    """pycares (aiohttp's resolver) starts one thread for good on first use: started before the test's
    thread check (HA 2025.1's harness would count it as left behind)."""
    with contextlib.suppress(ImportError, AttributeError):
        import pycares

        pycares._shutdown_manager.start()


@pytest.fixture
async def rest(hass: HomeAssistant, hass_client: Any) -> Any:
    assert await async_setup_component(hass, "api", {})
    return await hass_client()


async def test_a_refusal_reaches_a_rest_caller_as_the_answer(
    hass: HomeAssistant, open_charger: Open, rest: Any, caplog: pytest.LogCaptureFixture
) -> None:
    charger = await open_charger("rest")
    answer(charger, "Reset", {"status": "Rejected"})
    caplog.set_level(logging.WARNING)
    reply = await rest.post(
        "/api/services/ocpp_core/reset?return_response", json={"device_id": device(hass, "rest"), "type": "soft"}
    )
    assert reply.status == 200, await reply.text()
    body = await reply.json()
    assert body["service_response"] == {"status": "Rejected", "refused": True}
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_callerror_reaches_a_rest_caller_as_the_answer(
    hass: HomeAssistant, open_charger: Open, rest: Any
) -> None:
    charger = await open_charger("rest")
    charger.route_map.pop("ClearCache", None)  # no handler: the charger answers NotImplemented
    reply = await rest.post(
        "/api/services/ocpp_core/clear_cache?return_response", json={"device_id": device(hass, "rest")}
    )
    assert reply.status == 200, await reply.text()
    response = (await reply.json())["service_response"]
    assert response["refused"] is True and response["error"] == "NotImplemented"


async def test_an_accepted_command_over_rest(hass: HomeAssistant, open_charger: Open, rest: Any) -> None:
    await open_charger("rest")
    reply = await rest.post(
        "/api/services/ocpp_core/clear_cache?return_response", json={"device_id": device(hass, "rest")}
    )
    assert reply.status == 200
    assert (await reply.json())["service_response"] == {"status": "Accepted"}
