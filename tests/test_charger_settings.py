"""Per-charger settings in the options: a form per charger, applied live (device names, meter interval),
without a reload and without dropping the charger's socket; the meter interval default; the repair issue
of a charger that refuses it; the counts shown as sensors.  The form's tests run on both back ends (remote: the
settings are the add-on's, edited over its API; its settings_changed event renames the devices)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core import async_remove_config_entry_device
from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms import ChargerSettings, Event, EventType
from sim.charger16 import SimulatedChargePoint, connect

from .helpers_ha import ACCEPT_ALL, find_device, state, until
from .helpers_remote import both_backends, ocpp_url

GENERAL = {"heartbeat_interval": 300, "default_id_tag": "HomeAssistant", "strict_validation": False}


@pytest.fixture
async def duo(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[SimulatedChargePoint]:
    """A booted two-connector 1.6 charger, its configuration read, both connectors' devices there."""
    cp, task, ws = await connect(ocpp_url(entry), "duo", 2)
    await cp.boot()
    central = entry.runtime_data.central
    await until(hass, lambda: central.stations["duo"].configuration_time is not None)
    for connector_id in (1, 2):
        await cp.send_status(connector_id, "Available")
    await until(hass, lambda: state(hass, "sensor.duo_2_status") == "available")
    yield cp
    await ws.close()
    task.cancel()


async def open_charger_form(hass: HomeAssistant, entry: MockConfigEntry, station_id: str) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert "charger" in result["menu_options"]
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "charger"})
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "charger"
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"charger": station_id})
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "charger_settings"
    return dict(result)


def changes(cp: SimulatedChargePoint) -> list[dict[str, Any]]:
    return [payload for action, payload in cp.requests if action == "ChangeConfiguration"]


def device_name(hass: HomeAssistant, identifier: str) -> tuple[str | None, str | None]:
    device = find_device(hass, identifier)
    assert device is not None, identifier
    return device.name, device.name_by_user


