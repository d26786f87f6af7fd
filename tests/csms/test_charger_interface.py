"""`central.charger(id)`: the same version-neutral calls, the same neutral answers, from a 1.6 charger and a
2.x station (simulated, over real WebSockets); each charger got its own version's messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem, NotConnected, ProfileCriteria, RemoteStart
from custom_components.ocpp_core.csms.features.charger import Capabilities, LocalListLimits
from custom_components.ocpp_core.csms.features.limit_profiles import simple_charging_profile
from sim.charger16 import connect
from sim.core16 import ConfigKey

from .support import helpers_v201
from .support.helpers import wait_for

VERSIONS = ["1.6", *helpers_v201.VERSIONS]
# each neutral call -> the action its charger received, by version family
ACTIONS = {
    "change_availability": ("ChangeAvailability", "ChangeAvailability"),
    "unlock": ("UnlockConnector", "UnlockConnector"),
    "local_list_version": ("GetLocalListVersion", "GetLocalListVersion"),
    "send_local_list": ("SendLocalList", "SendLocalList"),
    "set_meter_interval": ("ChangeConfiguration", "SetVariables"),
    "set_charging_profile": ("SetChargingProfile", "SetChargingProfile"),
    "remote_start": ("RemoteStartTransaction", "RequestStartTransaction"),
    "remote_stop": ("RemoteStopTransaction", "RequestStopTransaction"),
    "restart": ("Reset", "Reset"),
}


@dataclass
class Booted:
    station_id: str
    version: str
    requests: list[tuple[str, dict[str, Any]]]


@pytest.fixture(params=VERSIONS)
async def booted(request: pytest.FixtureRequest, central: CentralSystem, url: str) -> AsyncIterator[Booted]:
    version: str = request.param
    if version == "1.6":
        cp, task, ws = await connect(url, "neutral")
        cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)  # a charger with Basic auth has the key
        await cp.boot()
        await wait_for(lambda: central.stations["neutral"].configuration_time is not None)
        yield Booted("neutral", version, cp.requests)
        await ws.close()
        task.cancel()
    else:
        station = await helpers_v201.booted(central, url, "neutral", version)
        yield Booted("neutral", version, station.requests)
        await station.close()


def _sent(booted: Booted, call: str) -> str:
    return ACTIONS[call][0 if booted.version == "1.6" else 1]


async def test_the_same_calls_the_same_answers(central: CentralSystem, booted: Booted) -> None:
    charger = central.charger(booted.station_id)
    assert charger.station_id == "neutral"
    station = central.stations["neutral"]

    assert (await charger.change_availability(1, False)).status == "Accepted"
    assert (await charger.change_availability(None, True)).status == "Accepted"
    unlocked = await charger.unlock(1)
    assert unlocked.status == "Unlocked"
    assert unlocked.raw == {"status": "Unlocked"}  # the charger's own answer, as it sent it

    assert (await charger.send_local_list(3, "Full", [{"id_tag": "T1", "status": "Accepted"}])).status == "Accepted"
    read = await charger.local_list_version()
    assert (read.status, read.value) == (None, 3)

    assert (await charger.set_meter_interval(30)).status == "Accepted"
    assert (await charger.meter_interval()).value == 30

    profile = simple_charging_profile(1, limit=10.0)  # neutral: each charger writes it in its version's form
    profile_id = profile.profile_id
    assert (await charger.set_charging_profile(1, profile)).status == "Accepted"
    request = next(payload for action, payload in reversed(booted.requests) if action == "SetChargingProfile")
    if booted.version == "1.6":  # csChargingProfiles, its schedule one object
        assert request["csChargingProfiles"]["chargingProfileId"] == profile_id
        assert request["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"] == [
            {"startPeriod": 0, "limit": 10.0}
        ]
    else:  # chargingProfile, its schedules a list, each with the profile's id
        assert request["chargingProfile"]["id"] == request["chargingProfile"]["chargingSchedule"][0]["id"] == profile_id
        assert request["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"] == [
            {"startPeriod": 0, "limit": 10.0}
        ]
    assert (await charger.get_composite_schedule(1, 60, "A")).status == "Accepted"
    assert (await charger.clear_charging_profile(ProfileCriteria(profile_id))).status == "Accepted"

    assert (await charger.remote_start(RemoteStart("HA", 1))).status == "Accepted"
    await wait_for(lambda: station.connectors[1].transaction is not None)
    transaction = station.connectors[1].transaction
    assert transaction is not None
    assert (await charger.remote_stop(transaction.transaction_id)).status == "Accepted"

    assert (await charger.restart()).status == "Accepted"
    sent = [action for action, _ in booted.requests]
    for call in ACTIONS:
        assert _sent(booted, call) in sent, call


async def test_set_password(central: CentralSystem, booted: Booted) -> None:
    """1.6: AuthorizationKey, hex-encoded (the security whitepaper); 2.x: SecurityCtrlr.BasicAuthPassword."""
    assert (await central.charger(booted.station_id).set_password("a-new-password-of-24-ch")).status == "Accepted"
    action, payload = booted.requests[-1]
    if booted.version == "1.6":
        assert (action, payload) == (
            "ChangeConfiguration",
            {"key": "AuthorizationKey", "value": b"a-new-password-of-24-ch".hex()},
        )
    else:
        assert action == "SetVariables"
        assert payload["setVariableData"][0]["attributeValue"] == "a-new-password-of-24-ch"
        assert payload["setVariableData"][0]["variable"] == {"name": "BasicAuthPassword"}


async def test_meter_interval_key_is_the_versions_name(central: CentralSystem, booted: Booted) -> None:
    key = central.charger(booted.station_id).meter_interval_key
    assert key == ("MeterValueSampleInterval" if booted.version == "1.6" else "SampledDataCtrlr.TxUpdatedInterval")


async def test_not_connected(central: CentralSystem) -> None:
    central.state.store.station("away")
    with pytest.raises(NotConnected):
        central.charger("away")


async def test_capabilities_from_what_each_charger_reported(central: CentralSystem, booted: Booted) -> None:
    """The simulators state A and W and stack level 8 (1.6 configuration, 2.x device model); only 2.x states
    its phases; a whole-charger limit has its version's purpose.  `central.capabilities` (no connection needed) agrees."""
    v16 = booted.version == "1.6"
    capabilities = central.charger(booted.station_id).capabilities
    assert capabilities == Capabilities(
        rate_units=frozenset({"A", "W"}),
        max_stack_level=8,
        phases=None if v16 else 3,
        max_profile_purpose="ChargePointMaxProfile" if v16 else "ChargingStationMaxProfile",
        read_follows_boot=v16,  # 1.6 reads its configuration after every boot; 2.x's inventory is read
    )
    assert central.capabilities(central.stations[booted.station_id]) == capabilities


async def test_local_list_limits_from_what_each_charger_reported(central: CentralSystem, booted: Booted) -> None:
    """1.6: LocalAuthListMaxLength / SendLocalListMaxLength and its 20-character id tags; 2.x: the
    LocalAuthListCtrlr's Entries maxLimit / ItemsPerMessage (the simulators' values); none refuses a list."""
    limits = central.charger(booted.station_id).local_list_limits
    if booted.version == "1.6":
        assert limits == LocalListLimits(max_length=100, per_message=100, max_id_length=20)
    else:
        assert limits == LocalListLimits(max_length=200, per_message=50)
