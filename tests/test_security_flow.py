"""Security in the flows: profile and TLS files at setup and reconfigure, passwords in the options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import websockets
from homeassistant import config_entries
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_core.const import DOMAIN
from sim import charger16
from sim.auth import ConnectOptions

from .csms.support.certs import Authority
from .helpers_ha import ACCEPT_ALL, embedded_form, find_device, free_port, until
from .helpers_remote import add_remote_entry, both_backends, ocpp_url, start_addon

PASSWORD = "garage-password-2024"


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None) -> None:
    """Load our integration from custom_components."""


async def _user_flow(hass: HomeAssistant, data: dict[str, Any]) -> Any:
    result = await embedded_form(hass)
    return await hass.config_entries.flow.async_configure(result["flow_id"], data)


async def _refused_status(url: str, **kwargs: Any) -> int:
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(url, subprotocols=["ocpp1.6"], **kwargs)  # type: ignore[list-item]
    return refused.value.response.status_code


async def test_setup_checks_the_tls_files_and_profile_2_serves_wss(hass: HomeAssistant, tmp_path: Path) -> None:
    authority = Authority(tmp_path)
    server = authority.issue("localhost", server=True)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    port = free_port()
    base = {CONF_HOST: "127.0.0.1", CONF_PORT: port, "security_profile": "2"}
    result = await _user_flow(hass, {**base, "certfile": str(tmp_path / "missing.pem"), "keyfile": str(server.key)})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"certfile": "file_not_found"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**base, "certfile": str(garbage), "keyfile": str(server.key)}
    )
    assert result["errors"] == {"certfile": "tls_invalid"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**base, "certfile": str(server.cert), "keyfile": str(server.key), "cafile": "ignored"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: port,
        "security_profile": 2,
        "certfile": str(server.cert),
        "keyfile": str(server.key),
    }
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.state is config_entries.ConfigEntryState.LOADED
    central = entry.runtime_data.central
    url = f"wss://localhost:{port}"
    # a charger without a password is refused before the upgrade; with one it gets in
    assert await _refused_status(f"{url}/CP1", ssl=authority.client_context()) == 401
    await central.credentials.set_password("CP1", PASSWORD)
    cp, task, ws = await charger16.connect(url, "CP1", options=ConnectOptions(PASSWORD, ssl=authority.client_context()))
    await cp.boot(expect=None)
    assert central.is_connected("CP1")
    await ws.close()
    task.cancel()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_profile_3_needs_the_ca_file(hass: HomeAssistant, tmp_path: Path) -> None:
    authority = Authority(tmp_path)
    server = authority.issue("localhost", server=True)
    data = {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: free_port(),
        "security_profile": "3",
        "certfile": str(server.cert),
        "keyfile": str(server.key),
    }
    result = await _user_flow(hass, data)
    assert result["errors"] == {"cafile": "file_required"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {**data, "cafile": str(server.key)})
    assert result["errors"] == {"cafile": "tls_invalid"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**data, "cafile": str(authority.files.cert)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.runtime_data.central.config.security_profile == 3
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_to_profile_1_keeps_devices_and_history(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()}, options=ACCEPT_ALL, title="OCPP"
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    url = f"ws://127.0.0.1:{entry.data[CONF_PORT]}"
    cp, task, ws = await charger16.connect(url, "garage")
    await cp.boot()
    await cp.start_transaction(1, "TAG-1")
    await cp.stop_transaction(1)
    await until(hass, lambda: find_device(hass, "garage") is not None)
    await ws.close()
    task.cancel()
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: entry.data[CONF_PORT], "security_profile": "1"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data["security_profile"] == 1
    central = entry.runtime_data.central
    assert central.config.security_profile == 1
    assert "garage" in central.stations
    assert len(central.transactions("garage")) == 1
    assert find_device(hass, "garage") is not None
    assert await _refused_status(f"{url}/garage") == 401
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def profile1_entry(hass: HomeAssistant, backend: str, tmp_path: Path, addon_session: None) -> Any:
    """A central system on security profile 1: embedded, or the add-on's (started with --security-profile 1)."""
    app = start_addon(tmp_path / "addon-data", "--security-profile", "1") if backend == "remote" else None
    if app is None:
        entry = MockConfigEntry(
            domain=DOMAIN,
            data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port(), "security_profile": 1},
            options=ACCEPT_ALL,
            title="OCPP",
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    else:
        entry = await add_remote_entry(hass, app, options=ACCEPT_ALL)
    yield entry
    if entry.state is config_entries.ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)
    if app is not None:
        app.stop()


async def _options(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert "security" in result["menu_options"]
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "security"})
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": step})


@both_backends
async def test_options_password_for_new_chargers_then_one_of_its_own(
    hass: HomeAssistant, profile1_entry: MockConfigEntry
) -> None:
    """The passwords are stored where the central system lives (remote: the add-on's store, over its API, which
    never answers with a password); the charger then connects with its own."""
    entry = profile1_entry
    central = entry.runtime_data.central
    records = central.records
    url = ocpp_url(entry)
    result = await _options(hass, entry, "security_new_chargers")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"new_charger_password": "  ", "remove": False}
    )
    assert result["errors"] == {"new_charger_password": "password_invalid"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"new_charger_password": "welcome-aboard", "remove": False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "welcome-aboard" not in str(entry.options)
    assert await records.has_new_charger_password()
    cp, task, ws = await charger16.connect(url, "garage", options=ConnectOptions("welcome-aboard"))
    await cp.boot()
    # its own password, sent to it: refused while offline, too short, then stored only
    result = await _options(hass, entry, "security_charger")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"charger": "garage", "password": "short", "send_to_charger": True}
    )
    assert result["errors"] == {"password": "password_length"}
    await ws.close()
    task.cancel()
    await until(hass, lambda: not central.is_connected("garage"))
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"charger": "garage", "password": PASSWORD, "send_to_charger": True}
    )
    assert result["errors"] == {"send_to_charger": "charger_offline"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"charger": "garage", "password": PASSWORD, "send_to_charger": False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert await records.chargers_with_password() == {"garage"}
    assert (
        await _refused_status(f"{url}/garage", additional_headers=ConnectOptions("welcome-aboard").headers("garage"))
        == 401
    )
    cp, task, ws = await charger16.connect(url, "garage", options=ConnectOptions(PASSWORD))
    await cp.boot()
    await ws.close()
    task.cancel()
    # removing the password for new chargers
    result = await _options(hass, entry, "security_new_chargers")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"remove": True})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not await records.has_new_charger_password()
