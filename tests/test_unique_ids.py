"""Unique ids and device identifiers are scoped by the config entry (one per port), and version 1's migrate.

The same charger id on two central systems used to collide (the second one's entities were
refused as duplicates); an install from before keeps its entity ids, names and history.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from sim.charger16 import SimulatedChargePoint, connect

from .helpers_ha import ACCEPT_ALL, add_entry, free_port, state, until


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None) -> None:
    """Load our integration from custom_components."""


@contextlib.asynccontextmanager
async def online(entry: MockConfigEntry, cp_id: str, connectors: int = 1) -> AsyncIterator[SimulatedChargePoint]:
    """A simulated 1.6 charger connected to the entry's port and booted; closed after."""
    charger, task, ws = await connect(f"ws://127.0.0.1:{entry.data[CONF_PORT]}", cp_id, connectors)
    try:
        await charger.boot()
        for connector_id in range(connectors + 1):
            await charger.send_status(connector_id, "Available")
        yield charger
    finally:
        await ws.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _old_entry(hass: HomeAssistant, entry_id: str) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=1,
        entry_id=entry_id,
        title="OCPP",
        data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()},
        options=dict(ACCEPT_ALL),
    )
    entry.add_to_hass(hass)
    return entry


async def test_version_1_ids_migrate_and_keep_their_entity_ids(hass: HomeAssistant) -> None:
    entry = _old_entry(hass, "old-entry")
    devices, entities = dr.async_get(hass), er.async_get(hass)
    # what version 1 registered for a two-connector charger "duo" (the user renamed one entity)
    station = devices.async_get_or_create(config_entry_id=entry.entry_id, identifiers={(DOMAIN, "duo")}, name="duo")
    connector = devices.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "duo:1")}, name="duo:1", via_device=(DOMAIN, "duo")
    )
    status = entities.async_get_or_create(
        "sensor", DOMAIN, "duo_1_status", config_entry=entry, device_id=connector.id, suggested_object_id="garage_left"
    )
    entities.async_update_entity(status.entity_id, name="Left bay")
    sessions = entities.async_get_or_create(
        "sensor", DOMAIN, "duo_0_sessions", config_entry=entry, device_id=station.id, suggested_object_id="duo_sessions"
    )

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.version == 2

    migrated = entities.async_get(status.entity_id)
    assert migrated is not None
    assert (migrated.entity_id, migrated.unique_id, migrated.name) == (
        "sensor.garage_left",
        "old-entry_duo_1_status",
        "Left bay",
    )
    assert entities.async_get_entity_id("sensor", DOMAIN, "old-entry_duo_0_sessions") == sessions.entity_id
    assert devices.async_get(station.id).identifiers == {(DOMAIN, "old-entry:duo")}  # type: ignore[union-attr]
    assert devices.async_get(connector.id).identifiers == {(DOMAIN, "old-entry:duo:1")}  # type: ignore[union-attr]

    # the charger comes back: its entities are the migrated ones, on the same devices, no duplicates
    async with online(entry, "duo", connectors=2) as charger:
        await charger.send_status(1, "Charging")
        await until(hass, lambda: state(hass, "sensor.garage_left") == "charging")
        await until(hass, lambda: state(hass, "sensor.duo_2_status") == "available")
        assert entities.async_get("sensor.garage_left").device_id == connector.id  # type: ignore[union-attr]
        ours = [device for device in dr.async_entries_for_config_entry(devices, entry.entry_id)]
        assert sorted(name for device in ours for _, name in device.identifiers) == [
            "old-entry:duo",
            "old-entry:duo:1",
            "old-entry:duo:2",
        ]
        unique_ids = [e.unique_id for e in er.async_entries_for_config_entry(entities, entry.entry_id)]
        assert len(unique_ids) == len(set(unique_ids))
        assert all(unique_id.startswith("old-entry_") for unique_id in unique_ids)
        assert hass.states.get("sensor.garage_left_2") is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_migration_is_idempotent_on_a_second_setup(hass: HomeAssistant) -> None:
    entry = _old_entry(hass, "twice")
    er.async_get(hass).async_get_or_create("sensor", DOMAIN, "wb_0_sessions", config_entry=entry)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    ids = [e.unique_id for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)]
    assert ids == ["twice_wb_0_sessions"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_charger_shared_by_two_old_entries_gets_a_device_per_entry(hass: HomeAssistant) -> None:
    """Version 1 gave a charger that moved from one port to another one device with both entries."""
    first, second = _old_entry(hass, "first"), _old_entry(hass, "second")
    devices = dr.async_get(hass)
    shared = devices.async_get_or_create(config_entry_id=first.entry_id, identifiers={(DOMAIN, "wb")}, name="wb")
    devices.async_get_or_create(config_entry_id=second.entry_id, identifiers={(DOMAIN, "wb")})
    assert await hass.config_entries.async_setup(first.entry_id)  # the integration sets up both
    await hass.async_block_till_done()
    assert second.state is ConfigEntryState.LOADED
    kept = devices.async_get(shared.id)
    assert kept is not None
    (owner,) = kept.config_entries  # whichever migrated first keeps it, the other lets go
    assert kept.identifiers == {(DOMAIN, f"{owner}:wb")}
    for entry in (first, second):
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_newer_version_is_not_loaded(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, version=3, data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR


async def test_the_same_charger_id_on_two_central_systems(hass: HomeAssistant) -> None:
    first = await add_entry(hass, entry_id="port-a")
    second = await add_entry(hass, entry_id="port-b")
    devices, entities = dr.async_get(hass), er.async_get(hass)
    async with online(first, "wb"), online(second, "wb"):
        await until(hass, lambda: state(hass, "sensor.wb_status") == "available")
        await until(hass, lambda: state(hass, "sensor.wb_status_2") == "available")
        per_entry: dict[str, Any] = {}
        for entry in (first, second):
            device_names = {
                name
                for device in dr.async_entries_for_config_entry(devices, entry.entry_id)
                for _, name in device.identifiers
            }
            assert device_names == {f"{entry.entry_id}:wb"}
            registered = er.async_entries_for_config_entry(entities, entry.entry_id)
            per_entry[entry.entry_id] = {e.unique_id.removeprefix(f"{entry.entry_id}_") for e in registered}
        assert per_entry["port-a"] == per_entry["port-b"]  # each entry has all of the charger's entities
        assert len(per_entry["port-a"]) > 10
    for entry in (first, second):
        assert await hass.config_entries.async_unload(entry.entry_id)
