"""Home Assistant's Store and a value it cannot write (issue 11): that record is left out with an error
naming it and a repair issue, and everything else keeps being saved."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms import CentralSystem

from .helpers_ha import charger16


def _central(entry: MockConfigEntry) -> CentralSystem:
    central: CentralSystem = entry.runtime_data.central
    return central


async def test_a_value_the_store_cannot_write_stops_no_later_save(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    key = f"{DOMAIN}.{entry.entry_id}"
    central = _central(entry)
    async with charger16(hass, entry, "wb") as charger:
        # a number beyond 64 bits in the state (as lenient mode could once make of a connector id):
        # orjson, and so the Store, refuse the whole state because of it
        central.stations["wb"].log_request_id = 2**70
        with caplog.at_level(logging.ERROR):
            await central.state.store.save_now()
        assert "stations.wb.log_request_id" in caplog.text and "Integer exceeds 64-bit range" in caplog.text
        saved = hass_storage[key]["data"]["stations"]["wb"]
        assert "log_request_id" not in saved and saved["vendor"] is not None
        # what happens afterwards is still saved: a session, written before its answer
        await charger.start_transaction(1, "TAG")
        saved = hass_storage[key]["data"]["stations"]["wb"]
        assert [tx["id_tag"] for tx in saved["open_transactions"]] == ["TAG"]
        await charger.stop_transaction(1)
        assert hass_storage[key]["data"]["stations"]["wb"]["open_transactions"] == []
        assert [tx["id_tag"] for tx in hass_storage[key]["data"]["history"]] == ["TAG"]

    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"unstorable_{entry.entry_id}_wb")
    assert issue is not None and issue.translation_key == "unstorable"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["path"] == "stations.wb.log_request_id"
    assert "64-bit" in issue.translation_placeholders["reason"]
    # said once, not at every save
    assert caplog.text.count("stations.wb.log_request_id") == 1
