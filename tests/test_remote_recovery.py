"""The remote mode recovering without a reload, against a real add-on app process and a simulated charger: a token
revoked while Home Assistant runs (the add-on restarted with another) starts the reauthentication, and the right
token brings the same entry back (its devices and entities as they were, the token never logged); an add-on
whose journal moved on past the kept cursor is read again from its snapshot, with a log line saying events may
have been missed."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from custom_components.ocpp_core.const import CONF_API_TOKEN, DOMAIN
from custom_components.ocpp_core.remote.central import RemoteCentral
from custom_components.ocpp_core.remote.setup import StoredCursor
from sim.charger16 import SimulatedChargePoint, connect

from .addon.app_process import App
from .helpers_ha import state, until
from .helpers_remote import TOKEN, add_remote_entry, ocpp_url, restart_addon, start_addon

NEW_TOKEN = "renewed-token-fedcba9876543210"


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None, addon_session: None) -> None:
    """Our integration from custom_components, HA's HTTP session on 127.0.0.1 (tests/conftest.py)."""


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[list[App]]:
    """The add-on's app; a test that restarts it appends the new process (each one stopped at the end)."""
    started = [start_addon(tmp_path / "addon-data")]
    yield started
    for app in started:
        app.stop()


async def _charger(url: str) -> tuple[SimulatedChargePoint, Any, Any]:
    cp, task, ws = await connect(url, "wb")
    await cp.boot(vendor="ACME", model="Wallbox 11")
    await cp.send_status(0, "Available")
    await cp.send_status(1, "Available")
    return cp, task, ws


def _registry(hass: HomeAssistant, entry_id: str) -> tuple[set[str], set[str]]:
    entities = {e.entity_id for e in er.async_entries_for_config_entry(er.async_get(hass), entry_id)}
    devices = {d.id for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)}
    return entities, devices


def _pruned_through(app: App) -> int:
    """The last seq the add-on's journal dropped (its store's meta)."""
    with contextlib.closing(sqlite3.connect(app.data_dir / "ocpp_core.db")) as db:
        row = db.execute("SELECT value FROM meta WHERE key = 'journal_pruned'").fetchone()
    return int(row[0]) if row else 0


def _reauth_flows(hass: HomeAssistant, entry_id: str) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == config_entries.SOURCE_REAUTH and flow["context"].get("entry_id") == entry_id
    ]


async def test_a_token_revoked_while_running_is_renewed_without_a_reload(
    hass: HomeAssistant, apps: list[App], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="custom_components.ocpp_core")
    entry = await add_remote_entry(hass, apps[0])
    central = entry.runtime_data.central
    assert isinstance(central, RemoteCentral)
    _cp, task, ws = await _charger(ocpp_url(entry))
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)
    await hass.async_block_till_done()
    registry = _registry(hass, entry.entry_id)
    setups: list[str] = []
    original_setup = hass.config_entries.async_setup

    async def counted_setup(entry_id: str, *args: Any, **kwargs: Any) -> bool:
        setups.append(entry_id)
        return await original_setup(entry_id, *args, **kwargs)

    hass.config_entries.async_setup = counted_setup  # type: ignore[method-assign]

    # the add-on restarted with another token while Home Assistant runs
    apps[0].stop()
    task.cancel()
    apps.append(restart_addon(apps[0], "--api-token", NEW_TOKEN))
    await until(hass, lambda: bool(_reauth_flows(hass, entry.entry_id)), timeout=30)
    assert state(hass, "sensor.wb_status") == STATE_UNAVAILABLE
    _cp, task, ws = await _charger(ocpp_url(entry))  # the charger back at the add-on

    flow_id = _reauth_flows(hass, entry.entry_id)[0]["flow_id"]
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_API_TOKEN: "still-wrong-0123456789"})
    assert (result["step_id"], result["errors"]) == ("reauth_confirm", {"base": "invalid_auth"})
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_API_TOKEN: NEW_TOKEN})
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "token_renewed")
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)

    assert entry.state is ConfigEntryState.LOADED and entry.data[CONF_API_TOKEN] == NEW_TOKEN
    assert entry.runtime_data.central is central and setups == []  # the same entry: not set up again
    assert _registry(hass, entry.entry_id) == registry
    assert not _reauth_flows(hass, entry.entry_id)
    for token in (TOKEN, NEW_TOKEN, "still-wrong-0123456789"):
        assert token not in caplog.text
    await ws.close()
    task.cancel()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_journal_that_moved_on_is_read_again_from_the_snapshot(
    hass: HomeAssistant, apps: list[App], caplog: pytest.LogCaptureFixture
) -> None:
    """Home Assistant away (its cursor kept) while a session ends and the add-on restarts keeping its events only
    a moment (its journal pruned past the cursor): set up again, the stream cannot go on from the cursor; the
    snapshot is read again (the state now: the session over, the energy the charger's) and a warning says the
    events of that time may have been missed."""
    entry = await add_remote_entry(hass, apps[0], entry_id="remote-entry")
    cp, task, ws = await _charger(ocpp_url(entry))
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)
    ended: list[dict[str, Any]] = []

    def on_ended(event: Event) -> None:
        ended.append(dict(event.data))

    hass.bus.async_listen(f"{DOMAIN}_transaction_ended", on_ended)
    await cp.start_transaction(1, "TAG-1")
    await cp.send_meter_values(1, seconds=1800)
    await until(hass, lambda: state(hass, "sensor.wb_session_energy") == "5.5", timeout=20)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    await cp.send_meter_values(1, seconds=1800)
    await cp.stop_transaction(1)
    await cp.send_status(1, "Available")
    energy_wh = cp.sim.connectors[1].energy_wh  # the add-on's last reading of the charger's register
    apps[0].stop()
    task.cancel()
    # events older than ~1 s are pruned at the restarted app's first write: every one before the restart
    apps.append(restart_addon(apps[0], "--event-retention-days", "0.00001"))
    _cp, task, ws = await _charger(ocpp_url(entry))
    kept = await StoredCursor(hass, entry.entry_id).load()
    assert kept is not None
    await until(hass, lambda: _pruned_through(apps[-1]) > kept[1], timeout=30)

    caplog.set_level(logging.WARNING)
    assert await hass.config_entries.async_setup(entry.entry_id)
    central = entry.runtime_data.central
    assert isinstance(central, RemoteCentral)
    await until(hass, lambda: central.reloads == 1, timeout=30)
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available", timeout=20)
    assert "events of that time may have been missed" in caplog.text
    assert state(hass, "sensor.wb_energy_meter") == str(round(energy_wh) / 1000.0)  # the state now
    assert central.stations["wb"].connectors[1].transaction is None
    assert ended == []  # that session's end was in the events lost (the warning says so)
    await ws.close()
    task.cancel()
    assert await hass.config_entries.async_unload(entry.entry_id)
