"""Services that change who may charge or what a charger runs are for administrators only."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.services.admin import ADMIN_SERVICES

from .conftest import Open, answer, device


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any], user: User) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, context=Context(user_id=user.id), return_response=False
    )


async def test_every_admin_service_exists(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert set(hass.services.async_services_for_domain(DOMAIN)) >= ADMIN_SERVICES


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("reset", {"type": "Soft"}),
        ("change_configuration", {"key": "HeartbeatInterval", "value": "60"}),
        ("send_call", {"action": "Reset", "payload": {"type": "Soft"}}),
        ("set_charger_password", {"password": "a-long-enough-password"}),
    ],
)
async def test_a_non_admin_is_refused_a_charger_service(
    hass: HomeAssistant, open_charger: Open, hass_read_only_user: User, service: str, data: dict[str, Any]
) -> None:
    charger = await open_charger("locked")
    received = answer(charger, "Reset", {"status": "Accepted"})
    with pytest.raises(Unauthorized):
        await _call(hass, service, {"device_id": device(hass, "locked"), **data}, hass_read_only_user)
    assert received == []  # nothing reached the charger


async def test_a_non_admin_is_refused_the_tag_services(
    hass: HomeAssistant, entry: MockConfigEntry, hass_read_only_user: User
) -> None:
    with pytest.raises(Unauthorized):
        await _call(hass, "add_tag", {"id_tag": "CARD1"}, hass_read_only_user)
    assert [tag.id_tag for tag in entry.runtime_data.central.tags] == []


async def test_an_admin_may(
    hass: HomeAssistant, entry: MockConfigEntry, open_charger: Open, hass_admin_user: User
) -> None:
    charger = await open_charger("open")
    received = answer(charger, "Reset", {"status": "Accepted"})
    await _call(hass, "reset", {"device_id": device(hass, "open"), "type": "Soft"}, hass_admin_user)
    assert received == [{"type": "Soft"}]
    await _call(hass, "add_tag", {"id_tag": "CARD1"}, hass_admin_user)
    assert [tag.id_tag for tag in entry.runtime_data.central.tags] == ["CARD1"]


async def test_a_non_admin_still_reads_and_triggers(
    hass: HomeAssistant, open_charger: Open, hass_read_only_user: User
) -> None:
    charger = await open_charger("shared")
    received = answer(charger, "TriggerMessage", {"status": "Accepted"})
    await _call(
        hass,
        "trigger_message",
        {"device_id": device(hass, "shared"), "requested_message": "heartbeat"},
        hass_read_only_user,
    )
    assert len(received) == 1
