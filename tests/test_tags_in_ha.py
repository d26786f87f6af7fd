"""Tags at work in Home Assistant: the tag presented event carries the decision, the remote-start tag works
only for Home Assistant's own remote starts, and the local list follows the tag services (1.6J and 2.0.1)."""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_PORT
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.diagnostics import async_get_device_diagnostics
from sim.charger16 import connect

from .helpers_ha import boot_station, device_entry, until, wait_device


def _presented(hass: HomeAssistant) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    @callback  # in the event loop, in order (a plain function would run in an executor thread)
    def keep(event: Event[Any]) -> None:
        seen.append(dict(event.data))

    hass.bus.async_listen(f"{DOMAIN}_tag_presented", keep)
    return seen


async def test_v16_tag_presented_and_remote_start(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    central: CentralSystem = entry.runtime_data.central
    presented = _presented(hass)
    charger, task, ws = await connect(f"ws://127.0.0.1:{entry.data[CONF_PORT]}", "wallbox", connectors=2)
    await charger.boot()
    await charger.send_status(1, "Available")
    device_id = (await wait_device(hass, "wallbox")).id
    await hass.services.async_call(DOMAIN, "add_tag", {"id_tag": "LOST-CARD", "status": "Blocked"}, blocking=True)

    assert (await charger.authorize("STRANGER")).id_tag_info["status"] == "Invalid"  # unknown: refused by default
    assert (await charger.authorize("HomeAssistant")).id_tag_info["status"] == "Invalid"  # not at the charger
    charger.sim.configuration["StopTransactionOnInvalidId"].value = "true"
    await charger.start_transaction(2, "lost-card")
    assert charger.last_id_tag_info == {"status": "Blocked"}
    await until(hass, lambda: len(presented) == 3)
    assert [(p["id_tag"], p["status"], p.get("action")) for p in presented] == [
        ("STRANGER", "Invalid", None),
        ("HomeAssistant", "Invalid", None),
        ("lost-card", "Blocked", "StartTransaction"),
    ]
    assert presented[2]["device_id"] == device_id

    # Home Assistant's own remote start with its tag is accepted
    await hass.services.async_call(
        DOMAIN, "start_transaction", {"device_id": device_id, "connector_id": 1}, blocking=True
    )
    connector = central.stations["wallbox"].connectors[1]
    # the central system records the transaction before the charger reads its answer: wait for both
    await until(hass, lambda: connector.transaction is not None and charger.last_id_tag_info == {"status": "Accepted"})
    assert connector.transaction is not None and connector.transaction.id_tag == "HomeAssistant"
    await ws.close()
    task.cancel()


async def test_v201_remote_start_and_refused_event(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    central: CentralSystem = entry.runtime_data.central
    presented = _presented(hass)
    station = await boot_station(hass, central, "station", "2.0.1", 2)
    device_id = (await wait_device(hass, "station")).id
    await station.start_transaction(2, "STRANGER")
    assert station.event_answers[-1].id_token_info == {"status": "Invalid"}
    await until(hass, lambda: len(presented) == 1)
    assert (presented[0]["status"], presented[0]["action"], presented[0]["connector_id"]) == (
        "Invalid",
        "TransactionEvent",
        2,
    )
    await hass.services.async_call(
        DOMAIN, "start_transaction", {"device_id": device_id, "connector_id": 1}, blocking=True
    )
    evse = central.stations["station"].connectors[1]

    def answered() -> bool:  # the remote start's TransactionEvent sent and its answer in
        tx = evse.transaction
        return tx is not None and station.sent_events[-1]["transaction_info"]["transaction_id"] == tx.transaction_id

    await until(hass, answered)
    assert station.event_answers[-1].id_token_info == {"status": "Accepted"}
    await station.close()


async def test_local_list_follows_the_tag_services(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    central: CentralSystem = entry.runtime_data.central
    charger, task, ws = await connect(f"ws://127.0.0.1:{entry.data[CONF_PORT]}", "listed")
    await charger.boot()
    await until(hass, lambda: central.stations.get("listed") is not None)
    await until(hass, lambda: central.stations["listed"].configuration_time is not None)
    await central.update_settings("listed", {"push_local_list": True})
    await hass.services.async_call(DOMAIN, "add_tag", {"id_tag": "Card-A", "parent_id_tag": "FAMILY"}, blocking=True)
    await until(hass, lambda: "Card-A" in charger.sim.local_list)
    assert charger.sim.local_list["Card-A"] == {"status": "Accepted", "parent_id_tag": "FAMILY"}
    await hass.services.async_call(DOMAIN, "update_tag", {"id_tag": "card-a", "status": "Blocked"}, blocking=True)
    await until(hass, lambda: charger.sim.local_list["Card-A"]["status"] == "Blocked")
    await hass.services.async_call(DOMAIN, "remove_tag", {"id_tag": "CARD-A"}, blocking=True)
    await until(hass, lambda: charger.sim.local_list == {})
    # the charger applies the list before it answers: its answer is recorded a moment later (on a loaded machine)
    await until(hass, lambda: central.local_lists.results["listed"]["list_version"] == charger.sim.local_list_version)
    assert central.local_lists.results["listed"]["update_type"] == "Differential"
    # the outcome of the last push shows in the charger's diagnostics
    shown = (await async_get_device_diagnostics(hass, entry, device_entry(hass, "listed")))["local_list"]
    assert (shown["status"], shown["update_type"], shown["entries"]) == ("Accepted", "Differential", 1)
    assert shown["list_version"] == charger.sim.local_list_version
    await ws.close()
    task.cancel()
