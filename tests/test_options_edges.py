"""The options' tags and security entries when there is nothing to pick, when the entry is unloaded while
a step is open, and when what was picked is gone (or the charger refuses) by the time the form is sent; the first
three on both back ends."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.const import CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms.features.credentials import AuthResult
from sim import charger16
from sim.auth import ConnectOptions

from .helpers_ha import until
from .helpers_remote import both_backends, stored_tags

PASSWORD = "garage-password-2024"


@pytest.fixture
def entry_args() -> dict[str, Any]:
    return {"data": {"security_profile": 1}}


async def _menu(hass: HomeAssistant, entry: MockConfigEntry, entry_point: str) -> dict[str, Any]:
    """The options opened at the `entry_point` menu (tags or security)."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": entry_point})
    assert result["type"] is FlowResultType.MENU
    return result


async def _choose(hass: HomeAssistant, menu: dict[str, Any], step: str) -> dict[str, Any]:
    return await hass.config_entries.options.async_configure(menu["flow_id"], {"next_step_id": step})


@both_backends
async def test_nothing_to_pick(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    for entry_point, step, reason in (
        ("security", "security_charger", "no_chargers"),
        ("tags", "tag_pick", "no_tags"),
        ("tags", "tag_remove", "no_tags"),
    ):
        result = await _choose(hass, await _menu(hass, entry, entry_point), step)
        assert (result["type"], result["reason"]) == (FlowResultType.ABORT, reason)
    # the password for new chargers left empty: nothing changes
    result = await _choose(hass, await _menu(hass, entry, "security"), "security_new_chargers")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"remove": False})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not await entry.runtime_data.central.records.has_new_charger_password()


@both_backends
async def test_entry_unloaded_while_the_options_are_open(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    steps = [("security", step) for step in ("security_charger", "security_new_chargers")]
    steps += [("tags", step) for step in ("tag_add", "tag_pick", "tag_remove")]
    menus = [(await _menu(hass, entry, entry_point), step) for entry_point, step in steps]
    assert await hass.config_entries.async_unload(entry.entry_id)
    for menu, step in menus:
        result = await _choose(hass, menu, step)
        assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "central_system_not_loaded")
    # and the menus themselves are not offered while it is unloaded
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "tags"})
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "central_system_not_loaded")


@both_backends
async def test_tag_removed_while_its_form_is_open(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await hass.services.async_call(DOMAIN, "add_tag", {"id_tag": "CARD-A"}, blocking=True)
    result = await _choose(hass, await _menu(hass, entry, "tags"), "tag_pick")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"id_tag": "CARD-A"})
    assert result["step_id"] == "tag_edit"
    await hass.services.async_call(DOMAIN, "remove_tag", {"id_tag": "CARD-A"}, blocking=True)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"status": "blocked"})
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "tag_gone")
    assert (await stored_tags(entry)).get("CARD-A") is None  # not brought back
    # removing none of them (the form sent empty) removes nothing
    await hass.services.async_call(DOMAIN, "add_tag", {"id_tag": "CARD-B"}, blocking=True)
    result = await _choose(hass, await _menu(hass, entry, "tags"), "tag_remove")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"id_tags": []})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (await stored_tags(entry)).get("CARD-B") is not None


async def test_password_refused_by_the_charger_then_the_charger_forgotten(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    central = entry.runtime_data.central
    url = f"ws://127.0.0.1:{entry.data[CONF_PORT]}"
    opened = []
    for station_id in ("carport", "garage"):  # the carport stays: the form is not left without chargers
        await central.credentials.set_password(station_id, PASSWORD)
        cp, task, ws = await charger16.connect(url, station_id, options=ConnectOptions(PASSWORD))
        await cp.boot()
        opened.append((task, ws))
    await until(hass, lambda: central.stations["garage"].configuration_time is not None)
    # the simulated charger has no AuthorizationKey: it answers NotSupported, the old password stays
    result = await _choose(hass, await _menu(hass, entry, "security"), "security_charger")
    new = {"charger": "garage", "password": "a-brand-new-password-99", "send_to_charger": True}
    result = await hass.config_entries.options.async_configure(result["flow_id"], new)
    assert result["errors"] == {"base": "password_not_sent"}
    assert result["description_placeholders"]["error"]
    old_header = ConnectOptions(PASSWORD).headers("garage")["Authorization"]
    assert await central.credentials.check("garage", old_header) is AuthResult.OK
    # the charger goes away and is forgotten while the form is open
    await ws.close()
    await until(hass, lambda: not central.is_connected("garage"))
    assert await central.forget_station("garage")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {**new, "send_to_charger": False})
    assert result["errors"] == {"charger": "charger_gone"}
    assert "garage" not in central.stations
    for task, ws in opened:
        await ws.close()
        task.cancel()
