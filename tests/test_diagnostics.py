"""Diagnostics show each charger's configuration read after boot, with secrets redacted."""

from __future__ import annotations

import asyncio

import pytest
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from sim.charger16 import connect

from .helpers_ha import ACCEPT_ALL, free_port


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None) -> None:
    """Load our integration from custom_components."""


async def test_diagnostics(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()}, options=ACCEPT_ALL)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    charger, task, ws = await connect(f"ws://127.0.0.1:{entry.data[CONF_PORT]}", "diag")
    await charger.boot()
    station = entry.runtime_data.central.stations["diag"]
    async with asyncio.timeout(5):
        while not station.configuration:
            await asyncio.sleep(0.01)
    station.configuration["AuthorizationKey"] = {"value": "0011AABB", "readonly": False}

    result = await async_get_config_entry_diagnostics(hass, entry)
    shown = result["stations"]["diag"]
    assert shown["connected"] is True
    assert shown["configuration"]["NumberOfConnectors"]["value"] == "1"
    assert shown["configuration"]["AuthorizationKey"]["value"] == "**REDACTED**"
    assert "0011AABB" not in str(result)

    frames = shown["recent_frames"]
    assert frames[0]["direction"] == "in"
    assert '"BootNotification"' in frames[0]["frame"]
    assert any(f["direction"] == "out" and "GetConfiguration" in f["frame"] for f in frames)
    # a frame naming a secret keeps only its envelope
    await entry.runtime_data.central.v16("diag").change_configuration("AuthorizationKey", "00112233AABB")
    result = await async_get_config_entry_diagnostics(hass, entry)
    assert "00112233AABB" not in str(result)
    assert any(f["frame"].endswith("**REDACTED**]") for f in result["stations"]["diag"]["recent_frames"])

    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "diag")})
    assert device is not None
    assert (await async_get_device_diagnostics(hass, entry, device))["vendor"] == "OCPP Core"
    await ws.close()
    task.cancel()
    assert await hass.config_entries.async_unload(entry.entry_id)
