"""The meter interval: set on the charger only where it differs, by version, and a refusal announced."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem, Event, EventType
from custom_components.ocpp_core.csms.v201.charger import METER_INTERVAL_COMPONENT as COMPONENT_V2
from custom_components.ocpp_core.csms.v201.charger import METER_INTERVAL_KEY as KEY_V2
from custom_components.ocpp_core.csms.v201.charger import METER_INTERVAL_VARIABLE as VARIABLE_V2
from sim.charger16 import SimulatedChargePoint, connect

from .support import helpers_v201
from .support.helpers import wait_for


@pytest.fixture
def answers(central: CentralSystem) -> list[Event]:
    seen: list[Event] = []
    wanted = (EventType.CONFIGURATION_ACCEPTED, EventType.CONFIGURATION_REJECTED)
    central.events.subscribe(lambda e: seen.append(e) if e.type in wanted else None)
    return seen


async def booted16(central: CentralSystem, url: str, cp_id: str) -> AsyncIterator[SimulatedChargePoint]:
    cp, task, ws = await connect(url, cp_id)
    await cp.boot()
    await wait_for(lambda: central.stations[cp_id].configuration_time is not None)
    await central.meter_intervals.wait(cp_id)
    yield cp
    await ws.close()
    task.cancel()


def changes(cp: SimulatedChargePoint) -> list[dict[str, Any]]:
    return [payload for action, payload in cp.requests if action == "ChangeConfiguration"]


async def test_v16_nothing_is_written_without_a_wish(central: CentralSystem, url: str, answers: list[Event]) -> None:
    async for cp in booted16(central, url, "plain"):
        assert changes(cp) == []
        assert answers == []


async def test_v16_default_set_after_boot_and_own_setting_wins(
    central: CentralSystem, url: str, answers: list[Event]
) -> None:
    central.meter_intervals.set_default(30)
    async for cp in booted16(central, url, "cp16"):
        assert changes(cp) == [{"key": "MeterValueSampleInterval", "value": "30"}]
        assert cp.sim.configuration["MeterValueSampleInterval"].value == "30"
        assert central.stations["cp16"].meter_value_sample_interval == 30
        assert [(e.type, e.data) for e in answers] == [
            (EventType.CONFIGURATION_ACCEPTED, {"key": "MeterValueSampleInterval", "value": "30", "status": "Accepted"})
        ]
        # the charger's own setting wins over the default, applied at once
        await central.update_settings("cp16", {"meter_interval": 15})
        assert await central.meter_intervals.wait("cp16") == "Accepted"
        assert cp.sim.configuration["MeterValueSampleInterval"].value == "15"
        # same value again, or a default change that does not concern it: nothing sent
        central.meter_intervals.set_default(45)
        assert await central.meter_intervals.wait("cp16") is None
        assert await central.meter_intervals.apply("cp16") is None
        assert len(changes(cp)) == 2
        # cleared: the default applies again
        await central.update_settings("cp16", {"meter_interval": None})
        assert await central.meter_intervals.wait("cp16") == "Accepted"
        assert changes(cp)[-1] == {"key": "MeterValueSampleInterval", "value": "45"}
        # a new default reaches it at once; the same one again changes nothing
        central.meter_intervals.set_default(45)
        assert await central.meter_intervals.wait("cp16") is None
        central.meter_intervals.set_default(50)
        assert central.meter_intervals.default == 50
        assert await central.meter_intervals.wait("cp16") == "Accepted"
        assert changes(cp)[-1] == {"key": "MeterValueSampleInterval", "value": "50"}


async def test_v16_already_so_is_left_alone(central: CentralSystem, url: str, answers: list[Event]) -> None:
    central.meter_intervals.set_default(60)  # the simulator's own value
    async for cp in booted16(central, url, "same"):
        assert changes(cp) == []
        assert answers == []


async def test_v16_refusal_is_announced(central: CentralSystem, url: str, answers: list[Event]) -> None:
    async for cp in booted16(central, url, "stubborn"):
        cp.sim.configuration["MeterValueSampleInterval"].readonly = True
        await central.update_settings("stubborn", {"meter_interval": 10})
        assert await central.meter_intervals.wait("stubborn") == "Rejected"
        assert answers[-1].type is EventType.CONFIGURATION_REJECTED
        assert answers[-1].data == {"key": "MeterValueSampleInterval", "value": "10", "status": "Rejected"}
        assert central.stations["stubborn"].meter_value_sample_interval == 60  # what the charger still has


async def test_not_connected_or_not_booted_is_left_alone(central: CentralSystem) -> None:
    central.state.store.station("away")
    await central.update_settings("away", {"meter_interval": 10})
    assert await central.meter_intervals.wait("away") is None


@pytest.mark.parametrize("version", helpers_v201.VERSIONS)
async def test_v2_tx_updated_interval(central: CentralSystem, url: str, answers: list[Event], version: str) -> None:
    central.meter_intervals.set_default(20)
    station = await helpers_v201.booted(central, url, "cp2", version)
    await central.meter_intervals.wait("cp2")
    assert station.sim.device_model.value(COMPONENT_V2, VARIABLE_V2) == "20"
    assert [(e.type, e.data["status"]) for e in answers] == [(EventType.CONFIGURATION_ACCEPTED, "Accepted")]
    assert answers[0].data["key"] == KEY_V2
    sets = [p for action, p in station.requests if action == "SetVariables"]
    assert len(sets) == 1
    # a new boot: read again, already so, nothing written
    await station.boot()
    await helpers_v201.settled(station)
    await central.meter_intervals.wait("cp2")
    assert [action for action, _ in station.requests].count("GetVariables") == 2
    assert len([a for a, _ in station.requests if a == "SetVariables"]) == 1
    # a station without the variable refuses
    key = next(k for k in station.sim.device_model.entries if k[0] == COMPONENT_V2 and VARIABLE_V2 in k)
    del station.sim.device_model.entries[key]
    await central.update_settings("cp2", {"meter_interval": 5})
    assert await central.meter_intervals.wait("cp2") == "UnknownVariable"
    assert answers[-1].type is EventType.CONFIGURATION_REJECTED
    assert answers[-1].data == {"key": KEY_V2, "value": "5", "status": "UnknownVariable"}
    await station.close()


async def test_a_newer_wish_replaces_the_check_under_way(central: CentralSystem, url: str) -> None:
    async for cp in booted16(central, url, "quick"):
        await central.update_settings("quick", {"meter_interval": 10})
        await central.update_settings("quick", {"meter_interval": 20})  # before the first check ran
        assert await central.meter_intervals.wait("quick") == "Accepted"
        assert changes(cp) == [{"key": "MeterValueSampleInterval", "value": "20"}]
        # stopping the central system cancels a check under way: nothing more is sent
        await central.update_settings("quick", {"meter_interval": 30})
        central.meter_intervals.close()
        assert await central.meter_intervals.wait("quick") is None
        assert len(changes(cp)) == 1


async def test_unreachable_or_failing_charger_is_logged_only(
    central: CentralSystem, url: str, answers: list[Event], caplog: pytest.LogCaptureFixture
) -> None:
    central.state.store.station("gone")
    await central.update_settings("gone", {"meter_interval": 10})
    assert await central.meter_intervals.apply("gone") is None  # not connected
    central.state.store.station("nothing")
    assert await central.meter_intervals.apply("nothing") is None  # nothing wanted
    async for cp in booted16(central, url, "broken"):

        def fails(**kwargs: Any) -> Any:
            raise RuntimeError("firmware bug")

        cp.route_map["ChangeConfiguration"]["_on_action"] = fails  # the charger answers with a CALLERROR
        await central.update_settings("broken", {"meter_interval": 10})
        assert await central.meter_intervals.wait("broken") is None
        assert "the meter interval could not be checked or set" in caplog.text
        assert answers == []


async def test_v2_unreadable_value_is_written(central: CentralSystem, url: str, answers: list[Event]) -> None:
    station = await helpers_v201.booted(central, url, "odd")
    station.sim.device_model.set({"name": COMPONENT_V2}, {"name": VARIABLE_V2}, "sixty")
    await central.update_settings("odd", {"meter_interval": 60})
    assert await central.meter_intervals.wait("odd") == "Accepted"
    assert station.sim.device_model.value(COMPONENT_V2, VARIABLE_V2) == "60"
    await station.close()
