"""An add-on older than the integration (the real app with the routes it got later left out: tests/addon/older_app.py):
the entry still sets up, a repair issue says to update the add-on, and what needs the missing routes (the options
of the central system, removing a charger's device) says so in a translated message instead of a generic error;
once the add-on is updated (the same data and ports), the issue goes and the removal works, without a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core import async_remove_config_entry_device
from custom_components.ocpp_core.const import DOMAIN
from sim.charger16 import connect

from .helpers_ha import until, wait_device
from .helpers_remote import add_remote_entry, ocpp_url, restart_addon, start_addon

OLDER_APP = str(Path(__file__).parent / "addon" / "older_app.py")

pytestmark = pytest.mark.usefixtures("enable_custom_integrations", "addon_session")


def _outdated(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"addon_outdated_{entry.entry_id}")


async def _options_step(hass: HomeAssistant, entry: MockConfigEntry, *steps: str) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    for step in steps:
        result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": step})
    return dict(result)


async def test_an_addon_without_options_and_forget_says_to_update_it(hass: HomeAssistant, tmp_path: Path) -> None:
    app = start_addon(tmp_path / "addon-data", program=(OLDER_APP, "before-options"))
    try:
        entry = await add_remote_entry(hass, app)
        issue = _outdated(hass, entry)
        assert issue is not None and issue.translation_key == "addon_outdated"
        assert issue.translation_placeholders == {
            "host": "127.0.0.1", "port": str(app.ui_port), "request": "GET /options", "tag": "HomeAssistant",  # type: ignore[attr-defined]
        }  # fmt: skip
        # the central system's options (the general step, the tag policy): the flow ends saying to update
        for steps in (("general",), ("tags", "tag_policy")):
            result = await _options_step(hass, entry, *steps)
            assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "addon_outdated"), steps
            assert result["description_placeholders"]["request"] == "GET /options"
        # removing the device of a charger that left: the add-on answers 405 to DELETE /chargers/{id}
        charger, task, ws = await connect(ocpp_url(entry), "old-one")
        await charger.boot()
        device = await wait_device(hass, "old-one")
        await ws.close()
        task.cancel()
        central = entry.runtime_data.central
        await until(hass, lambda: not central.is_connected("old-one"), timeout=20)
        with pytest.raises(HomeAssistantError) as refused:  # (HA's websocket sends the device page its text)
            await async_remove_config_entry_device(hass, entry, device)
        assert refused.value.translation_key == "addon_outdated"
        assert str(refused.value) == (
            f"The OCPP Core add-on at 127.0.0.1:{app.ui_port} is older than this integration (it has no "  # type: ignore[attr-defined]
            "DELETE /chargers/old-one): update the add-on, then try again"
        )
        assert "old-one" in central.stations

        # the add-on updated: told the tag once it is back, the issue gone; the removal and the options work
        assert app.stop() == 0
        app = restart_addon(app)
        await until(hass, lambda: _outdated(hass, entry) is None, timeout=30)
        assert (await central.client.options())["remote_start_tag"] == "HomeAssistant"
        assert await async_remove_config_entry_device(hass, entry, device)
        assert "old-one" not in central.stations
        assert (await _options_step(hass, entry, "general"))["type"] is FlowResultType.FORM
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        app.stop()


async def test_an_addon_without_the_remote_start_tag_says_to_update_it(hass: HomeAssistant, tmp_path: Path) -> None:
    app = start_addon(tmp_path / "addon-data", program=(OLDER_APP, "before-remote-start-tag"))
    try:
        entry = await add_remote_entry(hass, app, options={"unknown_chargers": "accept", "default_id_tag": "Garage-7"})
        issue = _outdated(hass, entry)
        assert issue is not None and issue.translation_placeholders is not None
        assert issue.translation_placeholders["request"] == "PUT /options remote_start_tag"
        assert issue.translation_placeholders["tag"] == "Garage-7"
        # its options are there: the general step opens as before
        assert (await _options_step(hass, entry, "general"))["type"] is FlowResultType.FORM
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        app.stop()
