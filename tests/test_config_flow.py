"""Every branch of the config and options flows."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets
from homeassistant import config_entries
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import (
    CONF_DEFAULT_ID_TAG,
    CONF_HEARTBEAT_INTERVAL,
    CONF_MAX_MESSAGE_RATE,
    CONF_STRICT_VALIDATION,
    DOMAIN,
)
from sim.charger16 import connect as connect16

from .csms.support.helpers import BOOT, RawCharger
from .helpers_ha import embedded_form, free_port
from .helpers_remote import both_backends, is_remote_entry, ocpp_url


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None) -> None:
    """Load our integration from custom_components."""


async def test_user_flow_creates_entry(hass: HomeAssistant) -> None:
    result = await embedded_form(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "embedded"
    assert result["errors"] == {}
    port = free_port()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_HOST: "127.0.0.1", CONF_PORT: port, "security_profile": 0}
    assert result["result"].unique_id is None
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.state is config_entries.ConfigEntryState.LOADED
    assert entry.version == 2  # created with entry-scoped unique ids: nothing to migrate
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_port_in_use_then_fixed(hass: HomeAssistant) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        result = await embedded_form(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: taken}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"base": "port_in_use"}
    port = free_port()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(hass.config_entries.async_entries(DOMAIN)[0].entry_id)


async def test_one_entry_per_port(hass: HomeAssistant) -> None:
    MockConfigEntry(domain=DOMAIN, data={CONF_HOST: "0.0.0.0", CONF_PORT: 9000}).add_to_hass(hass)
    result = await embedded_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: 9000}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_invalid_port_rejected_by_schema(hass: HomeAssistant) -> None:
    from homeassistant.data_entry_flow import InvalidData

    result = await embedded_form(hass)
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: 70000})


async def _in_force(entry: MockConfigEntry) -> dict[str, Any]:
    """The central system's own options in force: the embedded one's config, or the add-on's (its /options)."""
    own = await entry.runtime_data.central.records.central_system_options()
    if own is not None:
        return own
    config = entry.runtime_data.embedded.config
    return {"heartbeat_interval": config.heartbeat_interval, "strict_validation": not config.lenient,
            "history_size": config.history_size}  # fmt: skip


@both_backends
async def test_options_flow_applies_without_reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The general step on either back end: the central system's options where it keeps them (the entry's,
    or the add-on's store), in force at once, chargers kept; Home Assistant's own (the default tag) in the entry."""
    central = entry.runtime_data.central

    async def general(**given: Any) -> dict[str, Any]:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        assert result["type"] is FlowResultType.MENU and "general" in result["menu_options"]
        result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "general"})
        assert result["type"] is FlowResultType.FORM
        result = await hass.config_entries.options.async_configure(result["flow_id"], given)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        return dict(result)

    await general(**{CONF_HEARTBEAT_INTERVAL: 120, CONF_DEFAULT_ID_TAG: "GARAGE", CONF_STRICT_VALIDATION: True})
    assert entry.runtime_data.central is central  # same server, chargers kept
    in_force = await _in_force(entry)
    assert (in_force["heartbeat_interval"], in_force["strict_validation"]) == (120, True)
    assert in_force["history_size"] == 1000  # the default, untouched
    assert entry.runtime_data.default_id_tag == "GARAGE"
    charger, task, ws = await connect16(ocpp_url(entry), "late")
    assert (await charger.boot()).interval == 120  # what a charger booting now is told
    await general(
        **{CONF_HEARTBEAT_INTERVAL: 120, CONF_DEFAULT_ID_TAG: "GARAGE", CONF_STRICT_VALIDATION: True, "history_size": 2}
    )
    assert (await _in_force(entry))["history_size"] == 2
    # options the form does not show (other menu steps own them) are kept
    hass.config_entries.async_update_entry(entry, options={**entry.options, "kept_elsewhere": [1]})
    await general(
        **{CONF_HEARTBEAT_INTERVAL: 60, CONF_DEFAULT_ID_TAG: "GARAGE", CONF_STRICT_VALIDATION: True, "history_size": 2}
    )
    assert entry.options["kept_elsewhere"] == [1] and entry.options[CONF_DEFAULT_ID_TAG] == "GARAGE"
    assert (await _in_force(entry))["heartbeat_interval"] == 60
    # remote: the add-on keeps them; the entry has no copy to go stale
    assert (CONF_HEARTBEAT_INTERVAL in entry.options) is not is_remote_entry(entry)
    await ws.close()
    task.cancel()


@contextlib.asynccontextmanager
async def _entry_on_a_taken_port(hass: HomeAssistant) -> AsyncIterator[MockConfigEntry]:
    """An entry set up while another socket holds its port (retrying); the port is free again after."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        entry = MockConfigEntry(domain=DOMAIN, data={CONF_HOST: "127.0.0.1", CONF_PORT: busy.getsockname()[1]})
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is config_entries.ConfigEntryState.SETUP_RETRY
        yield entry


