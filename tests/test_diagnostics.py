"""Diagnostics show each charger's configuration read after boot, with secrets redacted."""

from __future__ import annotations

import asyncio

import pytest
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from sim.charger16 import connect

from .helpers_ha import ACCEPT_ALL, boot_station, find_device, free_port


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

    device = find_device(hass, "diag")
    assert device is not None
    assert (await async_get_device_diagnostics(hass, entry, device))["vendor"] == "OCPP Core"
    await ws.close()
    task.cancel()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_diagnostics_of_a_2x_station_hide_its_secrets(hass: HomeAssistant) -> None:
    """The device model is shown, but not the values of secret variables (also when an event reports them),
    nor id tags, the SIM card's identifiers or what the station reported about a customer."""
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()}, options=ACCEPT_ALL)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    central = entry.runtime_data.central
    station = await boot_station(hass, central, "diag2")
    commands = central.v201("diag2")
    security = {"name": "SecurityCtrlr"}
    for name, value in (("BasicAuthPassword", "pw-0011AABB"), ("OrganizationName", "ACME Energy")):
        station.sim.device_model.entries[("SecurityCtrlr", None, None, None, name, None)] = {
            "component": security,
            "variable": {"name": name},
            "variable_attribute": [{"type": "Actual", "mutability": "ReadWrite"}],
            "variable_characteristics": {"data_type": "string", "supports_monitoring": False},
        }
        entry_data = {"component": security, "variable": {"name": name}, "attributeValue": value}
        assert (await commands.set_variables([entry_data]))["setVariableResult"][0]["attributeStatus"] == "Accepted"
    await station.notify_event({"name": "AuthCtrlr"}, {"name": "MasterPassGroupId"}, "MASTER-77")
    await station.start_transaction(1, "CARD-4711")
    answer = await commands.customer_information(
        central.next_request_id(), report=True, clear=False, id_token="CARD-4711", id_token_type="ISO14443"
    )
    assert answer["status"] == "Accepted"
    v2 = central.stations["diag2"].v2
    assert v2 is not None
    async with asyncio.timeout(5):
        await station.settle()
        while not v2.customer_information or "MASTER-77" not in str(v2.device_events):
            await asyncio.sleep(0.01)
    assert v2.device_model.value("SecurityCtrlr", "BasicAuthPassword") == "pw-0011AABB"

    result = await async_get_config_entry_diagnostics(hass, entry)
    text = str(result)
    for secret in ("pw-0011AABB", "MASTER-77", "CARD-4711", "8949000000000000001", "262010000000001"):
        assert secret not in text, secret
    shown = result["stations"]["diag2"]
    model = {
        (e["component"]["name"], e["variable"]["name"]): e["variableAttribute"] for e in shown["v2"]["device_model"]
    }
    assert model[("SecurityCtrlr", "BasicAuthPassword")][0]["value"] == "**REDACTED**"
    assert model[("SecurityCtrlr", "OrganizationName")][0]["value"] == "ACME Energy"  # not a secret
    assert model[("OCPPCommCtrlr", "HeartbeatInterval")][0]["value"] == "300"
    assert shown["v2"]["device_events"][-1]["actual_value"] == "**REDACTED**"
    assert shown["v2"]["customer_information"] == "**REDACTED**"
    assert shown["open_transactions"][0]["id_tag"] == "**REDACTED**"
    assert shown["v2"]["modem"] == {"iccid": "**REDACTED**", "imsi": "**REDACTED**"}
    frames = [f["frame"] for f in shown["recent_frames"]]
    assert any('"TransactionEvent"' in f and '"idToken":"**REDACTED**"' in f for f in frames)
    await station.close()
    assert await hass.config_entries.async_unload(entry.entry_id)
