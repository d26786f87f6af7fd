"""OCPP 1.6J local authorization lists kept in step with the tag book (SendLocalList, Full and Differential)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.state.tags import TagRecord
from sim.charger16 import SimulatedChargePoint, connect

from .support.helpers import wait_for
from .support.local_list import Pushes

CP = "cp-list"
EXPIRY = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def pushes(central: CentralSystem) -> Pushes:
    return Pushes(central)


async def _charger(central: CentralSystem, url: str, cp_id: str = CP, **config: str) -> SimulatedChargePoint:
    cp, _task, _ws = await connect(url, cp_id)
    for key, value in config.items():
        cp.sim.configuration[key].value = value
    await cp.boot()
    await wait_for(lambda: central.stations[cp_id].configuration_time is not None)
    return cp


@pytest.fixture
async def charger(central: CentralSystem, url: str) -> AsyncIterator[SimulatedChargePoint]:
    cp = await _charger(central, url)
    yield cp
    await cp._connection.close()


async def test_switched_on_pushes_the_whole_list(
    central: CentralSystem, charger: SimulatedChargePoint, pushes: Pushes
) -> None:
    central.tags.add(TagRecord("Card-A", parent_id="FAMILY", expiry=EXPIRY))
    central.tags.add(TagRecord("Card-B", status="Blocked"))
    central.tags.add(TagRecord("Card-C", chargers=frozenset({"another"})))  # not for this charger
    central.tags.add(TagRecord("X" * 21))  # too long for a 1.6 idTag
    assert charger.sim.local_list == {}  # the setting is off: nothing sent

    await central.update_settings(CP, {"push_local_list": True})
    result = await pushes.wait(1)
    assert (result["status"], result["update_type"], result["list_version"], result["entries"]) == (
        "Accepted",
        "Full",
        4,
        2,
    )
    assert charger.sim.local_list == {
        "Card-A": {"status": "Accepted", "expiry_date": "2031-01-02T03:04:05.000Z", "parent_id_tag": "FAMILY"},
        "Card-B": {"status": "Blocked"},
    }
    assert charger.sim.local_list_version == 4
    assert central.stations[CP].local_list_version == 4


async def test_tag_changes_go_as_differences(
    central: CentralSystem, charger: SimulatedChargePoint, pushes: Pushes
) -> None:
    central.tags.add(TagRecord("A"))
    central.tags.add(TagRecord("B"))
    await central.update_settings(CP, {"push_local_list": True})
    await pushes.wait(1)
    central.tags.update("a", {"status": "Blocked"})
    result = await pushes.wait(2)
    assert (result["update_type"], result["list_version"], result["entries"]) == ("Differential", 3, 1)
    central.tags.remove(["B"])
    central.tags.add(TagRecord("C"))
    await wait_for(lambda: charger.sim.local_list_version == 5)
    assert charger.sim.local_list == {"A": {"status": "Blocked"}, "C": {"status": "Accepted"}}
    assert {r["update_type"] for r in pushes.results[1:]} == {"Differential"}


async def test_a_charger_without_the_setting_gets_nothing(
    central: CentralSystem, url: str, charger: SimulatedChargePoint, pushes: Pushes
) -> None:
    other = await _charger(central, url, "cp-other")
    await central.update_settings("cp-other", {"push_local_list": True})
    await pushes.wait(1)
    central.tags.add(TagRecord("A"))
    await wait_for(lambda: "A" in other.sim.local_list)
    assert charger.sim.local_list == {} and charger.sim.local_list_version == 0
    await other._connection.close()


async def test_per_message_and_list_length_limits(central: CentralSystem, url: str, pushes: Pushes) -> None:
    cp = await _charger(central, url, SendLocalListMaxLength="2", LocalAuthListMaxLength="4")
    for name in ("E", "D", "C", "B", "A"):
        central.tags.add(TagRecord(name, status="Blocked" if name == "A" else "Accepted"))
    await central.update_settings(CP, {"push_local_list": True})
    result = await pushes.wait(1)
    # Full with 2, then Differential 2: the Blocked tag is the one left out
    assert (result["status"], result["update_type"], result["entries"], result["list_version"]) == (
        "Accepted",
        "Full",
        4,
        6,
    )
    assert result["detail"] == "1 tags left out (the list holds 4)"
    assert sorted(cp.sim.local_list) == ["B", "C", "D", "E"]
    assert cp.sim.local_list_version == 6
    await cp._connection.close()


async def test_a_charger_that_does_not_take_lists(central: CentralSystem, url: str, pushes: Pushes) -> None:
    cp = await _charger(central, url, LocalAuthListEnabled="false")
    central.tags.add(TagRecord("A"))
    await central.update_settings(CP, {"push_local_list": True})
    result = await pushes.wait(1)
    assert (result["status"], result["detail"]) == ("NotSupported", "LocalAuthListEnabled is false")
    assert cp.sim.local_list == {}
    assert (await cp.authorize("A")).id_tag_info["status"] == "Accepted"  # nothing else is hurt
    await cp._connection.close()


async def test_a_refusal_is_recorded_and_announced(
    central: CentralSystem, charger: SimulatedChargePoint, pushes: Pushes
) -> None:
    central.tags.add(TagRecord("A"))
    charger.sim.configuration["LocalAuthListEnabled"].value = "false"  # changed behind the central system's back
    await central.update_settings(CP, {"push_local_list": True})
    result = await pushes.wait(1)
    assert (result["status"], result["update_type"]) == ("NotSupported", "Full")
    assert central.local_lists.results[CP]["status"] == "NotSupported"
    assert central.local_lists.pushed_version(CP) is None
    charger.sim.configuration["LocalAuthListEnabled"].value = "true"
    central.tags.add(TagRecord("B"))  # the next change sends the whole list
    result = await pushes.wait(2)
    assert (result["status"], result["update_type"], result["entries"]) == ("Accepted", "Full", 2)


async def test_reconnect_and_boot_bring_the_list_up_to_date(central: CentralSystem, url: str, pushes: Pushes) -> None:
    central.local_lists.boot_grace = 0.05
    cp = await _charger(central, url)
    central.tags.add(TagRecord("A"))
    await central.update_settings(CP, {"push_local_list": True})
    await pushes.wait(1)
    await cp._connection.close()
    await wait_for(lambda: not central.is_connected(CP))
    central.tags.add(TagRecord("B"))  # while it is away

    again, _task, _ws = await connect(url, CP)  # back without booting, its list as it was
    again.sim.local_list, again.sim.local_list_version = cp.sim.local_list, cp.sim.local_list_version
    result = await pushes.wait(2)
    assert (result["status"], result["update_type"], result["list_version"]) == ("Accepted", "Differential", 2)
    assert sorted(again.sim.local_list) == ["A", "B"]

    again.sim.local_list, again.sim.local_list_version = {}, 0  # e.g. a factory reset
    await again.boot()
    result = await pushes.wait(3)
    assert (result["status"], result["update_type"], result["list_version"]) == ("Accepted", "Full", 3)  # above both
    assert sorted(again.sim.local_list) == ["A", "B"]
    asked = _version_requests(central)
    await again.boot()  # booting with the list it has: only asked for its version
    await wait_for(lambda: _version_requests(central) == asked + 1)
    await again.heartbeat()  # the answer is handled by now
    assert len(pushes.results) == 3
    assert again.sim.local_list_version == 3
    await again._connection.close()


def _version_requests(central: CentralSystem) -> int:
    """GetLocalListVersion calls answered (in the frame log)."""
    frames = central.recent_frames(CP)
    sent = {text.split(",")[1] for _, way, text in frames if way == "out" and '"GetLocalListVersion"' in text}
    return sum(1 for _, way, text in frames if way == "in" and text.startswith("[3,") and text.split(",")[1] in sent)