async def test_setup_retries_when_port_taken(hass: HomeAssistant) -> None:
    async with _entry_on_a_taken_port(hass) as entry:
        issue = ir.async_get(hass).async_get_issue(DOMAIN, f"port_in_use_{entry.entry_id}")
        assert issue is not None
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["port"] == str(entry.data[CONF_PORT])
    # the port is free again: the next try starts, and the repair goes away
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is config_entries.ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"port_in_use_{entry.entry_id}") is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_moves_the_port_and_keeps_the_entry(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    new_port = free_port()
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: busy.getsockname()[1]}
        )
        assert result["errors"] == {"base": "port_in_use"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: new_port}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_PORT] == new_port
    assert entry.state is config_entries.ConfigEntryState.LOADED
    assert entry.runtime_data.central.port == new_port
    # the same address again: nothing changed, nothing set up again (its chargers stay connected)
    central = entry.runtime_data.central
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: new_port}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
    await hass.async_block_till_done()
    assert entry.runtime_data.central is central and entry.state is config_entries.ConfigEntryState.LOADED
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_of_an_entry_waiting_for_its_port(hass: HomeAssistant) -> None:
    """Set up while its port was taken (retrying, so without an update listener): moved to a free port, it is
    set up there at once."""
    async with _entry_on_a_taken_port(hass) as entry:
        new_port = free_port()
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: new_port}
        )
        assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
        await hass.async_block_till_done()
        assert entry.state is config_entries.ConfigEntryState.LOADED
        assert entry.runtime_data.central.port == new_port
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"port_in_use_{entry.entry_id}") is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def _general_options(hass: HomeAssistant, entry: MockConfigEntry, **changes: Any) -> None:
    """Send the General step with its defaults (the current options) and these changes."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "general"})
    defaults = {key.schema: key.default() for key in result["data_schema"].schema if callable(key.default)}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {**defaults, **changes})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def _heartbeats_until_closed(charger: RawCharger, count: int) -> bool:
    """Send `count` Heartbeats without waiting, then read until the last is answered (True) or the
    connection is closed (False)."""
    try:
        async with asyncio.timeout(30):
            for n in range(count):
                await charger.ws.send(json.dumps([2, f"hb{n}", "Heartbeat", {}]))
            while json.loads(await charger.ws.recv())[1] != f"hb{count - 1}":
                pass
    except websockets.ConnectionClosed:
        return False
    return True


async def test_the_message_rate_is_an_option_applied_to_connected_chargers(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    central = entry.runtime_data.central
    assert (central.config.max_message_rate, central.config.max_message_burst) == (50, 200)
    url = f"ws://127.0.0.1:{entry.data[CONF_PORT]}"
    charger = await RawCharger.connect(url, "bursty")
    assert (await charger.call("BootNotification", BOOT))[0] == 3
    # off (0) while it is connected: a burst far beyond the default passes
    await _general_options(hass, entry, **{CONF_MAX_MESSAGE_RATE: 0})
    assert entry.runtime_data.central is central  # applied in place
    assert await _heartbeats_until_closed(charger, 1000)
    # raised: the burst grows with it (4 s of the rate)
    await _general_options(hass, entry, **{CONF_MAX_MESSAGE_RATE: 500})
    assert (central.config.max_message_rate, central.config.max_message_burst) == (500, 2000)
    # back to the default: the same burst now closes it
    await _general_options(hass, entry, **{CONF_MAX_MESSAGE_RATE: 50})
    assert (central.config.max_message_rate, central.config.max_message_burst) == (50, 200)
    assert not await _heartbeats_until_closed(charger, 3000)
    assert entry.options[CONF_MAX_MESSAGE_RATE] == 50
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_the_message_rate_option_is_bounded(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for bad in (-1, 10_001):
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "general"})
        defaults = {key.schema: key.default() for key in result["data_schema"].schema if callable(key.default)}
        with pytest.raises(InvalidData):
            await hass.config_entries.options.async_configure(
                result["flow_id"], {**defaults, CONF_MAX_MESSAGE_RATE: bad}
            )
    assert await hass.config_entries.async_unload(entry.entry_id)