@both_backends
async def test_settings_apply_live_without_dropping_the_charger(
    hass: HomeAssistant, entry: MockConfigEntry, duo: SimulatedChargePoint
) -> None:
    central = entry.runtime_data.central
    events: list[Event] = []
    central.events.subscribe(events.append)
    entity_ids = sorted(e.entity_id for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id))

    form = await open_charger_form(hass, entry, "duo")
    fields = [str(key) for key in form["data_schema"].schema]
    assert fields == [
        "friendly_name", "max_current", "phases", "connector_1", "connector_2",
        "meter_interval", "push_local_list", "limit_profile",
    ]  # fmt: skip
    result = await hass.config_entries.options.async_configure(
        form["flow_id"],
        {
            "friendly_name": " Garage ",
            "max_current": 16,
            "phases": "3",
            "connector_1": "Left",
            "connector_2": "",
            "meter_interval": 30,
            "push_local_list": True,
            "limit_profile": "session",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == ACCEPT_ALL  # the settings live with the charger, not in the options
    await until(hass, lambda: changes(duo) != [] and device_name(hass, "duo:1") == ("Left", None))
    await hass.async_block_till_done()

    assert central.stations["duo"].settings == ChargerSettings(
        friendly_name="Garage",
        max_current=16.0,
        phases=3,
        connector_names={1: "Left"},
        meter_interval=30,
        push_local_list=True,
        limit_profile="session",
    )
    assert device_name(hass, "duo") == ("Garage", None)
    assert device_name(hass, "duo:1") == ("Left", None)
    assert device_name(hass, "duo:2") == ("Garage:2", None)
    assert changes(duo) == [{"key": "MeterValueSampleInterval", "value": "30"}]
    # live: same socket, no reload, entity ids as they were
    assert central.is_connected("duo") and central.stations["duo"].counters.disconnects == 0
    assert not [e for e in events if e.type in (EventType.DISCONNECTED, EventType.CONNECTED)]
    assert entry.runtime_data.central is central
    registry = er.async_get(hass)
    assert sorted(e.entity_id for e in er.async_entries_for_config_entry(registry, entry.entry_id)) == entity_ids


@both_backends
async def test_a_name_given_in_home_assistant_wins_and_emptied_settings_are_the_defaults(
    hass: HomeAssistant, entry: MockConfigEntry, duo: SimulatedChargePoint
) -> None:
    """A name the user gave the device in HA wins; the settings change only the name beneath it. The form
    suggests what is set; what is left out of it goes back to its default."""
    central = entry.runtime_data.central
    await central.records.update_settings(
        "duo",
        {
            "friendly_name": "Garage",
            "max_current": 16,
            "phases": 3,
            "connector_names": {1: "Left"},
            "meter_interval": 30,
            "push_local_list": True,
            "limit_profile": "session",
        },
    )
    await until(hass, lambda: changes(duo) != [] and device_name(hass, "duo") == ("Garage", None))

    devices = dr.async_get(hass)
    device = find_device(hass, "duo")
    assert device is not None
    devices.async_update_device(device.id, name_by_user="My wallbox")
    form = await open_charger_form(hass, entry, "duo")
    suggested = {str(key): (key.description or {}).get("suggested_value") for key in form["data_schema"].schema}
    assert suggested["friendly_name"] == "Garage" and suggested["connector_1"] == "Left"
    assert suggested["connector_2"] is None and suggested["meter_interval"] == 30
    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {"friendly_name": "Carport", "push_local_list": True, "limit_profile": "session"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await until(hass, lambda: device_name(hass, "duo") == ("Carport", "My wallbox"))
    assert device_name(hass, "duo:1") == ("Carport:1", None)  # its name was emptied: the default
    settings = central.stations["duo"].settings
    assert (settings.max_current, settings.phases, settings.meter_interval, settings.connector_names) == (
        None,
        None,
        None,
        {},
    )
    assert central.is_connected("duo")


@both_backends
async def test_names_survive_a_restart(hass: HomeAssistant, entry: MockConfigEntry, duo: SimulatedChargePoint) -> None:
    await entry.runtime_data.central.records.update_settings(
        "duo", {"friendly_name": "Garage", "connector_names": {2: "Right"}}
    )
    await until(hass, lambda: device_name(hass, "duo:2") == ("Right", None))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    # the entities (re)registered from the stored settings keep the names
    assert device_name(hass, "duo") == ("Garage", None)
    assert device_name(hass, "duo:2") == ("Right", None)
    assert entry.runtime_data.central.stations["duo"].settings.connector_names == {2: "Right"}


@both_backends
async def test_bad_value_is_a_form_error_and_changes_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, duo: SimulatedChargePoint
) -> None:
    form = await open_charger_form(hass, entry, "duo")
    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {"max_current": 0, "push_local_list": False, "limit_profile": "default"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_settings"}
    assert "max_current" in result["description_placeholders"]["error"]
    assert entry.runtime_data.central.stations["duo"].settings == ChargerSettings()
    # the form keeps what was typed
    shown = {str(key): (key.description or {}).get("suggested_value") for key in result["data_schema"].schema}
    assert shown["max_current"] == 0


async def test_charger_step_aborts_without_chargers_or_central_system(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "charger"})
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "no_chargers"
    # a charger waiting for approval is not offered
    entry.runtime_data.central.state.store.station("waiting").registration_status = "Pending"
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "charger"})
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "no_chargers"
    assert await hass.config_entries.async_unload(entry.entry_id)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "charger"})
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "central_system_not_loaded"


async def test_charger_forgotten_while_the_form_is_open(
    hass: HomeAssistant, entry: MockConfigEntry, duo: SimulatedChargePoint
) -> None:
    form = await open_charger_form(hass, entry, "duo")
    entry.runtime_data.central.stations["duo"].registration_status = "Rejected"
    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {"push_local_list": False, "limit_profile": "default"}
    )
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "charger_gone"


async def test_meter_interval_default_and_a_refusal_as_repair_issue(
    hass: HomeAssistant, entry: MockConfigEntry, duo: SimulatedChargePoint
) -> None:
    central = entry.runtime_data.central
    issues = ir.async_get(hass)
    issue_id = f"configuration_rejected_{entry.entry_id}_duo"

    # the default, from the general step, reaches the connected charger at once
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "general"})
    result = await hass.config_entries.options.async_configure(result["flow_id"], {**GENERAL, "meter_interval": 20})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["meter_interval"] == 20
    assert await central.meter_intervals.wait("duo") == "Accepted"
    assert changes(duo) == [{"key": "MeterValueSampleInterval", "value": "20"}]

    # the charger refuses its own setting: a repair issue quoting the answer
    duo.sim.configuration["MeterValueSampleInterval"].readonly = True
    await central.update_settings("duo", {"friendly_name": "Garage", "meter_interval": 10})
    assert await central.meter_intervals.wait("duo") == "Rejected"
    await hass.async_block_till_done()
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None and issue.translation_key == "configuration_rejected"
    assert issue.translation_placeholders == {
        "charger": "Garage",
        "key": "MeterValueSampleInterval",
        "value": "10",
        "status": "Rejected",
    }
    # a later change accepted: the issue goes
    duo.sim.configuration["MeterValueSampleInterval"].readonly = False
    await central.update_settings("duo", {"meter_interval": 15})
    assert await central.meter_intervals.wait("duo") == "Accepted"
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None

    # the user clears the refused setting: the issue goes; the default is then refused: it is back
    duo.sim.configuration["MeterValueSampleInterval"].readonly = True
    await central.update_settings("duo", {"meter_interval": 12})
    assert await central.meter_intervals.wait("duo") == "Rejected"
    await central.update_settings("duo", {"meter_interval": None})
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert await central.meter_intervals.wait("duo") == "Rejected"
    await hass.async_block_till_done()
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None and issue.translation_placeholders["value"] == "20"

    # emptied in the general step: no default any more, its refusal no longer stands
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "general"})
    result = await hass.config_entries.options.async_configure(result["flow_id"], GENERAL)
    await hass.async_block_till_done()
    assert entry.options["meter_interval"] is None
    assert central.meter_intervals.default is None
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert changes(duo)[-1] == {"key": "MeterValueSampleInterval", "value": "20"}  # nothing written since


