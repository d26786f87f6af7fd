"""Unknown chargers: ask (a discovery card while the charger waits, connected), accept, reject."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets
from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import CONF_UNKNOWN_CHARGERS, DOMAIN
from sim.charger16 import connect

from .helpers_ha import find_device, free_port, state, until, wait_device
from .helpers_remote import both_backends, ocpp_url


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None) -> None:
    """Load our integration from custom_components."""


async def _entry(hass: HomeAssistant, options: dict[str, Any]) -> MockConfigEntry:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()}, options=options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def ask_entry(hass: HomeAssistant) -> AsyncIterator[MockConfigEntry]:
    entry = await _entry(hass, {})  # ask is the default
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)


def _discoveries(hass: HomeAssistant) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY
    ]


async def test_ask_keeps_the_socket_and_accepts_without_reconnecting(
    hass: HomeAssistant, ask_entry: MockConfigEntry
) -> None:
    charger, task, ws = await connect(f"ws://127.0.0.1:{ask_entry.data[CONF_PORT]}", "newcomer")
    await charger.boot(vendor="ACME", model="Box", expect="Pending")
    await until(hass, lambda: len(_discoveries(hass)) == 1)
    flow = _discoveries(hass)[0]
    assert flow["step_id"] == "confirm_charger"
    assert flow["context"]["title_placeholders"] == {"name": "newcomer"}
    # nothing of it in HA yet: anyone on the LAN can knock
    assert find_device(hass, "newcomer") is None
    await charger.boot(expect="Pending")  # booting again: still waiting, still one card
    await hass.async_block_till_done()
    assert len(_discoveries(hass)) == 1

    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "charger_accepted"
    # the same socket: the charger was asked to boot again and is Accepted now
    await until(hass, lambda: charger.registration_status == "Accepted")
    assert not task.done()
    await charger.send_status(1, "Available")
    await until(hass, lambda: state(hass, "sensor.newcomer_status") == "available")
    device = find_device(hass, "newcomer")
    assert device is not None
    assert device.serial_number == "SIM-newcomer"
    await ws.close()
    task.cancel()


async def test_accepted_charger_is_remembered_across_reload(hass: HomeAssistant, ask_entry: MockConfigEntry) -> None:
    url = f"ws://127.0.0.1:{ask_entry.data[CONF_PORT]}"
    charger, task, ws = await connect(url, "known")
    await charger.boot(expect="Pending")
    await until(hass, lambda: len(_discoveries(hass)) == 1)
    await hass.config_entries.flow.async_configure(_discoveries(hass)[0]["flow_id"], {})
    await until(hass, lambda: charger.registration_status == "Accepted")
    await ws.close()
    task.cancel()
    assert await hass.config_entries.async_reload(ask_entry.entry_id)
    await hass.async_block_till_done()
    charger, task, ws = await connect(url, "known")
    await charger.boot()  # Accepted straight away, no new card
    await hass.async_block_till_done()
    assert _discoveries(hass) == []
    await ws.close()
    task.cancel()


async def test_accept_policy_adds_at_once(hass: HomeAssistant) -> None:
    entry = await _entry(hass, {CONF_UNKNOWN_CHARGERS: "accept"})
    charger, task, ws = await connect(f"ws://127.0.0.1:{entry.data[CONF_PORT]}", "open-door")
    await charger.boot()
    await charger.send_status(1, "Available")
    await until(hass, lambda: state(hass, "sensor.open_door_status") == "available")
    assert _discoveries(hass) == []
    await ws.close()
    task.cancel()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reject_policy_refuses_before_the_upgrade(hass: HomeAssistant) -> None:
    import websockets
    from websockets.exceptions import InvalidStatus

    entry = await _entry(hass, {CONF_UNKNOWN_CHARGERS: "accept"})
    url = f"ws://127.0.0.1:{entry.data[CONF_PORT]}"
    known, task, ws = await connect(url, "known-one")
    await known.boot()  # accepted while the policy was accept
    await ws.close()
    task.cancel()
    hass.config_entries.async_update_entry(entry, options={CONF_UNKNOWN_CHARGERS: "reject"})
    await hass.async_block_till_done()
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(f"{url}/stranger", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    assert refused.value.response.status_code == 403
    assert _discoveries(hass) == []
    assert find_device(hass, "stranger") is None
    known, task, ws = await connect(url, "known-one")  # accepted before: still welcome
    await known.boot()
    await ws.close()
    task.cancel()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_discovery_for_an_unloaded_central_system_aborts(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"entry_id": "nope", "station_id": "ghost", "vendor": None, "model": None},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "central_system_not_loaded"


async def test_options_offer_the_policy(hass: HomeAssistant, ask_entry: MockConfigEntry) -> None:
    result = await hass.config_entries.options.async_init(ask_entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "general"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "heartbeat_interval": 300,
            "default_id_tag": "HA",
            "strict_validation": False,
            CONF_UNKNOWN_CHARGERS: "accept",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert ask_entry.options[CONF_UNKNOWN_CHARGERS] == "accept"


@both_backends
async def test_removing_a_device_forgets_the_charger(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Removing the device forgets the charger where the central system keeps it: refused with a translated
    message while it is connected (what the device page shows: HA's websocket sends the error's translation)."""
    from custom_components.ocpp_core import async_remove_config_entry_device

    central = entry.runtime_data.central
    charger, task, ws = await connect(ocpp_url(entry), "gone-soon")
    await charger.boot()
    await charger.start_transaction(1, "T")
    await charger.stop_transaction(1)
    device = await wait_device(hass, "gone-soon")
    with pytest.raises(HomeAssistantError) as refused:  # connected: refused, said why
        await async_remove_config_entry_device(hass, entry, device)
    assert (refused.value.translation_key, refused.value.translation_placeholders) == (
        "forget_connected",
        {"charger": "gone-soon"},
    )
    assert "gone-soon is connected" in str(refused.value)
    assert "gone-soon" in central.stations
    await ws.close()
    task.cancel()
    await until(hass, lambda: not central.is_connected("gone-soon"))
    assert await async_remove_config_entry_device(hass, entry, device)
    assert "gone-soon" not in central.stations
    assert await central.session_history("gone-soon", None, None) == []  # its sessions went with it
    embedded = entry.runtime_data.embedded
    if embedded is not None:
        assert "gone-soon" not in embedded.state.store.snapshot()["stations"]
    else:  # the add-on's store: gone there too
        assert "gone-soon" not in {charger["id"] for charger in await central.client.chargers()}


async def test_accept_policy_gives_an_id_that_never_boots_no_device(hass: HomeAssistant) -> None:
    """An id that connects and leaves without booting is forgotten by the central system: no device is left."""
    entry = await _entry(hass, {CONF_UNKNOWN_CHARGERS: "accept"})
    central = entry.runtime_data.central
    ws = await websockets.connect(f"ws://127.0.0.1:{entry.data[CONF_PORT]}/drive-by", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    await ws.send(json.dumps([2, "1", "Heartbeat", {}]))
    await ws.recv()
    await hass.async_block_till_done()
    await ws.close()
    await until(hass, lambda: "drive-by" not in central.stations)
    await hass.async_block_till_done()
    assert find_device(hass, "drive-by") is None
    assert hass.states.get("sensor.drive_by_status") is None
    assert await hass.config_entries.async_unload(entry.entry_id)
