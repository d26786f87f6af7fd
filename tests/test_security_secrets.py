"""No secret anywhere a user or a bug report can see: passwords (typed, as the 1.6 hex AuthorizationKey, as the
Basic header), and the TLS private key never appear in the diagnostics (entry and devices), the recent frames, the
Store file, the entry itself, nor any log line at DEBUG level — after passwords were set by the action and the
options flow, sent to a 1.6 and a 2.0.1 charger over TLS (security profile 2), and used to log in."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from homeassistant.const import CONF_PORT, EVENT_LOGGING_CHANGED
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from sim import charger16, charger201
from sim.auth import ConnectOptions
from sim.core16 import ConfigKey

from .csms.support.certs import Authority
from .helpers_ha import device_entry, until, wait_device

FIRST = "first-garage-password"
NEW_16 = "a-new-password-for-1.6"
NEW_201 = "a-new-password-for-201"
ONBOARDING = "welcome-aboard-2024"
# where the secrets may legitimately show: the simulated chargers' own logs (the `ocpp` package's client side)
_CHARGER_LOGGERS = ("ocpp", "websockets.client", "sim")


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    return Authority(tmp_path)


@pytest.fixture
def entry_args(authority: Authority) -> dict[str, Any]:
    server = authority.issue("localhost", server=True)
    return {"data": {"security_profile": 2, "certfile": str(server.cert), "keyfile": str(server.key)}}


def _secrets(entry: MockConfigEntry) -> list[str]:
    """Every form a secret could leak in: the passwords, their hex and Basic forms, the private key's PEM."""
    passwords = [FIRST, NEW_16, NEW_201, ONBOARDING]
    forms = [*passwords, *(p.encode().hex() for p in passwords), *(p.encode().hex().upper() for p in passwords)]
    forms += [base64.b64encode(f"{user}:{p}".encode()).decode() for user in ("garage", "cs1") for p in passwords]
    key_pem = Path(entry.data["keyfile"]).read_text()
    assert "PRIVATE KEY" in key_pem
    forms.append(key_pem)
    # each line of the key's body on its own: a partial dump is a leak too
    forms += [line for line in key_pem.splitlines() if line and not line.startswith("-----")]
    return forms


