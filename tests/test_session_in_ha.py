"""The user's story: a 1.6J charger connects, shows up in HA, and is stopped and started from HA."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import websockets
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms.rpc.loglimit import LINES
from sim.charger16 import SimulatedChargePoint, connect

from .helpers_ha import find_device, state, until
from .helpers_remote import both_backends, ocpp_url


async def charger_for(entry: MockConfigEntry, cp_id: str, connectors: int = 1) -> tuple[SimulatedChargePoint, Any, Any]:
    return await connect(ocpp_url(entry), cp_id, connectors)


@both_backends
async def test_whole_session(hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture) -> None:
    charger, task, ws = await charger_for(entry, "garage")
    await charger.boot(vendor="ACME", model="Wallbox 11")
    await charger.send_status(0, "Available")
    await charger.send_status(1, "Available")
    await until(hass, lambda: state(hass, "sensor.garage_status") == "available")

    device = find_device(hass, "garage")
    assert device is not None
    assert (device.manufacturer, device.model, device.sw_version, device.serial_number) == (
        "ACME",
        "Wallbox 11",
        "1.0.0",
        "SIM-garage",
    )
    assert state(hass, "switch.garage_charging") == "off"

    await charger.authorize("TAG-1")
    await charger.start_transaction(1, "TAG-1")
    await charger.send_meter_values(1, seconds=1800)
    await until(hass, lambda: state(hass, "switch.garage_charging") == "on")
    await until(hass, lambda: state(hass, "sensor.garage_power") == "11000.0")
    assert state(hass, "sensor.garage_status") == "charging"
    assert state(hass, "sensor.garage_energy_meter") == "1005.5"
    assert state(hass, "sensor.garage_session_energy") == "5.5"
    assert state(hass, "sensor.garage_current_l1") is not None
    assert state(hass, "sensor.garage_vehicle_state_of_charge") == "57.0"
    assert state(hass, "sensor.garage_offered_current") == "16.0"
    assert state(hass, "sensor.garage_transaction_id") == "1"

    # stop from HA: RemoteStopTransaction, the charger stops the session
    await hass.services.async_call("switch", "turn_off", {"entity_id": "switch.garage_charging"}, blocking=True)
    await until(hass, lambda: state(hass, "switch.garage_charging") == "off")
    await until(hass, lambda: state(hass, "sensor.garage_status") == "available")
    assert charger.remote_stops == [1]
    ended = hass.states.get("sensor.garage_session_energy")  # the last session's, until the next starts
    assert ended is not None and (ended.state, ended.attributes["session_running"]) == ("5.5", False)
    assert state(hass, "sensor.garage_power") == "0.0"  # no final 0 W reading came
    assert state(hass, "sensor.garage_current_l1") == "0.0"

    # start from HA with the default tag
    await hass.services.async_call("switch", "turn_on", {"entity_id": "switch.garage_charging"}, blocking=True)
    await until(hass, lambda: state(hass, "switch.garage_charging") == "on")
    assert charger.remote_starts == [{"id_tag": "HomeAssistant", "connector_id": 1}]
    await until(hass, lambda: state(hass, "sensor.garage_status") == "charging")
    started = hass.states.get("sensor.garage_session_energy")  # the new session's, counted from 0
    assert started is not None and (started.state, started.attributes["session_running"]) == ("0.0", True)
    # a new count: statistics must not read the drop from 5.5 to 0 as energy going back
    assert started.attributes["last_reset"] != ended.attributes["last_reset"]

    # the charger goes offline: entities unavailable; commands fail with a translated error
    await ws.close()
    task.cancel()
    await until(hass, lambda: state(hass, "sensor.garage_status") == STATE_UNAVAILABLE)
    assert state(hass, "switch.garage_charging") == STATE_UNAVAILABLE

    # back online: values come back without any reload
    charger, task, ws = await charger_for(entry, "garage")
    await charger.boot()
    await until(hass, lambda: state(hass, "sensor.garage_status") == "charging")
    # logged once each way, not once per entity
    assert caplog.text.count("Charger garage is offline") == 1
    assert caplog.text.count("Charger garage is online") == 2
    await ws.close()
    task.cancel()


@both_backends
async def test_a_charger_reconnecting_in_a_loop_is_a_few_lines_a_minute(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    central = entry.runtime_data.central
    for _ in range(LINES + 10):
        ws = await websockets.connect(f"{ocpp_url(entry)}/bouncer", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
        await until(hass, lambda: central.is_connected("bouncer"))
        await ws.close()
        await until(hass, lambda: not central.is_connected("bouncer"))
    # online and offline are one kind of line: LINES of them, not 2 x 20
    assert caplog.text.count("Charger bouncer is o") == LINES


@both_backends
async def test_rejected_start_is_a_translated_error(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    charger, task, ws = await charger_for(entry, "busy")
    await charger.boot()
    await charger.send_status(1, "Available")
    await until(hass, lambda: state(hass, "switch.busy_charging") == "off")
    charger.sim.connectors[1].transaction_id = 7  # the simulator refuses a second session
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("switch", "turn_on", {"entity_id": "switch.busy_charging"}, blocking=True)
    assert err.value.translation_key == "charger_rejected"
    assert err.value.translation_placeholders == {"charger": "busy", "status": "Rejected"}
    await ws.close()
    task.cancel()


@both_backends
async def test_multi_connector_devices_appear_live(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    charger, task, ws = await charger_for(entry, "duo", connectors=2)
    await charger.boot()
    await charger.send_status(1, "Available")
    await until(hass, lambda: state(hass, "sensor.duo_status") == "available")
    await charger.send_status(2, "Charging")
    await until(hass, lambda: find_device(hass, "duo:2") is not None)
    connector_1 = find_device(hass, "duo:1")
    assert connector_1 is not None and connector_1.name == "duo:1"
    registry = er.async_get(hass)
    moved = registry.async_get("sensor.duo_status")
    assert moved is not None and moved.device_id == connector_1.id
    await until(hass, lambda: state(hass, "sensor.duo_2_status") == "charging")
    assert entry.runtime_data.central.is_connected("duo")  # never dropped
    await ws.close()
    task.cancel()


async def test_unload_closes_every_socket(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    charger, task, ws = await charger_for(entry, "bye")
    await charger.boot()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await asyncio.wait_for(ws.wait_closed(), 5)
    with pytest.raises(OSError):
        await charger_for(entry, "again")
    task.cancel()


async def test_open_session_survives_ha_restart(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    charger, task, ws = await charger_for(entry, "restart")
    await charger.boot()
    tx_id = await charger.start_transaction(1, "TAG")
    await until(hass, lambda: state(hass, "switch.restart_charging") == "on")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    # the charger reconnects to the new server; the session goes on and its stop matches
    charger, task2, ws2 = await charger_for(entry, "restart")
    await charger.boot()
    charger.sim.connectors[1].transaction_id = tx_id
    charger.sim.connectors[1].energy_wh += 2000
    charger.sim.connectors[1].power_w = 0
    await until(hass, lambda: state(hass, "switch.restart_charging") == "on")
    events: list[Any] = []
    entry.runtime_data.central.events.subscribe(events.append)
    await charger.stop_transaction(1)
    ended = [e for e in events if e.type == "transaction_ended"]
    assert ended and ended[0].data["known"] and ended[0].data["energy_wh"] == 2000
    for handle in (ws, ws2):
        await handle.close()
    task.cancel()
    task2.cancel()


async def test_ha_shutdown_closes_chargers_cleanly(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    from homeassistant.const import EVENT_HOMEASSISTANT_STOP

    charger, task, ws = await charger_for(entry, "shutdown")
    await charger.boot()
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == 1001  # going away: the charger reconnects to the next HA
    task.cancel()


async def test_store_written_while_meter_values_keep_coming(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Frequent meter values must not postpone the debounced write forever."""
    from datetime import timedelta

    from homeassistant.util import dt as dt_util
    from pytest_homeassistant_custom_component.common import async_fire_time_changed

    key = f"{DOMAIN}.{entry.entry_id}"
    charger, task, ws = await charger_for(entry, "store")
    await charger.boot()
    await charger.start_transaction(1, "TAG")
    assert hass_storage[key]["data"]["stations"]["store"]["open_transactions"][0]["meter_last_wh"] == 1_000_000
    for second in range(1, 25):
        await charger.send_meter_values(1, seconds=3600)
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=second))
        await hass.async_block_till_done()
    saved = hass_storage[key]["data"]["stations"]["store"]["open_transactions"][0]["meter_last_wh"]
    assert saved > 1_000_000
    await ws.close()
    task.cancel()
