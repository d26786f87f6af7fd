"""OCPP 1.6 chargers in Home Assistant: the control and diagnostic entities of issue 3 (buttons,
availability switches, status sensors) and a snapshot of every entity, platform by platform."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.ocpp_core import PLATFORMS
from custom_components.ocpp_core.const import DOMAIN
from sim.charger16 import SimulatedChargePoint, connect

from .helpers_ha import SameOnBothBackends, assert_entities_match, find_device, state, until
from .helpers_remote import both_backends, ocpp_url


@pytest.fixture
def entry_args() -> dict[str, Any]:
    """A fixed entry id: it is part of every unique id in the snapshots."""
    return {"entry_id": "snapshot-entry"}


@pytest.fixture
async def charger(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[SimulatedChargePoint]:
    cp, task, ws = await connect(ocpp_url(entry), "wb")
    await cp.boot()
    await cp.send_status(0, "Available")
    await cp.send_status(1, "Available")
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available")
    yield cp
    async with asyncio.timeout(5):
        await cp.settle()
    await ws.close()
    task.cancel()


def received(cp: SimulatedChargePoint, action: str) -> list[dict[str, Any]]:
    return [payload for name, payload in cp.requests if name == action]


@both_backends
async def test_reset_button(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    await hass.services.async_call("button", "press", {"entity_id": "button.wb_restart"}, blocking=True)
    assert received(charger, "Reset") == [{"type": "Soft"}]


@both_backends
async def test_unlock_button_and_its_refusal(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    await hass.services.async_call("button", "press", {"entity_id": "button.wb_unlock"}, blocking=True)
    assert received(charger, "UnlockConnector") == [{"connectorId": 1}]
    charger.sim.connectors.pop(1)  # the simulator now answers NotSupported
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("button", "press", {"entity_id": "button.wb_unlock"}, blocking=True)
    assert err.value.translation_key == "charger_rejected"


@both_backends
async def test_availability_switches(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    assert state(hass, "switch.wb_available") == "on"
    assert state(hass, "switch.wb_charger_available") == "on"
    await hass.services.async_call("switch", "turn_off", {"entity_id": "switch.wb_available"}, blocking=True)
    assert received(charger, "ChangeAvailability") == [{"connectorId": 1, "type": "Inoperative"}]
    await until(hass, lambda: state(hass, "switch.wb_available") == "off")  # from the charger's StatusNotification
    await hass.services.async_call("switch", "turn_on", {"entity_id": "switch.wb_charger_available"}, blocking=True)
    assert received(charger, "ChangeAvailability")[-1] == {"connectorId": 0, "type": "Operative"}
    await until(hass, lambda: state(hass, "switch.wb_available") == "on")


@both_backends
async def test_availability_scheduled_during_a_session_is_no_error(
    hass: HomeAssistant, charger: SimulatedChargePoint
) -> None:
    await charger.start_transaction(1, "TAG")
    await hass.services.async_call("switch", "turn_off", {"entity_id": "switch.wb_available"}, blocking=True)
    assert received(charger, "ChangeAvailability") == [{"connectorId": 1, "type": "Inoperative"}]


@both_backends
async def test_firmware_and_security_sensors(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    assert state(hass, "sensor.wb_firmware_status") == "unknown"
    await hass.services.async_call(
        DOMAIN,
        "update_firmware",
        {"device_id": _device_id(hass), "location": "https://example.invalid/fw.bin"},
        blocking=True,
    )
    await until(hass, lambda: state(hass, "sensor.wb_firmware_status") == "Installed")
    await charger.send_security_event("FirmwareUpdated", "from the test")
    await until(hass, lambda: state(hass, "sensor.wb_last_security_event") == "FirmwareUpdated")


@both_backends
async def test_reservation_sensor(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    assert state(hass, "sensor.wb_reserved_until") == "unknown"
    expiry = (dt_util.utcnow() + timedelta(hours=1)).replace(microsecond=0)
    await hass.services.async_call(
        DOMAIN,
        "reserve_now",
        {"device_id": _device_id(hass), "id_tag": "GUEST", "expiry_date": expiry.isoformat()},
        blocking=True,
    )
    await until(hass, lambda: state(hass, "sensor.wb_reserved_until") == expiry.isoformat())
    await until(hass, lambda: state(hass, "sensor.wb_status") == "reserved")


def _device_id(hass: HomeAssistant) -> str:

    device = find_device(hass, "wb")
    assert device is not None
    return device.id


@both_backends
async def test_connectivity_session_and_error_sensors(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    assert state(hass, "binary_sensor.wb_connectivity") == "on"
    assert state(hass, "sensor.wb_ocpp_version") == "ocpp1.6"
    assert state(hass, "sensor.wb_error") == "none"
    await charger.start_transaction(1, "TAG-7")
    await until(hass, lambda: state(hass, "sensor.wb_session_tag") == "TAG-7")
    assert state(hass, "sensor.wb_last_stop_reason") == "unknown"
    started = dt_util.parse_datetime(state(hass, "sensor.wb_session_start") or "")
    assert started is not None and abs((dt_util.utcnow() - started).total_seconds()) < 60.0
    assert state(hass, "sensor.wb_session_duration") is None  # off by default: a write a minute
    await charger.stop_transaction(1, reason="EVDisconnected")
    await until(hass, lambda: state(hass, "sensor.wb_last_stop_reason") == "EVDisconnected")
    await charger.send_status(1, "Faulted", error_code="OverCurrentFailure")
    await until(hass, lambda: state(hass, "sensor.wb_connector_error") == "OverCurrentFailure")
    await charger._connection.close()  # the charger is gone
    await until(hass, lambda: state(hass, "binary_sensor.wb_connectivity") == "off")
    assert state(hass, "sensor.wb_status") == "unavailable"


@both_backends
async def test_a_meter_value_writes_only_what_changed(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    await charger.start_transaction(1, "TAG")
    await charger.send_meter_values(1, seconds=60)
    await until(hass, lambda: state(hass, "sensor.wb_power") == "11000.0")
    status_before = hass.states.get("sensor.wb_status")
    energy_before = hass.states.get("sensor.wb_energy_meter")
    assert status_before is not None and energy_before is not None
    reported_before = status_before.last_reported  # a value: the State object itself is updated in place
    await charger.send_meter_values(1, seconds=60)  # energy moves on, status does not
    await until(hass, lambda: state(hass, "sensor.wb_energy_meter") != energy_before.state)
    status_after = hass.states.get("sensor.wb_status")
    assert status_after is not None
    assert status_after.last_reported == reported_before  # not even re-reported


# ---- every entity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
# remote: one connector (with two, whether the first connector's entities get their ids before the second
# appears depends on when the add-on's configuration read shows it: test_multi_connector_devices_appear_live)
@pytest.mark.parametrize(("backend", "connectors"), [("embedded", 1), ("embedded", 2), ("remote", 1)])
async def test_entities_snapshot(
    hass: HomeAssistant,
    backend: str,
    entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
    connectors: int,
    platform: Platform,
) -> None:
    """Every entity of one platform of an idle 1.6 charger (registry entry, state and device), with one
    connector (its entities are the charger's) and with two (a device each; the first connector's entities
    keep the ids they got before the second appeared): a changed unit, class or device shows in review.
    The same snapshot on both back ends: the add-on's central system gives every entity the same."""
    snapshot = snapshot.use_extension(SameOnBothBackends)
    cp, task, ws = await connect(ocpp_url(entry), "snap", connectors)
    try:
        await cp.boot()
        for connector_id in range(connectors + 1):
            await cp.send_status(connector_id, "Available")
        status = "sensor.snap_status" if connectors == 1 else "sensor.snap_2_status"
        await until(hass, lambda: state(hass, status) == "available")
        registry = er.async_get(hass)
        entries = sorted(
            (e for e in er.async_entries_for_config_entry(registry, entry.entry_id) if e.domain == platform),
            key=lambda e: e.unique_id,
        )
        assert entries, f"no {platform} entity"
        devices = dr.async_get(hass)
        device_names = {e.entity_id: getattr(devices.async_get(e.device_id or ""), "name", None) for e in entries}
        assert device_names == snapshot(name="devices")  # which device each entity is on
        assert_entities_match(hass, entries, snapshot)
        assert STATE_UNAVAILABLE not in {state(hass, e.entity_id) for e in entries}
    finally:
        await ws.close()
        task.cancel()
