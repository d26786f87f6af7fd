"""Load management on OCPP 2.0.1 (and 2.1), end to end: limits go out as charging profiles to a simulated
station that obeys them (its power and charging state follow), over a real WebSocket."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem, EventType, simple_profile
from custom_components.ocpp_core.csms.config import CentralSystemConfig
from custom_components.ocpp_core.csms.features.limit_profiles import PROFILE_ID_BASE
from custom_components.ocpp_core.csms.features.limits import LimitState
from sim.state201 import _entry

from .support.conformance_v16 import Recorder
from .support.helpers_v201 import VERSIONS, Sim, booted, connect, settled, wait_for
from .support.limits import limit_accepted

CP = "limits-201"
TX_DEFAULT_1 = PROFILE_ID_BASE + 1000 + 1


@pytest.fixture
def central_config() -> CentralSystemConfig:
    return CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, heartbeat_interval=60, limit_interval=0.0)


def profiles_sent(station: Sim) -> list[dict[str, Any]]:
    return [payload for action, payload in station.requests if action == "SetChargingProfile"]


async def accepted(central: CentralSystem, amps: float, evse_id: int = 1) -> LimitState:
    return await limit_accepted(central, CP, amps, evse_id)


@pytest.mark.parametrize("version", VERSIONS)
async def test_power_and_charging_state_follow_the_limit(central: CentralSystem, url: str, version: str) -> None:
    station = await booted(central, url, CP, version)
    await station.start_transaction(1)
    await central.limits.set_limit(CP, 1, amps=10)
    state = await accepted(central, 10)
    assert state.in_force_amps == 10.0 and state.in_force_watts == 6900.0  # SupplyPhases 3, 230 V measured
    sent = profiles_sent(station)[-1]
    assert sent["evseId"] == 1
    profile = sent["chargingProfile"]
    assert (profile["id"], profile["stackLevel"], profile["chargingProfilePurpose"]) == (
        TX_DEFAULT_1,
        8,
        "TxDefaultProfile",
    )
    assert profile["chargingSchedule"][0]["chargingRateUnit"] == "A"
    assert station.sim.evses[1].power_w == 6900.0
    await station.update_transaction(1)
    assert central.stations[CP].connectors[1].reading("Power.Active.Import") == 6900.0

    await central.limits.set_limit(CP, 1, amps=0)
    await accepted(central, 0)
    await settled(station)
    connector = central.stations[CP].connectors[1]
    await wait_for(lambda: connector.charging_state == "SuspendedEVSE")
    assert station.sim.evses[1].power_w == 0.0

    await central.limits.set_limit(CP, 1, amps=16)
    await accepted(central, 16)
    await settled(station)
    await wait_for(lambda: connector.charging_state == "Charging")
    assert station.sim.evses[1].power_w == 11_000.0  # what the EV takes, below the limit
    await station.close()


async def test_a_watts_only_station_gets_watts(central: CentralSystem, url: str) -> None:
    station = await booted(central, url, CP)
    assert station.sim.device_model.set({"name": "SmartChargingCtrlr"}, {"name": "RateUnit"}, "W")
    await station.reboot()  # the inventory is read once per firmware: the central knows A,W still
    await central.v201(CP).get_variables(
        [{"component": {"name": "SmartChargingCtrlr"}, "variable": {"name": "RateUnit"}}]
    )
    state = await central.limits.set_limit(CP, 1, amps=6)
    assert state.unit_sent == "W"
    state = await accepted(central, 6)
    schedule = profiles_sent(station)[-1]["chargingProfile"]["chargingSchedule"][0]
    assert schedule["chargingRateUnit"] == "W"
    assert schedule["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 4140.0}]
    assert state.in_force_amps == 6.0
    await station.close()


async def test_a_station_naming_no_unit_that_refuses_amperes_gets_watts(central: CentralSystem, url: str) -> None:
    station = await connect(url, CP)
    assert station.sim.device_model.set({"name": "SmartChargingCtrlr"}, {"name": "RateUnit"}, "")  # names none
    station.sim.silent_rate_units = "W"  # and takes only watts
    await station.boot()
    await wait_for(lambda: (v2 := central.stations[CP].v2) is not None and v2.inventory_time is not None)
    await settled(station)
    await central.limits.set_limit(CP, 1, amps=6)
    state = await accepted(central, 6)
    assert [p["chargingProfile"]["chargingSchedule"][0]["chargingRateUnit"] for p in profiles_sent(station)] == [
        "A",
        "W",
    ]
    assert (state.unit_sent, state.in_force_amps) == ("W", 6.0)
    assert central.limits.watts_only(CP)
    await station.close()


async def test_a_rejection_quotes_the_reason(central: CentralSystem, url: str) -> None:
    recorder = Recorder(central)
    station = await booted(central, url, CP)
    station.sim.refuse_profiles = "TooManyProfiles"
    await central.limits.set_limit(CP, 1, amps=10)
    await wait_for(lambda: (s := central.limits.get(CP, 1)) is not None and s.status == "rejected")
    expected = {"status": "Rejected", "statusInfo": {"reasonCode": "TooManyProfiles"}}
    assert recorder.of(EventType.LIMIT)[-1].data["answer"] == expected
    await station.close()


async def test_a_reboot_gets_the_limits_again(central: CentralSystem, url: str) -> None:
    station = await booted(central, url, CP, evses=2)
    await central.limits.set_limit(CP, 0, amps=20)
    await central.limits.set_limit(CP, 2, amps=8)
    await accepted(central, 20, evse_id=0)
    await accepted(central, 8, evse_id=2)
    station.sim.charging_profiles.clear()  # a reboot that lost them
    await station.reboot()
    await wait_for(lambda: set(station.sim.charging_profiles) == {PROFILE_ID_BASE, PROFILE_ID_BASE + 1000 + 2})
    assert len(profiles_sent(station)) == 4
    station_max = station.sim.charging_profiles[PROFILE_ID_BASE]
    assert (station_max["evse_id"], station_max["profile"]["charging_profile_purpose"]) == (
        0,
        "ChargingStationMaxProfile",
    )
    await station.close()


async def test_clear_limit_on_2_1(central: CentralSystem, url: str) -> None:
    station = await booted(central, url, CP, "2.1")
    await central.limits.set_limit(CP, 1, amps=6)
    await accepted(central, 6)
    assert await central.limits.clear_limit(CP, 1)
    assert ("ClearChargingProfile", {"chargingProfileId": TX_DEFAULT_1}) in station.requests
    assert station.sim.charging_profiles == {}
    await station.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_without_a_stack_level_reported_the_number_keeps_out_of_the_services_slot(
    central: CentralSystem, url: str, version: str
) -> None:
    """shiv3: no ProfileStackLevel reported, the number's limit and set_charging_profile's default both went in
    as TxDefaultProfile at stack level 0, and the service's 16 A replaced the number's 10 A."""
    station = await connect(url, CP, version)
    model = station.sim.device_model
    del model.entries[model.key({"name": "SmartChargingCtrlr"}, {"name": "ProfileStackLevel"})]
    await station.boot()
    await wait_for(lambda: central.stations[CP].v2 is not None and len(central.stations[CP].v2.device_model) > 0)
    await settled(station)
    await station.start_transaction(1)
    await central.limits.set_limit(CP, 1, amps=10)
    await accepted(central, 10)
    # the service's simple form with its defaults (TxDefaultProfile, stack level 0)
    profile = simple_profile(central.stations[CP], 1, limit=16)
    assert (await central.v201(CP).set_charging_profile(1, profile))["status"] == "Accepted"
    await settled(station)
    installed = {p: i["profile"]["stack_level"] for p, i in station.sim.charging_profiles.items()}
    assert installed[TX_DEFAULT_1] > installed[profile["id"]]  # both kept, the number's limit above
    assert station.sim.evses[1].offered_amps == 10.0


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_one_phase_evse_on_a_three_phase_supply_is_one_phase(
    central: CentralSystem, url: str, version: str
) -> None:
    """The same rule as on 1.6: 10 A on a one-phase charger is 2,300 W, not 6,900 W because the station's
    supply (ChargingStation.SupplyPhases) has three phases."""
    station = await connect(url, CP, version)
    model = station.sim.device_model
    assert model.set({"name": "EVSE", "evse": {"id": 1}}, {"name": "SupplyPhases"}, "1")
    supply = _entry("ChargingStation", "SupplyPhases", "3", data_type="integer")
    model.entries[model.key(supply["component"], supply["variable"])] = supply
    await station.boot()
    await wait_for(lambda: central.stations[CP].v2 is not None and len(central.stations[CP].v2.device_model) > 0)
    await settled(station)
    assert central.limits.phases(CP) == 1
    assert central.limits.amps_to_watts(CP, 1, 10) == 2300.0
    assert central.limits.max_watts(CP, 0) == central.limits.max_watts(CP, 1) == 32 * 230
