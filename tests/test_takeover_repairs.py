"""Security profile 0: a repair when a charger's live connection is taken over from another address."""

from __future__ import annotations

import json

import websockets
from homeassistant.const import CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.repairs.charger_issues import (
    CONNECTION_REPLACED,
    charger_issue_id,
    clear_charger_issues,
)

from .helpers_ha import until

BOOT = {"chargePointVendor": "Test", "chargePointModel": "Raw"}


async def _boot_from(entry: MockConfigEntry, cp_id: str, address: str) -> websockets.ClientConnection:
    """A charger connecting from a given loopback address (Linux routes all of 127.0.0.0/8 to lo), booted."""
    ws = await websockets.connect(
        f"ws://127.0.0.1:{entry.data[CONF_PORT]}/{cp_id}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        local_addr=(address, 0),
    )
    await ws.send(json.dumps([2, "b1", "BootNotification", BOOT]))
    while json.loads(await ws.recv())[0] == 2:  # the central system's own calls go unanswered
        pass
    return ws


async def test_a_taken_over_connection_raises_a_repair(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    issues = ir.async_get(hass)
    key = charger_issue_id(CONNECTION_REPLACED, entry.entry_id, "garage")
    charger = await _boot_from(entry, "garage", "127.0.0.1")
    again = await _boot_from(entry, "garage", "127.0.0.1")  # the charger itself reconnecting: no repair
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, key) is None

    intruder = await _boot_from(entry, "garage", "127.0.0.2")
    await until(hass, lambda: issues.async_get_issue(DOMAIN, key) is not None)
    issue = issues.async_get_issue(DOMAIN, key)
    assert issue is not None
    assert (issue.translation_key, issue.severity, issue.is_fixable) == (
        "connection_replaced",
        ir.IssueSeverity.WARNING,
        False,
    )
    assert issue.translation_placeholders == {
        "charger": "garage",
        "address": "127.0.0.2",
        "previous_address": "127.0.0.1",
    }
    clear_charger_issues(hass, entry.entry_id, "garage")  # the charger's device removed: its issues go
    assert issues.async_get_issue(DOMAIN, key) is None
    for ws in (charger, again, intruder):
        await ws.close()
