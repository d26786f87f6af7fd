"""The tags entry of the options: add, edit (pick, then the form), remove, and the tag policy; on both back ends
(remote: the add-on's tag book, over its API)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.backend import CentralBackend
from custom_components.ocpp_core.csms.state.tags import TagRecord
from sim.charger16 import connect

from .helpers_ha import until
from .helpers_remote import both_backends, is_remote_entry, ocpp_url, stored_tags

TAG_MENU = ["tag_add", "tag_pick", "tag_remove", "tag_policy"]


async def _step(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> dict[str, Any]:
    """Open the options at tags → `step`."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert "tags" in result["menu_options"]
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "tags"})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == TAG_MENU
    return dict(await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": step}))


@both_backends
async def test_add_edit_remove(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    central: CentralBackend = entry.runtime_data.central
    charger, task, ws = await connect(ocpp_url(entry), "garage")
    await charger.boot()
    await until(hass, lambda: "garage" in central.stations)
    options_before = dict(entry.options)

    result = await _step(hass, entry, "tag_add")
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"id_tag": "Card-A", "name": "Anna", "status": "accepted", "expiry_date": "2031-01-01 00:00:00"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(entry.options) == options_before
    record = (await stored_tags(entry)).get("card-a")
    assert record is not None and (record.name, record.status) == ("Anna", "Accepted")
    # typed in Home Assistant's time zone, stored in UTC
    zone = dt_util.get_default_time_zone()
    assert record.expiry == dt_util.as_utc(datetime(2031, 1, 1, tzinfo=zone))
    assert record.expiry is not None and record.expiry.tzinfo is UTC

    result = await _step(hass, entry, "tag_add")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"id_tag": "CARD-A"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"id_tag": "duplicate_tag"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"id_tag": "B" * 37, "status": "accepted"}
    )
    assert result["errors"] == {"id_tag": "bad_id"}
    assert len(await stored_tags(entry)) == 1

    result = await _step(hass, entry, "tag_pick")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"id_tag": "Card-A"})
    assert result["step_id"] == "tag_edit"
    assert result["description_placeholders"]["tag"] == "Card-A"
    # the form shows the expiry back as it was typed (local time), and the chargers to choose from
    fields = {str(key): key for key in result["data_schema"].schema}
    assert fields["expiry_date"].description == {"suggested_value": "2031-01-01 00:00:00"}
    chargers = result["data_schema"].schema[fields["chargers"]].config
    assert chargers["multiple"] is True
    assert [option["value"] for option in chargers["options"]] == ["garage"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Anna", "status": "blocked", "chargers": ["garage"], "parent_id_tag": "FAM"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    record = (await stored_tags(entry)).get("card-a")
    assert record is not None
    # the expiry date left empty is cleared
    assert (record.status, record.chargers, record.parent_id, record.expiry) == (
        "Blocked",
        frozenset({"garage"}),
        "FAM",
        None,
    )

    await central.records.add_tag(TagRecord("Card-C"))  # added elsewhere (the add-on's pages): the form offers it
    result = await _step(hass, entry, "tag_remove")
    offered = result["data_schema"].schema[next(iter(result["data_schema"].schema))].config["options"]
    assert [option["value"] for option in offered] == ["Card-A", "Card-C"]
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"id_tags": ["Card-A", "Card-C"]})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(await stored_tags(entry)) == 0
    result = await _step(hass, entry, "tag_pick")
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "no_tags")
    await ws.close()
    task.cancel()


@both_backends
async def test_policy(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The policy is the central system's, kept where it keeps it (embedded: the entry's options; remote: the
    add-on's, over its API, not copied into the entry) and in force at once."""
    charger, task, ws = await connect(ocpp_url(entry), "door")
    await charger.boot()
    records = entry.runtime_data.central.records
    for unknown_tags, refuse in (("reject", False), ("accept", True)):
        result = await _step(hass, entry, "tag_policy")
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"unknown_tags": unknown_tags, "refuse_concurrent_tags": refuse}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        stranger = "Accepted" if unknown_tags == "accept" else "Invalid"
        assert (await charger.authorize("STRANGER")).id_tag_info["status"] == stranger
        assert (await charger.authorize("HomeAssistant")).id_tag_info["status"] == "Invalid"  # remote starts only
    if is_remote_entry(entry):
        own = await records.central_system_options()
        assert own is not None and (own["unknown_tags"], own["refuse_concurrent_tags"]) == ("accept", True)
        assert "unknown_tags" not in entry.options
    else:
        assert entry.options["unknown_tags"] == "accept" and entry.options["unknown_chargers"] == "accept"
    result = await _step(hass, entry, "tag_policy")  # shown as set
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert (defaults["unknown_tags"], defaults["refuse_concurrent_tags"]) == ("accept", True)
    await ws.close()
    task.cancel()