@pytest.fixture
async def debug_logs(hass: HomeAssistant, caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log line at DEBUG level, Home Assistant's event bus included."""
    caplog.set_level(logging.DEBUG)
    hass.bus.async_fire(EVENT_LOGGING_CHANGED)  # Home Assistant's event bus reads the level only then
    await hass.async_block_till_done()
    return caplog


async def _set_the_password_for_new_chargers(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Onboarding: the password for new chargers, set in the options flow."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "security"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "security_new_chargers"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"new_charger_password": ONBOARDING, "remove": False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def _everything_shown(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    logs: pytest.LogCaptureFixture,
    station_id: str,
    frames: str,
) -> dict[str, str]:
    """Where a user or a bug report sees something, once the state is saved: diagnostics, the recent
    frames, the Store file, the entry, the log lines (but the chargers' own and HA's service call lines)."""
    await entry.runtime_data.central.state.store.save_now()
    await hass.async_block_till_done()
    return {
        "entry diagnostics": json.dumps(await async_get_config_entry_diagnostics(hass, entry)),
        "device diagnostics": json.dumps(
            await async_get_device_diagnostics(hass, entry, device_entry(hass, station_id))
        ),
        "recent frames": frames,
        "store file": json.dumps(hass_storage[f"{DOMAIN}.{entry.entry_id}"]),
        "config entry": json.dumps({"data": dict(entry.data), "options": dict(entry.options)}),
        "logs": "\n".join(
            f"{r.name} {r.getMessage()} {r.exc_text or ''}"
            for r in logs.records
            if not r.name.startswith(_CHARGER_LOGGERS) and not _service_call_on_the_bus(r)
        ),
    }


def _assert_no_secret(entry: MockConfigEntry, shown: dict[str, str]) -> None:
    # the checks see what they should: the hashed passwords, and our own events on the bus
    assert '"kdf": "scrypt"' in shown["store file"]
    assert '"has_password": true' in shown["entry diagnostics"]
    assert "Bus:Handling <Event ocpp_core_" in shown["logs"]
    for where, text in shown.items():
        for secret in _secrets(entry):
            assert secret not in text, f"a secret in the {where}: {secret[:6]}…"


def _frames(central: CentralSystem, station_id: str) -> str:
    """The recent frames of a charger, as a bug report shows them."""
    return "\n".join(text for _, _, text in central.recent_frames(station_id))


async def test_no_secret_shown_of_a_16_charger_given_its_password_by_the_action(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    authority: Authority,
    hass_storage: dict[str, Any],
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    """Onboarded with the password for new chargers, given its own by the action (ChangeConfiguration
    AuthorizationKey, hex), logged in with it, and its configuration read back with the key in it."""
    central = entry.runtime_data.central
    url = f"wss://localhost:{entry.data[CONF_PORT]}"
    tls = authority.client_context()
    await _set_the_password_for_new_chargers(hass, entry)

    cp, task, ws = await charger16.connect(url, "garage", options=ConnectOptions(ONBOARDING, ssl=tls))
    await cp.boot()
    cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)
    device_id = (await wait_device(hass, "garage")).id
    await hass.services.async_call(
        DOMAIN,
        "set_charger_password",
        {"device_id": device_id, "password": NEW_16, "send_to_charger": False},
        blocking=True,
    )
    # stored only first, then sent: both paths
    await hass.services.async_call(
        DOMAIN,
        "set_charger_password",
        {"device_id": device_id, "password": NEW_16},
        blocking=True,
    )
    assert cp.sim.configuration["AuthorizationKey"].value == NEW_16.encode().hex()
    frames = _frames(central, "garage")  # the ring starts afresh when the charger reconnects
    await ws.close()
    task.cancel()
    await until(hass, lambda: not central.is_connected("garage"))
    # it logs in with the key as raw bytes (not UTF-8), as some chargers do
    read_before = central.stations["garage"].configuration_time
    cp, task, ws = await charger16.connect(url, "garage", options=ConnectOptions(NEW_16.encode(), ssl=tls))
    # its configuration, read again after the boot, shows the key (this charger does not hide write-only keys)
    cp.sim.configuration["AuthorizationKey"] = ConfigKey(NEW_16.encode().hex())
    await cp.boot()
    await until(hass, lambda: central.stations["garage"].configuration_time != read_before)
    assert central.stations["garage"].configuration["AuthorizationKey"]["value"] == NEW_16.encode().hex()

    shown = await _everything_shown(hass, entry, hass_storage, debug_logs, "garage", frames)
    assert '"AuthorizationKey"' in shown["recent frames"]  # the push is there
    # the charger reported its write-only secret back (GetConfiguration): kept redacted
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]["stations"]
    assert stored["garage"]["configuration"]["AuthorizationKey"]["value"] == "**REDACTED**"
    _assert_no_secret(entry, shown)
    await ws.close()
    task.cancel()


async def test_no_secret_shown_of_a_201_station_given_its_password_in_the_options_flow(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    authority: Authority,
    hass_storage: dict[str, Any],
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    """Onboarded with the password for new chargers, given its own in the options flow (SetVariables
    BasicAuthPassword), logged in with it; then a failed attempt with a wrong password."""
    central = entry.runtime_data.central
    url = f"wss://localhost:{entry.data[CONF_PORT]}"
    tls = authority.client_context()
    await _set_the_password_for_new_chargers(hass, entry)

    station = await charger201.connect(url, "cs1", options=ConnectOptions(ONBOARDING, ssl=tls))
    await station.boot()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "security"})
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "security_charger"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"charger": "cs1", "password": NEW_201, "send_to_charger": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert station.sim.device_model.value("SecurityCtrlr", "BasicAuthPassword") == NEW_201
    await station.close()
    station.connect_options = ConnectOptions(NEW_201, ssl=tls)
    await station.open()
    await station.boot()
    # a failed attempt with a wrong password is logged too (without it)
    with pytest.raises(InvalidStatus, match="401"):
        await charger16.connect(url, "cs1", options=ConnectOptions(FIRST, ssl=tls))

    shown = await _everything_shown(hass, entry, hass_storage, debug_logs, "cs1", _frames(central, "cs1"))
    assert '"BasicAuthPassword"' in shown["recent frames"]  # the push is there
    # the station reported its write-only secret back (2.x report): kept redacted
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]["stations"]
    assert "BasicAuthPassword" in json.dumps(stored["cs1"]["v2"]["device_model"])
    assert "Refused charger cs1" in shown["logs"] and "Authorization: <redacted>" in shown["logs"]
    _assert_no_secret(entry, shown)
    await station.close()


def _service_call_on_the_bus(record: logging.LogRecord) -> bool:
    """Home Assistant's own debug line of each action called, its data (the password) included: core
    behaviour for every action taking a secret, outside this integration (the README says so and points to
    the options flow, which keeps the password off the bus)."""
    return record.name == "homeassistant.core" and "<Event call_service" in record.getMessage()
