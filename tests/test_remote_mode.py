"""The integration on the add-on's central system (issue 17), against a real add-on app process and simulated
chargers speaking real OCPP: an entry from the Supervisor's discovery gets the same devices and entities as an
embedded one; Home Assistant stopped and set up again mid-session leaves the charger connected, its energy exact,
and the session that ended meanwhile delivered once; the add-on killed and restarted makes every entity
unavailable with a repair issue, then brings them back without a reload."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.service_info.hassio import HassioServiceInfo
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.remote.central import RemoteCentral
from custom_components.ocpp_core.remote.setup import StoredCursor
from sim.charger16 import SimulatedChargePoint, connect

from .addon.app_process import App
from .helpers_ha import add_entry, state, until
from .helpers_remote import TOKEN, add_remote_entry, ocpp_url, remote_entry, restart_addon, start_addon

SLUG = "a0d7b954_ocpp_core"


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None, addon_session: None) -> None:
    """Our integration from custom_components, HA's HTTP session on 127.0.0.1 (tests/conftest.py)."""


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    started = start_addon(tmp_path / "addon-data")
    yield started
    started.stop()


async def _charger(url: str, cp_id: str) -> tuple[SimulatedChargePoint, Any, Any]:
    cp, task, ws = await connect(url, cp_id)
    await cp.boot(vendor="ACME", model="Wallbox 11")
    await cp.send_status(0, "Available")
    await cp.send_status(1, "Available")
    return cp, task, ws


def _registry(hass: HomeAssistant, entry_id: str) -> tuple[set[tuple[str, str]], set[str]]:
    """The entry's entities (platform, unique id without the entry's scope) and devices (identifier unscoped)."""
    entities = {
        (entity.domain, entity.unique_id.removeprefix(f"{entry_id}_"))
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    }
    devices = {
        value.removeprefix(f"{entry_id}:")
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
        for domain, value in device.identifiers
        if domain == DOMAIN
    }
    return entities, devices


async def _settled(hass: HomeAssistant, entry_id: str) -> tuple[set[tuple[str, str]], set[str]]:
    """The registry once it stops growing (the 1.6 configuration read adds entities a moment after the boot)."""
    last: tuple[set[tuple[str, str]], set[str]] = (set(), set())
    stable = 0
    async with asyncio.timeout(20):
        while stable < 10:
            await asyncio.sleep(0.05)
            await hass.async_block_till_done()
            now = _registry(hass, entry_id)
            stable = stable + 1 if now == last and now[0] else 0
            last = now
    return last


async def test_discovered_entry_has_the_embedded_devices_and_entities(hass: HomeAssistant, app: App) -> None:
    config = {"host": "127.0.0.1", "port": app.port, "api_port": app.ui_port, "api_token": TOKEN}  # type: ignore[attr-defined]
    discovery = HassioServiceInfo(config=config, name="OCPP Core", slug=SLUG, uuid="uuid-1")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=discovery
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    remote = result["result"]
    await hass.async_block_till_done()
    assert remote.state is ConfigEntryState.LOADED

    _cp, task, ws = await _charger(f"ws://127.0.0.1:{app.port}", "wb")
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)
    remote_registry = await _settled(hass, remote.entry_id)

    embedded = await add_entry(hass)
    _cp2, task2, ws2 = await _charger(ocpp_url(embedded), "wb")
    await until(hass, lambda: state(hass, "sensor.wb_status_2") == "available", timeout=20)
    embedded_registry = await _settled(hass, embedded.entry_id)

    assert remote_registry == embedded_registry
    assert len(remote_registry[0]) > 20 and remote_registry[1] == {"wb"}
    for one in (ws, ws2):
        await one.close()
    for one in (task, task2):
        one.cancel()


async def test_ha_set_up_again_mid_session(hass: HomeAssistant, app: App) -> None:
    """Home Assistant away (the entry unloaded: its cursor kept) while the charger charges on and its session
    ends: the charger's connection never closes; back, the energy is the charger's own and the session's end is
    delivered once."""
    entry = await add_remote_entry(hass, app, entry_id="remote-entry")
    cp, task, ws = await _charger(ocpp_url(entry), "wb")
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)
    ended: list[dict[str, Any]] = []
    started: list[dict[str, Any]] = []

    def on_ended(event: Event) -> None:
        ended.append(dict(event.data))

    def on_started(event: Event) -> None:
        started.append(dict(event.data))

    hass.bus.async_listen(f"{DOMAIN}_transaction_ended", on_ended)
    hass.bus.async_listen(f"{DOMAIN}_transaction_started", on_started)
    start_wh = cp.sim.connectors[1].energy_wh
    await cp.start_transaction(1, "TAG-1")
    await cp.send_meter_values(1, seconds=1800)
    await until(hass, lambda: state(hass, "sensor.wb_session_energy") == "5.5", timeout=20)
    assert len(started) == 1

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, "sensor.wb_status") == STATE_UNAVAILABLE
    # while Home Assistant is away: the session goes on, then ends at the charger
    for _ in range(3):
        await cp.send_meter_values(1, seconds=600)
    await cp.stop_transaction(1)
    energy_wh = cp.sim.connectors[1].energy_wh
    assert ended == []

    assert await hass.config_entries.async_setup(entry.entry_id)
    await until(hass, lambda: len(ended) == 1, timeout=20)
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)
    assert ws.close_code is None  # never closed: the add-on kept it
    assert len(started) == 1  # the start, delivered before HA went away, is not delivered again
    # exact: 1800 s + 3 × 600 s at 11 kW (the charger's meter is sent in whole Wh)
    assert ended[0]["energy_wh"] == round(energy_wh - start_wh) == 11000
    assert state(hass, "sensor.wb_energy_meter") == str(round(energy_wh) / 1000.0)  # the register, in kWh
    assert state(hass, "sensor.wb_session_energy") == "11.0"
    # again, nothing new: nothing delivered twice
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)
    await asyncio.sleep(0.5)
    await hass.async_block_till_done()
    assert len(ended) == 1 and len(started) == 1
    await ws.close()
    task.cancel()


