"""Tag services in Home Assistant: add_tag, update_tag, remove_tag, list_tags, and their translated errors; on both
back ends (remote: the add-on's tag book, over its API, the same errors)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence
from sim.charger16 import connect

from .helpers_ha import add_entry, until
from .helpers_remote import both_backends, ocpp_url, stored_tags


def _central(entry: MockConfigEntry) -> CentralSystem:
    central: CentralSystem = entry.runtime_data.central
    return central


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any], response: bool = False) -> Any:
    return await hass.services.async_call(DOMAIN, service, data, blocking=True, return_response=response)


async def _refused(hass: HomeAssistant, service: str, data: dict[str, Any]) -> ServiceValidationError:
    with pytest.raises(ServiceValidationError) as refused:
        await _call(hass, service, data, response=service == "list_tags")
    assert refused.value.translation_domain == DOMAIN
    return refused.value


@both_backends
async def test_add_list_update_remove(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    central = _central(entry)
    charger, task, ws = await connect(ocpp_url(entry), "garage")
    await charger.boot()
    await until(hass, lambda: "garage" in central.stations)

    added = await _call(
        hass,
        "add_tag",
        {
            "id_tag": "Card-A",
            "name": "Anna",
            "status": "accepted",
            "expiry_date": "2020-01-01 00:00:00",
            "parent_id_tag": "FAMILY",
            "chargers": ["garage"],
        },
        response=True,
    )
    local_midnight = dt_util.as_utc(datetime(2020, 1, 1, tzinfo=dt_util.get_default_time_zone()))
    assert added["tag"]["expiry_date"] == local_midnight.isoformat()  # a time without zone is local time
    assert added["tag"]["status_now"] == "Expired"
    await _call(hass, "add_tag", {"id_tag": "Card-B", "status": "Blocked", "expiry_date": "2030-06-30"})

    listed = await _call(hass, "list_tags", {}, response=True)
    assert listed["version"] == 2
    assert [(t["id_tag"], t["status"], t["status_now"]) for t in listed["tags"]] == [
        ("Card-A", "Accepted", "Expired"),
        ("Card-B", "Blocked", "Blocked"),
    ]
    assert listed["tags"][0]["chargers"] == ["garage"] and listed["tags"][0]["parent_id_tag"] == "FAMILY"
    # a date alone: valid through that day (local time)
    through = dt_util.as_utc(datetime(2030, 7, 1, tzinfo=dt_util.get_default_time_zone()))
    assert listed["tags"][1]["expiry_date"] == through.isoformat()

    await _call(hass, "update_tag", {"id_tag": "card-a", "expiry_date": "", "chargers": [], "status": "Blocked"})
    record = (await stored_tags(entry)).get("CARD-A")
    assert record is not None
    assert (record.expiry, record.chargers, record.status, record.name) == (None, frozenset(), "Blocked", "Anna")

    await _call(hass, "remove_tag", {"id_tag": ["card-a", "CARD-B"]})
    assert len(await stored_tags(entry)) == 0
    await ws.close()
    task.cancel()


@both_backends
async def test_bad_input_is_refused_and_changes_nothing(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await _call(hass, "add_tag", {"id_tag": "Card-A"})
    cases = [
        ("add_tag", {"id_tag": "CARD-a"}, "tag_duplicate_tag", {"tag": "CARD-a"}),
        ("add_tag", {"id_tag": "B", "status": "Lost"}, "tag_bad_status", {"tag": "Lost"}),
        ("add_tag", {"id_tag": "B", "expiry_date": "next Tuesday"}, "tag_bad_date", {"tag": "next Tuesday"}),
        ("add_tag", {"id_tag": "B", "chargers": ["nowhere"]}, "tag_unknown_charger", {"tag": "nowhere"}),
        ("add_tag", {"id_tag": "X" * 37}, "tag_bad_id", {"tag": "X" * 37}),
        ("update_tag", {"id_tag": "nobody", "status": "Blocked"}, "tag_unknown_tag", {"tag": "nobody"}),
        ("update_tag", {"id_tag": "Card-A", "expiry_date": "31.12.2030"}, "tag_bad_date", {"tag": "31.12.2030"}),
        ("remove_tag", {"id_tag": ["Card-A", "nobody"]}, "tag_unknown_tag", {"tag": "nobody"}),
    ]
    for service, data, key, placeholders in cases:
        error = await _refused(hass, service, data)
        assert error.translation_key == key, (service, data)
        assert error.translation_placeholders is not None
        assert placeholders.items() <= error.translation_placeholders.items()
    tags = await stored_tags(entry)
    assert [record.id_tag for record in tags] == ["Card-A"]
    assert tags.version == 1


async def test_several_central_systems(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    second = await add_entry(hass)
    assert (await _refused(hass, "list_tags", {})).translation_key == "central_system_required"
    await _call(hass, "add_tag", {"config_entry_id": second.entry_id, "id_tag": "ONLY-SECOND"})
    assert _central(second).tags.get("only-second") is not None
    assert len(_central(entry).tags) == 0
    missing = await _refused(hass, "list_tags", {"config_entry_id": "no-such-entry"})
    assert missing.translation_key == "central_system_not_found"
    assert await hass.config_entries.async_unload(second.entry_id)


@both_backends
async def test_tags_are_stored_at_once(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    expiry = datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
    await _call(hass, "add_tag", {"id_tag": "Kept", "expiry_date": expiry.isoformat(), "parent_id_tag": "P"})
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    record = (await stored_tags(entry)).get("kept")
    assert record is not None and (record.expiry, record.parent_id) == (expiry, "P")


@both_backends
async def test_expiry_given_as_date_or_datetime(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """An automation may pass date and datetime objects (a template's as_datetime) instead of text."""
    noon = datetime(2031, 1, 1, 12, 30, tzinfo=UTC)
    await _call(hass, "add_tag", {"id_tag": "AT-NOON", "expiry_date": noon})
    await _call(hass, "add_tag", {"id_tag": "ALL-DAY", "expiry_date": date(2031, 1, 1)})
    await _call(hass, "add_tag", {"id_tag": "LOCAL", "expiry_date": datetime(2031, 1, 1, 8)})  # no zone: local
    zone = dt_util.get_default_time_zone()
    tags = await stored_tags(entry)
    assert tags.get("AT-NOON").expiry == noon
    assert tags.get("ALL-DAY").expiry == dt_util.as_utc(datetime(2031, 1, 2, tzinfo=zone))  # through that day
    assert tags.get("LOCAL").expiry == dt_util.as_utc(datetime(2031, 1, 1, 8, tzinfo=zone))


async def test_a_tag_edit_reaches_the_store_at_once(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """The services save through the central system's API: the Store holds the change before the call
    returns (no delayed write, no stop), and a central system restarted on it knows the tag."""
    key = f"{DOMAIN}.{entry.entry_id}"
    await _call(hass, "add_tag", {"id_tag": "Card-A", "name": "Anna"})
    await _call(hass, "add_tag", {"id_tag": "Card-B"})
    await _call(hass, "update_tag", {"id_tag": "card-a", "status": "Blocked"})
    await _call(hass, "remove_tag", {"id_tag": ["card-b"]})
    stored = hass_storage[key]["data"]
    assert [(tag["id_tag"], tag["status"]) for tag in stored["tags"]["tags"]] == [("Card-A", "Blocked")]

    restarted = CentralSystem(CentralSystemConfig(host="127.0.0.1", port=0), MemoryPersistence(stored))
    await restarted.load()
    record = restarted.tags.get("CARD-A")
    assert record is not None and (record.name, record.status) == ("Anna", "Blocked")
    assert restarted.tags.get("Card-B") is None
