"""set_charging_profile's simple form (a limit, its unit, purpose, duration) and clear_charging_profile,
through Home Assistant against simulated chargers that obey their profiles (1.6J, 2.0.1 and 2.1)."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from custom_components.ocpp_core.csms.features.limit_profiles import SIMPLE_PROFILE_ID_BASE

from .conftest import Open, OpenStation, call, device

TX_DEFAULT_0 = SIMPLE_PROFILE_ID_BASE + 1000  # the simple form's TxDefaultProfile of the whole charger


async def test_a_limit_on_16(hass: HomeAssistant, open_charger: Open) -> None:
    charger = await open_charger("simple-16")
    device_id = device(hass, "simple-16")
    answer = await call(hass, "set_charging_profile", {"device_id": device_id, "limit": 10, "unit": "a"})
    assert answer["status"] == "Accepted"
    sent = [payload for action, payload in charger.requests if action == "SetChargingProfile"][-1]
    assert sent["connectorId"] == 0 and answer["chargingProfile"] == sent["csChargingProfiles"]
    profile = sent["csChargingProfiles"]
    assert (profile["chargingProfileId"], profile["stackLevel"], profile["chargingProfilePurpose"]) == (
        TX_DEFAULT_0,
        0,
        "TxDefaultProfile",
    )
    assert profile["chargingSchedule"]["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 10.0}]
    await charger.start_transaction(1, "TAG")
    assert charger.sim.connectors[1].power_w == 10 * 690.0  # the charger obeys it

    # a session's limit, for an hour, in watts; the same purpose again replaces it
    answer = await call(
        hass,
        "set_charging_profile",
        {"device_id": device_id, "limit": 4140, "unit": "W", "purpose": "tx_profile", "duration": 3600},
    )
    assert answer["status"] == "Accepted"
    profile = answer["chargingProfile"]
    assert profile["chargingProfilePurpose"] == "TxProfile" and profile["chargingProfileKind"] == "Relative"
    assert profile["transactionId"] == charger.sim.connectors[1].transaction_id
    assert profile["chargingSchedule"]["duration"] == 3600
    assert charger.sim.connectors[1].power_w == 4140.0

    answer = await call(hass, "clear_charging_profile", {"device_id": device_id, "charging_profile_id": TX_DEFAULT_0})
    assert answer == {"status": "Accepted"}
    assert TX_DEFAULT_0 not in charger.sim.charging_profiles


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_a_limit_on_2x(hass: HomeAssistant, open_station: OpenStation, version: str) -> None:
    station = await open_station("simple-2x", version)
    device_id = device(hass, "simple-2x")
    answer = await call(
        hass,
        "set_charging_profile",
        {"device_id": device_id, "limit": 8, "purpose": "charge_point_max_profile", "stack_level": 1},
    )
    assert answer["status"] == "Accepted"
    sent = [payload for action, payload in station.requests if action == "SetChargingProfile"][-1]
    assert sent["evseId"] == 0
    profile = sent["chargingProfile"]
    assert profile["id"] == SIMPLE_PROFILE_ID_BASE and profile["stackLevel"] == 1
    assert profile["chargingProfilePurpose"] == "ChargingStationMaxProfile"
    assert profile["chargingSchedule"][0]["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 8.0}]
    await station.start_transaction(1)
    assert station.sim.evses[1].power_w == 8 * 690.0

    answer = await call(
        hass, "clear_charging_profile", {"device_id": device_id, "charging_profile_id": SIMPLE_PROFILE_ID_BASE}
    )
    assert answer == {"status": "Accepted"}
    assert station.sim.charging_profiles == {}


async def test_profile_or_limit_not_both(hass: HomeAssistant, open_charger: Open) -> None:
    charger = await open_charger("simple-bad")
    device_id = device(hass, "simple-bad")
    profile = {"chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile"}
    for data, key in (
        ({}, "profile_or_limit"),
        ({"limit": 10, "charging_profile": profile}, "profile_or_limit"),
        ({"charging_profile": profile, "unit": "W"}, "field_requires"),
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await call(hass, "set_charging_profile", {"device_id": device_id, **data})
        assert caught.value.translation_key == key
    # a TxProfile needs a session
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "set_charging_profile", {"device_id": device_id, "limit": 10, "purpose": "tx_profile"})
    assert caught.value.translation_key == "no_open_transaction"
    assert not [action for action, _ in charger.requests if action == "SetChargingProfile"]