async def test_addon_killed_and_restarted(hass: HomeAssistant, tmp_path: Path) -> None:
    app = start_addon(tmp_path / "addon-data")
    try:
        entry = await add_remote_entry(hass, app)
        _cp, task, _ws = await _charger(ocpp_url(entry), "wb")
        await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)
        await until(hass, lambda: state(hass, "number.wb_charger_current_limit") not in (None, STATE_UNAVAILABLE))
        issue_id = f"addon_unreachable_{entry.entry_id}"

        app.kill()
        task.cancel()
        await until(hass, lambda: state(hass, "sensor.wb_status") == STATE_UNAVAILABLE, timeout=20)
        # every entity, also the limits that stay available while only the charger is away
        assert state(hass, "number.wb_charger_current_limit") == STATE_UNAVAILABLE
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

        app = restart_addon(app)
        _cp, task, ws = await _charger(ocpp_url(entry), "wb")
        await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=40)
        assert state(hass, "number.wb_charger_current_limit") not in (None, STATE_UNAVAILABLE)
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
        assert entry.state is ConfigEntryState.LOADED  # no reload
        central = entry.runtime_data.central
        assert isinstance(central, RemoteCentral)
        await ws.close()
        task.cancel()
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        app.stop()


async def test_setup_waits_for_an_addon_that_is_not_there(hass: HomeAssistant, tmp_path: Path) -> None:
    """No add-on at the address: the entry retries (not ready), with the reason."""
    app = start_addon(tmp_path / "addon-data")
    app.stop()
    entry = remote_entry(app)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_an_embedded_entry_moves_to_the_addon_keeping_its_entities(hass: HomeAssistant, app: App) -> None:
    """Embedded → add-on without losing anything: the entry itself moves (its id scopes every unique id and device
    identifier), so the devices, entity ids and their history stay; its chargers then connect to the add-on."""
    embedded = await add_entry(hass)
    _cp, task, ws = await _charger(ocpp_url(embedded), "wb")
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)
    before = await _settled(hass, embedded.entry_id)
    entity_ids = {e.entity_id for e in er.async_entries_for_config_entry(er.async_get(hass), embedded.entry_id)}
    device_ids = {d.id for d in dr.async_entries_for_config_entry(dr.async_get(hass), embedded.entry_id)}

    config = {"host": "127.0.0.1", "port": app.port, "api_port": app.ui_port, "api_token": TOKEN}  # type: ignore[attr-defined]
    discovery = HassioServiceInfo(config=config, name="OCPP Core", slug=SLUG, uuid="uuid-1")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=discovery
    )
    assert result["step_id"] == "hassio_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"move_entry": embedded.entry_id})
    assert (result["type"], result["reason"]) == ("abort", "moved_to_addon")
    await hass.async_block_till_done()
    assert hass.config_entries.async_entries(DOMAIN) == [embedded]  # no second entry
    assert embedded.state is ConfigEntryState.LOADED and isinstance(embedded.runtime_data.central, RemoteCentral)
    await until(hass, lambda: ws.close_code is not None)  # the embedded central system closed its socket
    task.cancel()

    _cp, task, ws = await _charger(f"ws://127.0.0.1:{app.port}", "wb")  # the charger, now at the add-on
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)
    assert await _settled(hass, embedded.entry_id) == before
    assert {e.entity_id for e in er.async_entries_for_config_entry(er.async_get(hass), embedded.entry_id)} == entity_ids
    assert {d.id for d in dr.async_entries_for_config_entry(dr.async_get(hass), embedded.entry_id)} == device_ids
    await ws.close()
    task.cancel()


async def test_the_cursor_is_written_once_per_delay_however_many_events(hass: HomeAssistant) -> None:
    """Every event moves the cursor; its write is scheduled once (a rescheduled one would never come while a
    charger sends meter values more often than the delay), with the last cursor."""
    cursor = StoredCursor(hass, "cursor-entry")
    scheduled: list[float] = []
    store = cursor._store
    delay_save = store.async_delay_save

    def spy(data_fn: Any, delay: float = 0) -> None:
        scheduled.append(delay)
        delay_save(data_fn, delay)

    store.async_delay_save = spy  # type: ignore[method-assign]
    for seq in range(1, 51):
        cursor.save_soon("stream-1", seq)
    assert scheduled == [1.0]
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=5))
    await hass.async_block_till_done()
    assert await StoredCursor(hass, "cursor-entry").load() == ("stream-1", 50)
    cursor.save_soon("stream-1", 51)  # the next one is scheduled again
    assert scheduled == [1.0, 1.0]