async def test_removing_the_device_clears_its_issues(
    hass: HomeAssistant, entry: MockConfigEntry, duo: SimulatedChargePoint
) -> None:
    central = entry.runtime_data.central
    duo.sim.configuration.pop("MeterValueSampleInterval")
    await central.update_settings("duo", {"meter_interval": 10})
    assert await central.meter_intervals.wait("duo") == "NotSupported"
    # a refused limit on its second connector, and another charger's ("duo_2", whose id starts the same)
    for station_id, evse_id in (("duo", 2), ("duo_2", 0)):
        refused = {"evse_id": evse_id, "status": "rejected", "amps": 6, "answer": {"status": "Rejected"}}
        central.events.emit(Event(EventType.LIMIT, station_id, evse_id, refused))
    await hass.async_block_till_done()
    issue_id = f"configuration_rejected_{entry.entry_id}_duo"
    limit_issue = f"limit_rejected_{entry.entry_id}_duo_2"
    other_charger = f"limit_rejected_{entry.entry_id}_duo_2_0"
    for issue in (issue_id, limit_issue, other_charger):
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue) is not None
    device = find_device(hass, "duo")
    assert device is not None
    with pytest.raises(HomeAssistantError) as refused:  # connected: refused (said why), issue kept
        await async_remove_config_entry_device(hass, entry, device)
    assert refused.value.translation_key == "forget_connected"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await duo._connection.close()  # the charger goes offline
    await until(hass, lambda: not central.is_connected("duo"))
    assert await async_remove_config_entry_device(hass, entry, device)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert ir.async_get(hass).async_get_issue(DOMAIN, limit_issue) is None
    assert ir.async_get(hass).async_get_issue(DOMAIN, other_charger) is not None  # not this charger's


@both_backends
async def test_counts_and_the_last_stop_reason_outlive_a_restart(
    hass: HomeAssistant, backend: str, entry: MockConfigEntry
) -> None:
    """Remote: the session count comes with the session's end (the stream's connector event carries it)."""
    url = ocpp_url(entry)
    cp, task, ws = await connect(url, "solo")
    await cp.boot()
    await cp.send_status(1, "Available")
    await until(hass, lambda: state(hass, "sensor.solo_status") == "available")
    assert state(hass, "sensor.solo_sessions") == "0"
    assert state(hass, "sensor.solo_boots") == "1"
    registry = er.async_get(hass)
    for noisy in ("sensor.solo_connection_losses", "sensor.solo_connectors"):
        registered = registry.async_get(noisy)
        assert registered is not None and registered.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    for _ in range(2):
        await cp.start_transaction(1, "TAG")
        await cp.stop_transaction(1, reason="EVDisconnected")
    await until(hass, lambda: state(hass, "sensor.solo_sessions") == "2")
    assert state(hass, "sensor.solo_last_stop_reason") == "EVDisconnected"
    await ws.close()
    task.cancel()

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    cp, task, ws = await connect(url, "solo")
    await cp.boot()
    await until(hass, lambda: state(hass, "sensor.solo_boots") == "2")
    assert state(hass, "sensor.solo_sessions") == "2"
    assert state(hass, "sensor.solo_last_stop_reason") == "EVDisconnected"
    assert (
        entry.runtime_data.central.stations["solo"].counters.disconnects == 1
    )  # closed before the reload, counted once
    await ws.close()
    task.cancel()
