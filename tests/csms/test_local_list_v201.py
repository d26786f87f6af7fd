"""OCPP 2.0.1 / 2.1 local authorization lists kept in step with the tag book (LocalAuthListCtrlr)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.state.tags import TagRecord
from sim.state201 import LOCAL_LIST_ITEMS_PER_MESSAGE

from .support.helpers import wait_for
from .support.helpers_v201 import VERSIONS, booted
from .support.local_list import Pushes

EXPIRY = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def pushes(central: CentralSystem) -> Pushes:
    return Pushes(central)


@pytest.mark.parametrize("version", VERSIONS)
async def test_pushed_on_change_full_then_differential(
    central: CentralSystem, url: str, pushes: Pushes, version: str
) -> None:
    station = await booted(central, url, "st-list", version)
    central.tags.add(TagRecord("Card-A", parent_id="FAMILY", expiry=EXPIRY))
    central.tags.add(TagRecord("Card-B", status="Blocked"))
    central.tags.add(TagRecord("Card-C", chargers=frozenset({"another"})))
    await central.update_settings("st-list", {"push_local_list": True})
    result = await pushes.wait(1)
    assert (result["status"], result["update_type"], result["list_version"], result["entries"]) == (
        "Accepted",
        "Full",
        3,
        2,
    )
    assert station.sim.local_list == {
        "Card-A": {
            "status": "Accepted",
            "cache_expiry_date_time": "2031-01-02T03:04:05.000Z",
            "group_id_token": {"id_token": "FAMILY", "type": "Central"},
        },
        "Card-B": {"status": "Blocked"},
    }
    central.tags.remove(["card-b"])
    result = await pushes.wait(2)
    assert (result["status"], result["update_type"], result["list_version"]) == ("Accepted", "Differential", 4)
    assert list(station.sim.local_list) == ["Card-A"]
    assert central.stations["st-list"].local_list_version == 4
    await station.close()


async def test_items_per_message(central: CentralSystem, url: str, pushes: Pushes) -> None:
    station = await booted(central, url, "st-many")
    count = LOCAL_LIST_ITEMS_PER_MESSAGE * 2 + 5
    for number in range(count):
        central.tags.add(TagRecord(f"TAG-{number:04d}"))
    await central.update_settings("st-many", {"push_local_list": True})
    result = await pushes.wait(1)
    assert (result["status"], result["update_type"], result["entries"]) == ("Accepted", "Full", count)
    assert result["list_version"] == count + 2  # the book's version, then one per further message
    assert len(station.sim.local_list) == count
    await station.close()


async def test_a_station_with_the_list_disabled(central: CentralSystem, url: str, pushes: Pushes) -> None:
    station = await booted(central, url, "st-off")
    model = central.stations["st-off"].v2
    assert model is not None
    model.device_model.set_value({"name": "LocalAuthListCtrlr"}, {"name": "Enabled"}, "false")
    central.tags.add(TagRecord("A"))
    await central.update_settings("st-off", {"push_local_list": True})
    result = await pushes.wait(1)
    assert (result["status"], result["detail"]) == ("NotSupported", "LocalAuthListCtrlr.Enabled is false")
    assert station.sim.local_list == {}
    await station.close()


async def test_boot_with_a_lost_list(central: CentralSystem, url: str, pushes: Pushes) -> None:
    station = await booted(central, url, "st-boot")
    central.tags.add(TagRecord("A"))
    await central.update_settings("st-boot", {"push_local_list": True})
    await pushes.wait(1)
    station.sim.local_list, station.sim.local_list_version = {}, 0
    await station.boot()
    result = await pushes.wait(2)
    assert (result["status"], result["update_type"], result["list_version"]) == ("Accepted", "Full", 2)
    await wait_for(lambda: list(station.sim.local_list) == ["A"])
    await station.close()
