"""Load management on OCPP 1.6J, end to end: limits go out as charging profiles to a simulated charger that
obeys them (its power follows), over a real WebSocket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem, EventType, simple_profile
from custom_components.ocpp_core.csms.config import CentralSystemConfig
from custom_components.ocpp_core.csms.features.limit_profiles import PROFILE_ID_BASE
from custom_components.ocpp_core.csms.features.limits import InvalidLimit, LimitState
from custom_components.ocpp_core.csms.state.persistence import MemoryPersistence
from sim.charger16 import SimulatedChargePoint, connect

from .support.conformance_v16 import CP, Recorder, settled
from .support.helpers import wait_for
from .support.limits import limit_accepted

TX_DEFAULT_1 = PROFILE_ID_BASE + 1000 + 1  # our TxDefaultProfile of connector 1


@pytest.fixture
def central_config() -> CentralSystemConfig:
    # no rate limit unless a test asks for one: every change goes out at once
    return CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, heartbeat_interval=60, limit_interval=0.0)


def profiles_sent(cp: SimulatedChargePoint) -> list[dict[str, Any]]:
    return [payload for action, payload in cp.requests if action == "SetChargingProfile"]


def limit_of(central: CentralSystem, evse_id: int = 1) -> LimitState:
    state = central.limits.get(CP, evse_id)
    assert state is not None
    return state


async def accepted(central: CentralSystem, amps: float, evse_id: int = 1) -> LimitState:
    """Wait until the limit is accepted and read back."""
    return await limit_accepted(central, CP, amps, evse_id)


async def test_power_follows_the_limit(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    await charger.start_transaction(1, "TAG")
    assert charger.sim.connectors[1].power_w == 11_000.0

    state = await central.limits.set_limit(CP, 1, amps=10)
    assert state.status == "pending" and state.unit_sent == "A"
    state = await accepted(central, 10)
    assert state.in_force_amps == 10.0 and state.answer == {"status": "Accepted"}
    sent = profiles_sent(charger)[-1]
    assert sent["connectorId"] == 1
    profile = sent["csChargingProfiles"]
    assert profile["chargingProfileId"] == TX_DEFAULT_1
    assert profile["chargingProfilePurpose"] == "TxDefaultProfile"
    assert profile["stackLevel"] == 8  # the charger's ChargeProfileMaxStackLevel
    assert profile["chargingSchedule"]["chargingRateUnit"] == "A"
    assert profile["chargingSchedule"]["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 10.0}]
    assert [a for a, _ in charger.requests][-2:] == ["SetChargingProfile", "GetCompositeSchedule"]

    assert charger.sim.connectors[1].power_w == 10 * 230 * 3
    await charger.send_meter_values(1)
    assert central.stations[CP].connectors[1].reading("Power.Active.Import") == 6900.0
    statuses = recorder.data(EventType.LIMIT, "status")
    assert statuses[:3] == ["pending", "sent", "accepted"]


async def test_zero_pauses_and_six_resumes(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    await charger.start_transaction(1, "TAG")
    await central.limits.set_limit(CP, 1, amps=0)
    await accepted(central, 0)
    await settled(charger, lambda: central.stations[CP].connectors[1].status == "SuspendedEVSE")
    assert charger.sim.connectors[1].power_w == 0.0
    assert limit_of(central).in_force_amps == 0.0
    assert central.stations[CP].connectors[1].transaction is not None  # paused, not ended

    await central.limits.set_limit(CP, 1, amps=6)
    await accepted(central, 6)
    await settled(charger, lambda: central.stations[CP].connectors[1].status == "Charging")
    assert charger.sim.connectors[1].power_w == 6 * 230 * 3


async def test_a_negative_composite_limit_is_no_limit(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    """MicroOcpp 1.6 reports "no limit" in its composite schedule as -1: no limit in force, not -1 A."""
    charger.sim.composite_no_limit = -1
    await central.limits.set_limit(CP, 1, amps=10)
    await wait_for(lambda: any(action == "GetCompositeSchedule" for action, _ in charger.requests))
    await central.limits.sent(CP)
    state = limit_of(central)
    assert state.status == "accepted"
    assert state.in_force_amps is None and state.in_force_watts is None


async def test_an_unchanged_value_is_not_sent_again(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    await central.limits.set_limit(CP, 1, amps=16)
    await accepted(central, 16)
    again = await central.limits.set_limit(CP, 1, amps=16)
    assert again.status == "accepted"
    await central.limits.set_limit(CP, 1, amps=12)
    await accepted(central, 12)
    values = [
        p["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"]
        for p in profiles_sent(charger)
    ]
    assert values == [16.0, 12.0]


async def test_rate_limit_the_latest_value_wins(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    central.config.limit_interval = 0.3
    await central.limits.set_limit(CP, 1, amps=10)
    await accepted(central, 10)
    for amps in (11, 12, 13, 14):
        state = await central.limits.set_limit(CP, 1, amps=amps)
        assert state.status == "pending"
    assert len(profiles_sent(charger)) == 1  # held back until the interval is over
    await accepted(central, 14)
    values = [
        p["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"]
        for p in profiles_sent(charger)
    ]
    assert values == [10.0, 14.0]


async def test_a_rebooted_charger_gets_its_limit_again(central: CentralSystem, url: str) -> None:
    first, task, ws = await connect(url, CP)
    await first.boot()
    await central.limits.set_limit(CP, 1, amps=8)  # at once: it waits for the configuration read
    await accepted(central, 8)
    assert profiles_sent(first)[0]["csChargingProfiles"]["stackLevel"] == 8
    await ws.close()
    task.cancel()
    await wait_for(lambda: not central.is_connected(CP))

    # the charger comes back having lost its profiles (a new simulated charger, nothing installed)
    again, task, ws = await connect(url, CP)
    await again.boot()
    await wait_for(lambda: TX_DEFAULT_1 in again.sim.charging_profiles)
    assert len(profiles_sent(again)) == 1
    actions = [a for a, _ in again.requests]
    assert actions.index("GetConfiguration") < actions.index("SetChargingProfile")  # unit and stack level known first
    assert again.sim.charging_profiles[TX_DEFAULT_1]["profile"]["charging_schedule"]["charging_schedule_period"] == [
        {"start_period": 0, "limit": 8.0}
    ]
    await accepted(central, 8)
    await ws.close()
    task.cancel()


async def test_a_reconnect_without_boot_gets_the_limit_again(central: CentralSystem, url: str) -> None:
    central.limits.boot_grace = 0.05
    first, task, ws = await connect(url, CP)
    await first.boot()
    await wait_for(lambda: central.stations[CP].configuration_time is not None)
    await central.limits.set_limit(CP, 1, amps=20)
    await accepted(central, 20)
    await ws.close()
    task.cancel()
    await wait_for(lambda: not central.is_connected(CP))

    again, task, ws = await connect(url, CP)  # no BootNotification this time
    await wait_for(lambda: TX_DEFAULT_1 in again.sim.charging_profiles)
    assert profiles_sent(again)[0]["csChargingProfiles"]["chargingProfileId"] == TX_DEFAULT_1
    await ws.close()
    task.cancel()


async def test_a_watts_only_charger_gets_watts(central: CentralSystem, url: str) -> None:
    cp, task, ws = await connect(url, CP)
    cp.sim.configuration["ChargingScheduleAllowedChargingRateUnit"].value = "Power"
    await cp.boot()
    await wait_for(lambda: central.stations[CP].configuration_time is not None)
    await central.update_settings(CP, {"phases": 3})
    state = await central.limits.set_limit(CP, 1, amps=10)
    assert state.unit_sent == "W" and state.watts == 6900.0
    state = await accepted(central, 10)
    schedule = profiles_sent(cp)[-1]["csChargingProfiles"]["chargingSchedule"]
    assert schedule["chargingRateUnit"] == "W"
    assert schedule["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 6900.0}]
    assert (state.in_force_watts, state.in_force_amps) == (6900.0, 10.0)
    await cp.start_transaction(1, "TAG")
    assert cp.sim.connectors[1].power_w == 6900.0
    await ws.close()
    task.cancel()


async def test_a_charger_naming_no_unit_that_refuses_amperes_gets_watts_from_then_on(
    central: CentralSystem, url: str, restarted: CentralSystem
) -> None:
    recorder = Recorder(central)
    cp, task, ws = await connect(url, CP)
    del cp.sim.configuration["ChargingScheduleAllowedChargingRateUnit"]  # it names no unit …
    cp.sim.silent_rate_units = "Power"  # … and takes only watts
    await cp.boot()
    await wait_for(lambda: central.stations[CP].configuration_time is not None)
    await central.update_settings(CP, {"phases": 3})
    await central.limits.set_limit(CP, 1, amps=10)
    state = await accepted(central, 10)
    units = [p["csChargingProfiles"]["chargingSchedule"]["chargingRateUnit"] for p in profiles_sent(cp)]
    assert units == ["A", "W"]  # refused in amperes, asked once more in watts
    assert cp.sim.charging_profiles[TX_DEFAULT_1]["profile"]["charging_schedule"]["charging_schedule_period"] == [
        {"start_period": 0, "limit": 6900.0}
    ]
    assert (state.unit_sent, state.in_force_amps, state.in_force_watts) == ("W", 10.0, 6900.0)
    assert "rejected" not in recorder.data(EventType.LIMIT, "status")  # no repair for a refusal it got over
    assert central.limits.watts_only(CP)

    await central.limits.set_limit(CP, 1, amps=8)  # remembered: watts at once
    await accepted(central, 8)
    assert [p["csChargingProfiles"]["chargingSchedule"]["chargingRateUnit"] for p in profiles_sent(cp)][2:] == ["W"]
    await ws.close()
    task.cancel()
    await central.stop()  # and remembered over a restart
    await restarted.start()
    assert restarted.limits.watts_only(CP)
    state_after = restarted.limits.get(CP, 1)
    assert state_after is not None and state_after.unit_sent == "W"


async def test_a_charger_refusing_watts_too_keeps_amperes(central: CentralSystem, url: str) -> None:
    cp, task, ws = await connect(url, CP)
    del cp.sim.configuration["ChargingScheduleAllowedChargingRateUnit"]
    await cp.boot()
    await wait_for(lambda: central.stations[CP].configuration_time is not None)
    cp.sim.refuse_profiles = "Rejected"  # whatever the unit
    await central.limits.set_limit(CP, 1, amps=10)
    await wait_for(lambda: limit_of(central).status == "rejected")
    units = [p["csChargingProfiles"]["chargingSchedule"]["chargingRateUnit"] for p in profiles_sent(cp)]
    assert units == ["A", "W"]  # one try in watts, no more
    assert limit_of(central).answer == {"status": "Rejected"}
    assert not central.limits.watts_only(CP)  # not the unit: amperes next time
    cp.sim.refuse_profiles = None
    await central.limits.set_limit(CP, 1, amps=10)
    state = await accepted(central, 10)
    assert state.unit_sent == "A" and len(profiles_sent(cp)) == 3
    await ws.close()
    task.cancel()


async def test_a_rejection_is_reported(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    charger.sim.refuse_profiles = "Rejected"
    await central.limits.set_limit(CP, 1, amps=10)
    await wait_for(lambda: limit_of(central).status == "rejected")
    state = limit_of(central)
    assert state.answer == {"status": "Rejected"} and state.in_force_amps is None
    last = recorder.of(EventType.LIMIT)[-1]
    assert (
        last.connector_id == 1 and last.data["status"] == "rejected" and last.data["answer"] == {"status": "Rejected"}
    )
    # the same value again is sent again (the charger may accept it now)
    charger.sim.refuse_profiles = None
    await central.limits.set_limit(CP, 1, amps=10)
    await accepted(central, 10)


async def test_the_station_limit_caps_the_total(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    await charger.start_transaction(1, "TAG")
    await charger.start_transaction(2, "TAG")
    await central.limits.set_limit(CP, 0, amps=20)
    state = await accepted(central, 20, evse_id=0)
    assert state.in_force_amps == 20.0
    sent = profiles_sent(charger)[-1]
    assert sent["connectorId"] == 0
    assert sent["csChargingProfiles"]["chargingProfilePurpose"] == "ChargePointMaxProfile"
    assert sent["csChargingProfiles"]["chargingProfileKind"] == "Absolute"
    # the two sessions share 20 A
    assert [charger.sim.connectors[c].power_w for c in (1, 2)] == [10 * 690.0, 10 * 690.0]


async def test_session_profiles_wait_for_a_session(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    await central.update_settings(CP, {"limit_profile": "session"})
    await central.limits.set_limit(CP, 1, amps=7)
    await central.limits.sent(CP)
    assert limit_of(central).status == "pending"
    assert profiles_sent(charger) == []
    tx_id = await charger.start_transaction(1, "TAG")
    await accepted(central, 7)
    profile = profiles_sent(charger)[-1]["csChargingProfiles"]
    assert profile["chargingProfilePurpose"] == "TxProfile" and profile["transactionId"] == tx_id
    assert profile["chargingProfileKind"] == "Relative"
    assert charger.sim.connectors[1].power_w == 7 * 690.0
    await charger.stop_transaction(1)
    await wait_for(lambda: limit_of(central).status == "pending")


async def test_clear_limit_removes_our_profile(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    await charger.start_transaction(1, "TAG")
    await central.limits.set_limit(CP, 1, amps=6)
    await accepted(central, 6)
    assert await central.limits.clear_limit(CP, 1) is True
    assert ("ClearChargingProfile", {"id": TX_DEFAULT_1}) in charger.requests
    assert charger.sim.charging_profiles == {}
    assert charger.sim.connectors[1].power_w == 11_000.0
    assert central.limits.get(CP, 1) is None
    assert recorder.of(EventType.LIMIT)[-1].data == {"evse_id": 1, "cleared": True}
    assert await central.limits.clear_limit(CP, 1) is False


async def test_a_read_back_answered_after_the_clear_does_not_bring_the_limit_back(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    """The charger answers GetCompositeSchedule only after the limit was cleared: the late answer of the
    cleared limit is not announced (the add-on's mirror in Home Assistant would show the limit again)."""
    reached, release = asyncio.Event(), asyncio.Event()
    route = charger.route_map["GetCompositeSchedule"]
    answer = route["_on_action"]

    async def held(**kwargs: Any) -> Any:
        reached.set()
        await release.wait()
        return answer(**kwargs)

    route["_on_action"] = held
    await central.limits.set_limit(CP, 1, amps=10)
    await asyncio.wait_for(reached.wait(), 5)
    clearing = asyncio.create_task(central.limits.clear_limit(CP, 1))
    await wait_for(lambda: recorder.of(EventType.LIMIT)[-1].data.get("cleared") is True)
    release.set()
    assert await clearing is True
    await settled(charger, lambda: charger.sim.charging_profiles == {})
    assert central.limits.get(CP, 1) is None
    assert recorder.of(EventType.LIMIT)[-1].data == {"evse_id": 1, "cleared": True}


async def test_bad_limits_are_refused(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    for kwargs, message in (
        ({"amps": 3}, "between 6 A and 32 A"),
        ({"amps": 33}, "between 6 A and 32 A"),
        ({}, "one of them"),
        ({"amps": 10, "watts": 2000}, "one of them"),
        ({"watts": -5}, "negative"),
    ):
        with pytest.raises(InvalidLimit, match=message):
            await central.limits.set_limit(CP, 1, **kwargs)
    with pytest.raises(InvalidLimit, match="no connector / EVSE 3"):
        await central.limits.set_limit(CP, 3, amps=10)
    await central.update_settings(CP, {"max_current": 16})
    with pytest.raises(InvalidLimit, match="between 6 A and 16 A"):
        await central.limits.set_limit(CP, 1, amps=20)
    with pytest.raises(KeyError):
        await central.limits.set_limit("nobody", 1, amps=10)
    assert profiles_sent(charger) == []


async def test_a_limit_set_offline_goes_out_when_the_charger_connects(
    central_config: CentralSystemConfig, url: str, central: CentralSystem
) -> None:
    cp, task, ws = await connect(url, CP)
    await cp.boot()
    await ws.close()
    task.cancel()
    await wait_for(lambda: not central.is_connected(CP))
    state = await central.limits.set_limit(CP, 1, watts=1380)  # 6 A on one phase (phases unknown: 1)
    assert (state.amps, state.status) == (6.0, "pending")

    cp, task, ws = await connect(url, CP)
    await cp.boot()
    await accepted(central, 6)
    assert TX_DEFAULT_1 in cp.sim.charging_profiles
    await ws.close()
    task.cancel()


@pytest.fixture
async def restarted(
    central_config: CentralSystemConfig, persistence: MemoryPersistence
) -> AsyncIterator[CentralSystem]:
    system = CentralSystem(central_config, persistence)
    yield system
    await system.stop()


async def test_limits_survive_a_restart(
    charger: SimulatedChargePoint, central: CentralSystem, restarted: CentralSystem
) -> None:
    await central.limits.set_limit(CP, 1, amps=9)
    await accepted(central, 9)
    await central.stop()
    await restarted.start()
    state = restarted.limits.get(CP, 1)
    assert state is not None and (state.amps, state.status) == (9.0, "pending")


async def test_a_pause_and_what_it_resumes_to_survive_a_restart(
    charger: SimulatedChargePoint, central: CentralSystem, restarted: CentralSystem
) -> None:
    await central.limits.set_limit(CP, 1, amps=9)
    await accepted(central, 9)
    await central.limits.pause(CP, 1)
    await accepted(central, 0)
    await central.stop()
    await restarted.start()
    assert restarted.limits.paused(CP, 1)
    resumed = await restarted.limits.resume(CP, 1)
    assert resumed is not None and resumed.amps == 9.0  # the limit before the pause
    assert not restarted.limits.paused(CP, 1)


async def test_phases_measured_once_are_kept(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    """One rule for every limit of the charger: 3 phases once a current flowed on L2/L3, also after the session
    (its currents back at 0), so the station's and the connectors' power ranges never disagree."""
    limits = central.limits
    assert limits.phases(CP) == 1
    assert limits.max_watts(CP, 0) == limits.max_watts(CP, 1) == 32 * 230
    await charger.start_transaction(1, "TAG")
    await charger.send_meter_values(1)
    await wait_for(lambda: limits.phases(CP) == 3)
    assert limits.max_watts(CP, 0) == limits.max_watts(CP, 1) == limits.max_watts(CP, 2) == 32 * 230 * 3
    assert [e.data for e in recorder.of(EventType.SETTINGS_CHANGED)] == [{"changed": ["phases"], "measured": True}]
    await charger.stop_transaction(1)
    charger.sim.connectors[1].power_w = 0.0
    await charger.send_meter_values(1)  # 0 A on every phase
    await settled(charger, lambda: central.stations[CP].connectors[1].reading("Current.Import", "L2") == 0.0)
    assert limits.phases(CP) == 3
    assert central.stations[CP].to_dict()["measured_phases"] == 3  # kept across restarts


async def test_a_session_profile_overriding_the_limit_is_reported(
    charger: SimulatedChargePoint, central: CentralSystem
) -> None:
    """EVerest: the limit goes out as a TxDefaultProfile, the running session's TxProfile (12 A) wins: the
    status says so, and which, instead of "accepted" with 12 A in force."""
    await charger.start_transaction(1, "TAG")
    tx_id = str(central.stations[CP].connectors[1].transaction.transaction_id)  # type: ignore[union-attr]
    session_profile = simple_profile(central.stations[CP], 1, limit=12, purpose="TxProfile", transaction_id=tx_id)
    assert (await central.v16(CP).set_charging_profile(1, session_profile))["status"] == "Accepted"
    await central.limits.set_limit(CP, 1, amps=8)
    await wait_for(lambda: limit_of(central).status == "overridden")
    state = limit_of(central)
    assert (state.in_force_amps, state.overridden_by, state.answer) == (12.0, "TxProfile", {"status": "Accepted"})
    # as a session profile the limit wins
    await central.update_settings(CP, {"limit_profile": "session"})
    await wait_for(lambda: limit_of(central).status == "accepted" and limit_of(central).in_force_amps == 8.0)
    assert limit_of(central).overridden_by is None
