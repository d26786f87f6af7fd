"""OCPP 2.0.1 and 2.1 stations in Home Assistant: EVSE devices, the entities 1.6 chargers have (mapped
per version) and the 2.x ones, a whole session from Home Assistant, buttons and availability switches,
a restart of the integration in the middle of a session, and a snapshot of every entity."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.coordinator import signal_update
from custom_components.ocpp_core.csms import Event, EventType
from sim.charger16 import connect as connect16
from sim.charger201 import Station as Station201

from .helpers_ha import SameOnBothBackends, assert_entities_match, boot_station, find_device, state, until
from .helpers_remote import both_backends, ocpp_url

VERSIONS = ["2.0.1", "2.1"]
Boot = Callable[..., Awaitable[Station201]]


@pytest.fixture
def entry_args() -> dict[str, Any]:
    """A fixed entry id: it is part of every unique id in the snapshots."""
    return {"entry_id": "snapshot-entry"}


@pytest.fixture
async def boot(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[Boot]:
    """Boot simulated 2.x stations (each closed after the test)."""
    opened: list[Station201] = []

    async def boot_(cp_id: str, version: str = "2.0.1", evses: int | dict[int, int] = 1) -> Station201:
        station = await boot_station(hass, entry.runtime_data.central, cp_id, version, evses, ocpp_url(entry))
        opened.append(station)
        return station

    yield boot_
    for station in opened:
        async with asyncio.timeout(5):
            await station.settle()
        await station.close()


def received(station: Station201, action: str) -> list[dict[str, Any]]:
    return [payload for name, payload in station.requests if name == action]


def registry_entity(hass: HomeAssistant, domain: str, unique_id: str) -> er.RegistryEntry | None:
    """The entity whose unique id is "<entry id>_" + `unique_id`, in any entry."""
    registry = er.async_get(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        entity_id = registry.async_get_entity_id(domain, DOMAIN, f"{entry.entry_id}_{unique_id}")
        if entity_id:
            return registry.async_get(entity_id)
    return None


def device_of(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry | None:
    return find_device(hass, identifier)


# ---- devices and which entities ---------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@both_backends
async def test_a_one_evse_station_is_one_device(hass: HomeAssistant, boot: Boot, version: str) -> None:
    await boot("wb", version)
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available")
    station_device = device_of(hass, "wb")
    assert station_device is not None
    assert (station_device.manufacturer, station_device.model, station_device.sw_version) == (
        "OCPP Core",
        "Simulator 201",
        "2.0.0",
    )
    assert device_of(hass, "wb:1") is None  # the EVSE's entities are the station's
    await until(hass, lambda: state(hass, "sensor.wb_charging_state") == "idle")
    assert state(hass, "sensor.wb_ocpp_version") == f"ocpp{version}"
    assert state(hass, "sensor.wb_charging_limited_by") == "none"
    assert state(hass, "sensor.wb_energy_requested_by_vehicle") == "unknown"
    assert state(hass, "sensor.wb_vehicle_departure") == "unknown"
    assert state(hass, "switch.wb_charging") == "off"
    assert state(hass, "switch.wb_available") == "on"
    assert state(hass, "switch.wb_charger_available") == "on"
    assert registry_entity(hass, "sensor", "wb_1_charging_state") is not None
    # what only a 1.6 charger reports: not created at all
    for unique_id in ("wb_0_station_status", "wb_0_error_code", "wb_0_vendor_error_code", "wb_1_error_code"):
        assert registry_entity(hass, "sensor", unique_id) is None, unique_id


@pytest.mark.parametrize("version", VERSIONS)
@both_backends
async def test_a_two_evse_station_has_evse_devices(hass: HomeAssistant, boot: Boot, version: str) -> None:
    await boot("duo", version, evses=2)
    station_device = device_of(hass, "duo")
    await until(hass, lambda: device_of(hass, "duo:2") is not None)
    for evse_id in (1, 2):
        evse = device_of(hass, f"duo:{evse_id}")
        assert evse is not None and station_device is not None
        assert (evse.name, evse.via_device_id) == (f"duo:{evse_id}", station_device.id)
        for domain, key in (("sensor", "status"), ("sensor", "charging_state"), ("switch", "charge")):
            found = registry_entity(hass, domain, f"duo_{evse_id}_{key}")
            assert found is not None and found.device_id == evse.id, (evse_id, key)
    assert station_device is not None
    for domain, unique_id in (
        ("button", "duo_0_reset"),
        ("switch", "duo_0_availability"),
        ("sensor", "duo_0_ocpp_version"),
    ):
        found = registry_entity(hass, domain, unique_id)
        assert found is not None and found.device_id == station_device.id, unique_id
    assert find_device(hass, "duo:3") is None


@both_backends
async def test_a_16_charger_gets_no_2x_sensors(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    charger, task, ws = await connect16(ocpp_url(entry), "old")
    await charger.boot()
    await charger.send_status(1, "Available")
    await until(hass, lambda: state(hass, "sensor.old_status") == "available")
    for key in ("charging_state", "ev_requested_energy", "ev_departure_time", "limit_source"):
        assert registry_entity(hass, "sensor", f"old_1_{key}") is None, key
    assert registry_entity(hass, "sensor", "old_0_station_status") is not None
    await ws.close()
    task.cancel()


@both_backends
async def test_every_2x_status_and_the_reservation(hass: HomeAssistant, entry: MockConfigEntry, boot: Boot) -> None:
    station = await boot("wb")
    # the status reads as for 1.6: Occupied without a session is a plugged-in car, preparing
    shown = {"Occupied": "preparing", "Reserved": "reserved", "Unavailable": "unavailable", "Faulted": "faulted"}
    for status in ("Occupied", "Reserved", "Unavailable", "Faulted", "Available"):
        await station.send_status(1, 1, status)
        expected = shown.get(status, "available")
        await until(hass, lambda expected=expected: state(hass, "sensor.wb_status") == expected)
    expiry = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    await hass.services.async_call(
        DOMAIN,
        "reserve_now",
        {"device_id": device_of(hass, "wb").id, "id_tag": "GUEST", "expiry_date": expiry.isoformat()},  # type: ignore[union-attr]
        blocking=True,
    )
    await until(hass, lambda: state(hass, "sensor.wb_reserved_until") == expiry.isoformat())
    await until(hass, lambda: state(hass, "sensor.wb_status") == "reserved")


# ---- a session from Home Assistant --------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@both_backends
async def test_a_session_from_home_assistant(
    hass: HomeAssistant, entry: MockConfigEntry, boot: Boot, version: str
) -> None:
    station = await boot("wb", version)
    await until(hass, lambda: state(hass, "switch.wb_charging") == "off")

    await hass.services.async_call("switch", "turn_on", {"entity_id": "switch.wb_charging"}, blocking=True)
    start = received(station, "RequestStartTransaction")
    assert start == [
        {
            "idToken": {"idToken": "HomeAssistant", "type": "Central"},
            "remoteStartId": start[0]["remoteStartId"],
            "evseId": 1,
        }
    ]
    await until(hass, lambda: state(hass, "switch.wb_charging") == "on")
    await until(hass, lambda: state(hass, "sensor.wb_charging_state") == "charging")
    assert state(hass, "sensor.wb_status") == "charging"  # not 2.x's "occupied": the same as for 1.6
    assert state(hass, "sensor.wb_session_tag") == "HomeAssistant"
    tx = entry.runtime_data.central.stations["wb"].connectors[1].transaction
    assert tx is not None and state(hass, "sensor.wb_transaction_id") == tx.transaction_id

    await station.update_transaction(1, seconds=1800)
    await until(hass, lambda: state(hass, "sensor.wb_session_energy") == "5.5")
    assert state(hass, "sensor.wb_power") == "11000.0"
    assert state(hass, "sensor.wb_energy_meter") == "1005.5"
    assert state(hass, "sensor.wb_vehicle_state_of_charge") == "57.0"
    await station.update_transaction(1, seconds=0, trigger_reason="ChargingStateChanged", charging_state="SuspendedEV")
    await until(hass, lambda: state(hass, "sensor.wb_charging_state") == "suspended_ev")
    assert state(hass, "sensor.wb_status") == "suspended_ev"

    departure = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    await station.notify_ev_charging_needs(1, 30_000, departure.isoformat().replace("+00:00", "Z"))
    await until(hass, lambda: state(hass, "sensor.wb_energy_requested_by_vehicle") == "30.0")
    assert state(hass, "sensor.wb_vehicle_departure") == departure.isoformat()

    await station.notify_charging_limit("EMS", evse_id=1)
    await until(hass, lambda: state(hass, "sensor.wb_charging_limited_by") == "ems")
    await station.cleared_charging_limit("EMS", evse_id=1)
    await until(hass, lambda: state(hass, "sensor.wb_charging_limited_by") == "none")
    await station.notify_charging_limit("SO")  # the whole station: its EVSE is limited by it too
    await until(hass, lambda: state(hass, "sensor.wb_charging_limited_by") == "so")
    await station.cleared_charging_limit("SO")
    await until(hass, lambda: state(hass, "sensor.wb_charging_limited_by") == "none")

    await hass.services.async_call("switch", "turn_off", {"entity_id": "switch.wb_charging"}, blocking=True)
    assert received(station, "RequestStopTransaction") == [{"transactionId": tx.transaction_id}]
    await until(hass, lambda: state(hass, "switch.wb_charging") == "off")
    await until(hass, lambda: state(hass, "sensor.wb_charging_state") == "idle")
    assert state(hass, "sensor.wb_status") == "available"
    # the last session's energy, tag and length stay until the next one starts
    ended = hass.states.get("sensor.wb_session_energy")
    assert ended is not None and (ended.state, ended.attributes["session_running"]) == ("5.5", False)
    assert state(hass, "sensor.wb_session_tag") == "HomeAssistant"
    assert state(hass, "sensor.wb_power") == "0.0"
    embedded = entry.runtime_data.embedded
    if embedded is not None:
        done = embedded.transactions("wb")[0]
    else:  # the add-on's own session history
        done = (await entry.runtime_data.central.client.transactions("wb"))[0]
    assert (done["transaction_id"], done["energy_wh"], done["stop_reason"]) == (tx.transaction_id, 5500.0, "Remote")


@both_backends
async def test_one_signal_per_message(hass: HomeAssistant, entry: MockConfigEntry, boot: Boot) -> None:
    """A TransactionEvent brings readings, a new charging state and the update itself: its EVSE's entities
    are woken once, and those whose value stayed write nothing."""
    station = await boot("wb")
    await station.start_transaction(1, "TAG")
    await until(hass, lambda: state(hass, "sensor.wb_charging_state") == "charging")
    woken: list[int] = []
    async_dispatcher_connect(hass, signal_update(entry.entry_id, "wb", 1), lambda: woken.append(1))
    tag_before = hass.states.get("sensor.wb_session_tag")
    assert tag_before is not None
    reported_before = tag_before.last_reported
    await station.update_transaction(
        1, seconds=60, trigger_reason="ChargingStateChanged", charging_state="SuspendedEVSE"
    )
    await until(hass, lambda: state(hass, "sensor.wb_charging_state") == "suspended_evse")
    await hass.async_block_till_done()
    assert woken == [1]
    tag_after = hass.states.get("sensor.wb_session_tag")
    assert tag_after is not None and tag_after.last_reported == reported_before


# ---- buttons and availability switches ----------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@both_backends
async def test_buttons_and_availability_switches(
    hass: HomeAssistant, entry: MockConfigEntry, boot: Boot, version: str
) -> None:
    station = await boot("wb", version, evses={1: 2})  # one EVSE with two connectors
    await until(hass, lambda: state(hass, "switch.wb_available") == "on")

    await hass.services.async_call("button", "press", {"entity_id": "button.wb_unlock"}, blocking=True)
    assert received(station, "UnlockConnector") == [{"evseId": 1, "connectorId": 1}]
    await station.send_status(1, 2, "Occupied")  # a cable in the second connector: that one is unlocked
    await until(
        hass, lambda: entry.runtime_data.central.stations["wb"].connectors[1].connector_statuses[2] == "Occupied"
    )
    await hass.services.async_call("button", "press", {"entity_id": "button.wb_unlock"}, blocking=True)
    assert received(station, "UnlockConnector")[-1] == {"evseId": 1, "connectorId": 2}
    await station.start_transaction(1, "TAG", connector_id=2)
    with pytest.raises(HomeAssistantError) as err:  # a running session keeps its cable
        await hass.services.async_call("button", "press", {"entity_id": "button.wb_unlock"}, blocking=True)
    assert err.value.translation_key == "charger_rejected"
    assert err.value.translation_placeholders == {"charger": "wb", "status": "OngoingAuthorizedTransaction"}
    await station.stop_transaction(1)

    await hass.services.async_call("switch", "turn_off", {"entity_id": "switch.wb_available"}, blocking=True)
    assert received(station, "ChangeAvailability") == [{"operationalStatus": "Inoperative", "evse": {"id": 1}}]
    await until(hass, lambda: state(hass, "switch.wb_available") == "off")  # from the station's StatusNotifications
    await until(hass, lambda: state(hass, "switch.wb_charger_available") == "off")  # its only EVSE is
    await hass.services.async_call("switch", "turn_on", {"entity_id": "switch.wb_charger_available"}, blocking=True)
    assert received(station, "ChangeAvailability")[-1] == {"operationalStatus": "Operative"}
    await until(hass, lambda: state(hass, "switch.wb_available") == "on")
    await until(hass, lambda: state(hass, "switch.wb_charger_available") == "on")

    await hass.services.async_call("button", "press", {"entity_id": "button.wb_restart"}, blocking=True)
    assert received(station, "Reset") == [{"type": "Immediate"}]
    boots = len(received(station, "GetBaseReport"))
    async with asyncio.timeout(5):
        await station.settle()  # it rebooted (RemoteReset) and came back
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available")
    assert len(received(station, "GetBaseReport")) == boots  # the inventory is read once per firmware


@both_backends
async def test_availability_of_a_two_evse_station(hass: HomeAssistant, boot: Boot) -> None:
    station = await boot("duo", evses=2)
    await until(hass, lambda: state(hass, "switch.duo_2_available") == "on")
    await hass.services.async_call("switch", "turn_off", {"entity_id": "switch.duo_2_available"}, blocking=True)
    assert received(station, "ChangeAvailability") == [{"operationalStatus": "Inoperative", "evse": {"id": 2}}]
    await until(hass, lambda: state(hass, "switch.duo_2_available") == "off")
    assert state(hass, "switch.duo_charger_available") == "on"  # the other EVSE still is
    await hass.services.async_call("switch", "turn_off", {"entity_id": "switch.duo_charger_available"}, blocking=True)
    assert received(station, "ChangeAvailability")[-1] == {"operationalStatus": "Inoperative"}
    await until(hass, lambda: state(hass, "switch.duo_charger_available") == "off")


# ---- a restart of the integration in the middle of a session ------------------------------------


async def test_a_session_goes_on_across_a_reload(hass: HomeAssistant, entry: MockConfigEntry, boot: Boot) -> None:
    station = await boot("wb")
    tx_id = await station.start_transaction(1, "TAG-R")
    await station.update_transaction(1, seconds=3600)
    await until(hass, lambda: state(hass, "sensor.wb_session_energy") == "11.0")

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert station.serve_task is not None
    async with asyncio.timeout(5):
        await asyncio.shield(station.serve_task)  # Home Assistant closed its connection
    # while Home Assistant was away the station kept charging: its events wait (offline) until it is back
    station.offline = True
    await station.update_transaction(1, seconds=1800)
    assert len(station.queued) == 1
    assert state(hass, "switch.wb_charging") == STATE_UNAVAILABLE  # until the station is back
    await station.reconnect()
    await until(hass, lambda: state(hass, "sensor.wb_session_energy") == "16.5")
    assert state(hass, "switch.wb_charging") == "on"
    assert state(hass, "sensor.wb_transaction_id") == tx_id

    events: list[Event] = []
    entry.runtime_data.central.events.subscribe(events.append)
    await station.update_transaction(1, seconds=1800)
    await station.stop_transaction(1)
    ended = [event for event in events if event.type is EventType.TRANSACTION_ENDED]
    assert [(e.data["transaction_id"], e.data["known"], e.data["energy_wh"]) for e in ended] == [
        (tx_id, True, 22_000.0)
    ]
    assert ended[0].data["offline"] is True  # some of its events came queued
    assert (ended[0].data["seq_min"], ended[0].data["seq_max"], ended[0].data.get("seq_missing")) == (0, 4, None)
    tx = entry.runtime_data.central.transactions("wb")[0]
    assert (tx["id_tag"], tx["open"], tx["energy_wh"]) == ("TAG-R", False, 22_000.0)
    await until(hass, lambda: state(hass, "switch.wb_charging") == "off")


# ---- every entity ---------------------------------------------------------------------------------


@both_backends
async def test_entities_snapshot(
    hass: HomeAssistant, backend: str, entry: MockConfigEntry, boot: Boot, snapshot: SnapshotAssertion
) -> None:
    """Every entity of a 2.0.1 station (registry entry and state): a changed unit or class shows in review.
    The same snapshot on both back ends."""
    snapshot = snapshot.use_extension(SameOnBothBackends)
    await boot("snap2")
    await until(hass, lambda: state(hass, "sensor.snap2_charging_state") == "idle")
    registry = er.async_get(hass)
    entries = sorted(er.async_entries_for_config_entry(registry, entry.entry_id), key=lambda e: e.unique_id)
    assert len(entries) > 30
    assert_entities_match(hass, entries, snapshot)
    assert state(hass, "binary_sensor.snap2_connectivity") == "on"
    assert STATE_UNAVAILABLE not in {state(hass, e.entity_id) for e in entries}
