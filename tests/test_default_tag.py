"""Home Assistant's default tag (the entry's option default_id_tag) is the central system's remote-only tag on both
back ends: with unknown tags refused, a remote start with a changed default tag is accepted and the same tag
presented at the charger is refused; still so after the central system restarts (embedded: the entry reloaded,
the tag in its options; remote: the add-on restarted, the tag kept in its store before Home Assistant tells it
again)."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from sim.charger16 import connect

from .addon.app_process import App
from .helpers_ha import until, wait_device
from .helpers_remote import both_backends, ocpp_url, restart_addon

TAG = "Garage-7"


@pytest.fixture
def addon_args() -> tuple[str, ...]:
    return ("--unknown-tags", "reject")  # (the embedded central system refuses unknown tags by default)


async def _set_default_tag(hass: HomeAssistant, entry: MockConfigEntry, tag: str) -> None:
    """The general step of the options, as the user changes the default tag."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "general"})
    given = {"heartbeat_interval": 60, "default_id_tag": tag, "strict_validation": False}
    result = await hass.config_entries.options.async_configure(result["flow_id"], given)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # (the entry's update listener: remote, the tag told to the add-on)


async def _remote_only(hass: HomeAssistant, entry: MockConfigEntry, station_id: str) -> None:
    """The tag refused at the charger, accepted for Home Assistant's remote start (its default tag)."""
    charger, task, ws = await connect(ocpp_url(entry), station_id)
    await charger.boot()
    await charger.send_status(1, "Available")
    device_id = (await wait_device(hass, station_id)).id
    assert (await charger.authorize("stranger")).id_tag_info["status"] == "Invalid"  # unknown tags refused
    assert (await charger.authorize(TAG.upper())).id_tag_info["status"] == "Invalid"  # presented at the charger
    await hass.services.async_call(
        DOMAIN, "start_transaction", {"device_id": device_id, "connector_id": 1}, blocking=True
    )
    assert charger.remote_starts[-1]["id_tag"] == TAG
    await until(hass, lambda: charger.last_id_tag_info == {"status": "Accepted"}, timeout=20)
    await charger.stop_transaction(1)
    await ws.close()
    task.cancel()


@both_backends
async def test_a_changed_default_tag_is_remote_only(
    hass: HomeAssistant, backend: str, entry: MockConfigEntry, addon: App | None, addon_args: tuple[str, ...]
) -> None:
    await _set_default_tag(hass, entry, TAG)
    assert entry.runtime_data.default_id_tag == TAG
    await _remote_only(hass, entry, "wallbox")

    if addon is None:
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        await _remote_only(hass, entry, "wallbox")
        return
    client: Any = entry.runtime_data.central.client
    assert (await client.options())["remote_start_tag"] == TAG
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert addon.stop() == 0
    again = restart_addon(addon, *addon_args)
    try:
        assert (await client.options())["remote_start_tag"] == TAG  # kept in the add-on's store
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
        await _remote_only(hass, entry, "wallbox")
    finally:
        if entry.state is ConfigEntryState.LOADED:
            assert await hass.config_entries.async_unload(entry.entry_id)
        again.stop()
