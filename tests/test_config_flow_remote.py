"""The config flow's remote mode against a real add-on app process: discovered from the Supervisor (unique by the
add-on's slug; a reinstall's new announcement gives the running entry its new token), set up by hand with clear
errors for a wrong address or token, and the reauthentication a wrong token starts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from homeassistant import config_entries
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.hassio import HassioServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import CONF_API_TOKEN, CONF_MODE, DOMAIN, MODE_REMOTE
from custom_components.ocpp_core.diagnostics import async_get_config_entry_diagnostics
from custom_components.ocpp_core.remote.central import RemoteCentral

from .addon.app_process import App, free_port, start_app
from .helpers_ha import add_entry

TOKEN = "remote-token-0123456789abcdef"
SLUG = "a0d7b954_ocpp_core"


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None) -> None:
    """Load our integration from custom_components."""


@pytest.fixture(autouse=True)
async def _session(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """HA's shared HTTP session, but resolving nothing (127.0.0.1 only): HA 2025.1's aiodns resolver leaves a
    thread behind when the session closes, which the harness counts as a leak."""
    connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
    async with aiohttp.ClientSession(connector=connector) as session:

        def shared(hass: HomeAssistant, *args: Any, **kwargs: Any) -> Any:
            return session

        monkeypatch.setattr("custom_components.ocpp_core.remote.setup.async_get_clientsession", shared)
        yield


@pytest.fixture
def addon(tmp_path: Path) -> Iterator[App]:
    """The add-on's app, its API on `addon.ui_port` (an attribute set here)."""
    ui_port = free_port()
    app = start_app(tmp_path / "data", "--ui-port", str(ui_port), "--api-token", TOKEN)
    app.ui_port = ui_port  # type: ignore[attr-defined]
    yield app
    app.stop()


def _discovery(app: App, token: str = TOKEN, uuid: str = "uuid-1") -> HassioServiceInfo:
    config = {"host": "127.0.0.1", "port": app.port, "api_port": app.ui_port, "api_token": token}  # type: ignore[attr-defined]
    return HassioServiceInfo(config=config, name="OCPP Core", slug=SLUG, uuid=uuid)


async def _unload_all(hass: HomeAssistant) -> None:
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is config_entries.ConfigEntryState.LOADED:
            assert await hass.config_entries.async_unload(entry.entry_id)


async def test_discovered_then_reinstalled(hass: HomeAssistant, addon: App, tmp_path: Path) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=_discovery(addon)
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "hassio_confirm")
    assert result["description_placeholders"] == {"addon": "OCPP Core"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    ui_port = addon.ui_port  # type: ignore[attr-defined]
    data = {CONF_MODE: MODE_REMOTE, CONF_HOST: "127.0.0.1", CONF_PORT: ui_port, CONF_API_TOKEN: TOKEN}
    assert result["data"] == data
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert (entry.unique_id, entry.state) == (SLUG, config_entries.ConfigEntryState.LOADED)

    # the same announcement again: nothing new
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=_discovery(addon)
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")

    # reinstalled: a new uuid and a new token; the running entry takes the token live (no reload) and works again
    central = entry.runtime_data.central
    assert isinstance(central, RemoteCentral)
    addon.stop()
    new_token = "reinstalled-token-0123456789"
    again = start_app(tmp_path / "data2", "--ui-port", str(ui_port), "--api-token", new_token)
    try:
        again.ui_port = ui_port  # type: ignore[attr-defined]
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=_discovery(again, new_token, "uuid-2")
        )
        assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")
        await hass.async_block_till_done()
        assert len(hass.config_entries.async_entries(DOMAIN)) == 1
        assert entry.data[CONF_API_TOKEN] == new_token and entry.unique_id == SLUG
        assert entry.state is config_entries.ConfigEntryState.LOADED
        assert entry.runtime_data.central is central  # not set up again
        assert (await central.client.snapshot()).stream  # the new token is the one it sends
        await _unload_all(hass)
    finally:
        again.stop()


