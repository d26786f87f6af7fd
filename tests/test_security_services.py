"""The set_charger_password action, the repair for a charger failing to log in, and secrets in diagnostics."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import websockets
from homeassistant.const import CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms.features.credentials import AuthResult
from custom_components.ocpp_core.diagnostics import async_get_config_entry_diagnostics
from custom_components.ocpp_core.repairs.auth import FAILURES_BEFORE_ISSUE, issue_id
from sim import charger16, charger201
from sim.auth import ConnectOptions
from sim.core16 import ConfigKey

from .helpers_ha import until, wait_device

PASSWORD = "garage-password-2024"
NEW = "a-brand-new-password-99"


@pytest.fixture
def entry_args() -> dict[str, Any]:
    return {"data": {"security_profile": 1}}


def _url(entry: MockConfigEntry) -> str:
    return f"ws://127.0.0.1:{entry.data[CONF_PORT]}"


async def _set(hass: HomeAssistant, device_id: str, **data: Any) -> None:
    await hass.services.async_call(DOMAIN, "set_charger_password", {"device_id": device_id, **data}, blocking=True)


async def test_password_sent_to_a_16_charger(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    central = entry.runtime_data.central
    await central.credentials.set_password("garage", PASSWORD)
    cp, task, ws = await charger16.connect(_url(entry), "garage", options=ConnectOptions(PASSWORD))
    await cp.boot()
    device_id = (await wait_device(hass, "garage")).id
    # the simulated charger has no AuthorizationKey yet: it answers NotSupported, nothing changes
    with pytest.raises(HomeAssistantError) as refused:
        await _set(hass, device_id, password=NEW)
    assert refused.value.translation_key == "charger_rejected"
    with pytest.raises(ServiceValidationError) as short:
        await _set(hass, device_id, password="short")
    assert short.value.translation_key == "password_length"
    cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)
    await _set(hass, device_id, password=NEW)
    assert cp.sim.configuration["AuthorizationKey"].value == NEW.encode().hex()
    await ws.close()
    task.cancel()
    await until(hass, lambda: not central.is_connected("garage"))
    # the charger comes back with the new one, as the hex text it was given
    cp, task, ws = await charger16.connect(_url(entry), "garage", options=ConnectOptions(NEW.encode().hex()))
    await cp.boot()
    await ws.close()
    task.cancel()
    # stored only, without a connection; and removed
    await _set(hass, device_id, password="typed-on-the-charger", send_to_charger=False)
    with pytest.raises(ServiceValidationError):
        await _set(hass, device_id, send_to_charger=True)
    await _set(hass, device_id, send_to_charger=False)
    assert not central.credentials.has_password("garage")


async def test_password_sent_to_a_201_station(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    central = entry.runtime_data.central
    await central.credentials.set_password("cs1", PASSWORD)
    station = await charger201.connect(_url(entry), "cs1", options=ConnectOptions(PASSWORD))
    await station.boot()
    await _set(hass, (await wait_device(hass, "cs1")).id, password=NEW)
    assert station.sim.device_model.value("SecurityCtrlr", "BasicAuthPassword") == NEW
    diagnostics = json.dumps(await async_get_config_entry_diagnostics(hass, entry))
    assert NEW not in diagnostics
    assert PASSWORD not in diagnostics
    assert '"has_password": true' in diagnostics
    await station.close()


async def _wrong(entry: MockConfigEntry, station_id: str) -> None:
    token = base64.b64encode(f"{station_id}:wrong-password".encode()).decode()
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(
            f"{_url(entry)}/{station_id}",
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers={"Authorization": f"Basic {token}"},
        )
    assert refused.value.response.status_code == 401


async def test_a_charger_failing_to_log_in_raises_a_repair_until_it_gets_in(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    central = entry.runtime_data.central
    await central.credentials.set_password("garage", PASSWORD)
    issues = ir.async_get(hass)
    key = issue_id(entry.entry_id, "garage")
    for _ in range(FAILURES_BEFORE_ISSUE - 1):
        await _wrong(entry, "garage")
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, key) is None  # a few are a charger catching up
    await _wrong(entry, "garage")
    await hass.async_block_till_done()
    issue = issues.async_get_issue(DOMAIN, key)
    assert issue is not None
    assert issue.translation_key == "auth_failed_password"
    assert issue.translation_placeholders == {
        "charger": "garage",
        "address": "127.0.0.1",
        "failures": str(FAILURES_BEFORE_ISSUE),
    }
    cp, task, ws = await charger16.connect(_url(entry), "garage", options=ConnectOptions(PASSWORD))
    await cp.boot()
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, key) is None
    await ws.close()
    task.cancel()


async def test_password_for_an_offline_charger_is_not_stored_when_it_cannot_be_sent(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    central = entry.runtime_data.central
    await central.credentials.set_password("garage", PASSWORD)
    cp, task, ws = await charger16.connect(_url(entry), "garage", options=ConnectOptions(PASSWORD))
    await cp.boot()
    device_id = (await wait_device(hass, "garage")).id
    await ws.close()
    task.cancel()
    await until(hass, lambda: not central.is_connected("garage"))
    with pytest.raises(HomeAssistantError) as offline:
        await _set(hass, device_id, password=NEW, send_to_charger=True)
    assert offline.value.translation_key == "charger_offline"
    old = ConnectOptions(PASSWORD).headers("garage")["Authorization"]
    assert await central.credentials.check("garage", old) is AuthResult.OK  # the old one still lets it in


async def test_a_generated_password_reaches_the_charger_but_never_the_event_bus(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    central = entry.runtime_data.central
    await central.credentials.set_password("cs1", PASSWORD)
    station = await charger201.connect(_url(entry), "cs1", options=ConnectOptions(PASSWORD))
    await station.boot()
    device_id = (await wait_device(hass, "cs1")).id
    on_the_bus: list[str] = []
    hass.bus.async_listen("call_service", lambda event: on_the_bus.append(json.dumps(event.data, default=str)))
    response = await hass.services.async_call(
        DOMAIN, "set_charger_password", {"device_id": device_id, "generate": True}, blocking=True, return_response=True
    )
    assert response is not None
    generated = str(response["password"])
    assert len(generated) == 32
    assert generated.isalnum()
    assert station.sim.device_model.value("SecurityCtrlr", "BasicAuthPassword") == generated
    await hass.async_block_till_done()
    assert on_the_bus
    assert all(generated not in data for data in on_the_bus)
    await station.close()
    await until(hass, lambda: not central.is_connected("cs1"))
    # the station logs in with the generated password
    station = await charger201.connect(_url(entry), "cs1", options=ConnectOptions(generated))
    await station.boot()
    # a response is optional: without one, the new password is only with the charger
    await hass.services.async_call(
        DOMAIN, "set_charger_password", {"device_id": device_id, "generate": True}, blocking=True
    )
    assert station.sim.device_model.value("SecurityCtrlr", "BasicAuthPassword") not in (generated, PASSWORD)
    await station.close()
    # typed and generated together, or generated but not sent: refused
    for data, key in (
        ({"generate": True, "password": NEW}, "password_or_generate"),
        ({"generate": True, "send_to_charger": False}, "generate_needs_send"),
    ):
        with pytest.raises(ServiceValidationError) as refused:
            await _set(hass, device_id, **data)
        assert refused.value.translation_key == key