async def test_an_add_on_announced_at_another_port_is_used_there(
    hass: HomeAssistant, addon: App, tmp_path: Path
) -> None:
    """A new address is what the entry was set up from: its update listener sets it up again there."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=_discovery(addon)
    )
    await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    central = entry.runtime_data.central
    addon.stop()
    ui_port = free_port()
    moved = start_app(tmp_path / "data2", "--ui-port", str(ui_port), "--api-token", TOKEN)
    try:
        moved.ui_port = ui_port  # type: ignore[attr-defined]
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=_discovery(moved)
        )
        assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")
        await hass.async_block_till_done()
        assert entry.state is config_entries.ConfigEntryState.LOADED and entry.data[CONF_PORT] == ui_port
        assert entry.runtime_data.central is not central
        assert entry.runtime_data.central.client.port == ui_port  # type: ignore[attr-defined]
        await _unload_all(hass)
    finally:
        moved.stop()


async def test_discovered_add_on_unreachable_on_confirm(hass: HomeAssistant, addon: App) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=_discovery(addon, token="not-the-token-0123456")
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert (result["type"], result["errors"]) == (FlowResultType.FORM, {"base": "invalid_auth"})


async def test_manual_with_clear_errors(hass: HomeAssistant, addon: App) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": config_entries.SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "remote"})
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "remote")
    ui_port = addon.ui_port  # type: ignore[attr-defined]
    nowhere = {CONF_HOST: "127.0.0.1", CONF_PORT: free_port(), CONF_API_TOKEN: TOKEN}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], nowhere)
    assert result["errors"] == {"base": "cannot_connect"}
    wrong = {CONF_HOST: "127.0.0.1", CONF_PORT: ui_port, CONF_API_TOKEN: "wrong-token-0123456789"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], wrong)
    assert result["errors"] == {"base": "invalid_auth"}
    right = {CONF_HOST: " 127.0.0.1 ", CONF_PORT: ui_port, CONF_API_TOKEN: TOKEN}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], right)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_MODE: MODE_REMOTE, CONF_HOST: "127.0.0.1", CONF_PORT: ui_port, CONF_API_TOKEN: TOKEN}
    await hass.async_block_till_done()
    # the same add-on once more: already set up
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": config_entries.SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "remote"})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], right)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")
    await _unload_all(hass)


async def test_a_wrong_token_starts_reauthentication(hass: HomeAssistant, addon: App) -> None:
    ui_port = addon.ui_port  # type: ignore[attr-defined]
    data = {CONF_MODE: MODE_REMOTE, CONF_HOST: "127.0.0.1", CONF_PORT: ui_port, CONF_API_TOKEN: "old-token-0123456789"}
    entry = MockConfigEntry(domain=DOMAIN, data=data, unique_id=SLUG, version=2)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is config_entries.ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [config_entries.SOURCE_REAUTH]
    flow_id = flows[0]["flow_id"]
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_API_TOKEN: "still-wrong-0123456789"})
    assert (result["step_id"], result["errors"]) == ("reauth_confirm", {"base": "invalid_auth"})
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_API_TOKEN: TOKEN})
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    await hass.async_block_till_done()
    assert entry.data[CONF_API_TOKEN] == TOKEN and entry.state is config_entries.ConfigEntryState.LOADED
    await _unload_all(hass)


async def test_add_on_away_at_setup_is_retried(hass: HomeAssistant) -> None:
    data = {CONF_MODE: MODE_REMOTE, CONF_HOST: "127.0.0.1", CONF_PORT: free_port(), CONF_API_TOKEN: TOKEN}
    entry = MockConfigEntry(domain=DOMAIN, data=data, unique_id=SLUG, version=2)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is config_entries.ConfigEntryState.SETUP_RETRY
    assert "Cannot reach the OCPP Core add-on at 127.0.0.1" in str(entry.reason)
    await _unload_all(hass)


async def test_a_remote_entry_beside_an_embedded_one(hass: HomeAssistant, addon: App) -> None:
    """The services that go over every central system serve both (get_transactions: the add-on's sessions too;
    the tags: each entry's own tag book, named by its entry), both have options (the remote one's edit the
    add-on's tags, settings and passwords), and the remote entry's token is not in diagnostics."""
    embedded = await add_entry(hass)
    ui_port = addon.ui_port  # type: ignore[attr-defined]
    data = {CONF_MODE: MODE_REMOTE, CONF_HOST: "127.0.0.1", CONF_PORT: ui_port, CONF_API_TOKEN: TOKEN}
    remote = MockConfigEntry(domain=DOMAIN, data=data, unique_id=SLUG, version=2)
    remote.add_to_hass(hass)
    assert await hass.config_entries.async_setup(remote.entry_id)
    assert remote.state is config_entries.ConfigEntryState.LOADED
    await hass.services.async_call(
        DOMAIN, "add_tag", {"config_entry_id": embedded.entry_id, "id_tag": "HERE"}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "add_tag", {"config_entry_id": remote.entry_id, "id_tag": "THERE"}, blocking=True
    )
    for entry, id_tag in ((embedded, "HERE"), (remote, "THERE")):
        tags = await hass.services.async_call(
            DOMAIN, "list_tags", {"config_entry_id": entry.entry_id}, blocking=True, return_response=True
        )
        assert tags is not None and [tag["id_tag"] for tag in tags["tags"]] == [id_tag]
    found = await hass.services.async_call(DOMAIN, "get_transactions", {}, blocking=True, return_response=True)
    assert found == {"transactions": []}
    diagnostics = await async_get_config_entry_diagnostics(hass, remote)
    assert TOKEN not in str(diagnostics) and diagnostics["entry"]["data"][CONF_HOST] == "127.0.0.1"
    assert remote.supports_options and embedded.supports_options
    await _unload_all(hass)
