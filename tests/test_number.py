"""Load management in Home Assistant: the limit numbers, the limit sensors and the repair issue.

A simulated OCPP 1.6 charger obeys the charging profiles it gets and answers
GetCompositeSchedule with the limit in force, as a real one does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import CONF_LIMIT_INTERVAL, CONF_LIMIT_STEP, DOMAIN
from custom_components.ocpp_core.repairs.limits import issue_id
from sim.charger16 import SimulatedChargePoint

from .helpers_ha import ACCEPT_ALL, charger16, state, until
from .helpers_remote import both_backends

NO_RATE_LIMIT = {**ACCEPT_ALL, CONF_LIMIT_INTERVAL: 0}  # every change goes out at once


@pytest.fixture
def entry_args() -> dict[str, Any]:
    return {"options": NO_RATE_LIMIT}


@pytest.fixture
async def charger(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[SimulatedChargePoint]:
    async with charger16(hass, entry) as cp:
        yield cp


def profiles_sent(cp: SimulatedChargePoint) -> list[dict[str, Any]]:
    return [payload for name, payload in cp.requests if name == "SetChargingProfile"]


def only_limit(payload: dict[str, Any]) -> tuple[int, str, str, float]:
    profile = payload["csChargingProfiles"]
    schedule = profile["chargingSchedule"]
    return (
        payload["connectorId"],
        profile["chargingProfilePurpose"],
        schedule["chargingRateUnit"],
        float(schedule["chargingSchedulePeriod"][0]["limit"]),
    )


async def set_value(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call("number", "set_value", {"entity_id": entity_id, "value": value}, blocking=True)


@both_backends
async def test_numbers_are_controls_with_the_chargers_range(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    registry = er.async_get(hass)
    for entity_id in (
        "number.wb_current_limit",
        "number.wb_power_limit",
        "number.wb_charger_current_limit",
        "number.wb_charger_power_limit",
    ):
        reg_entry = registry.async_get(entity_id)
        assert reg_entry is not None, entity_id
        assert reg_entry.entity_category is None  # usable by automations, not hidden in configuration
    current = hass.states.get("number.wb_current_limit")
    assert current is not None
    # nothing asked yet: no limit, shown as the maximum (not "0 A, paused" nor empty), `limited` false
    assert current.state == "32.0"
    assert current.attributes["limited"] is False
    assert current.attributes["min"] == 0
    assert current.attributes["max"] == 32  # no max_current set for the charger: 32 A
    assert current.attributes["step"] == 1
    assert current.attributes["unit_of_measurement"] == "A"
    assert current.attributes["session_active"] is False
    power = hass.states.get("number.wb_power_limit")
    assert power is not None
    assert power.attributes["unit_of_measurement"] == "W"
    assert power.attributes["mode"] == "box"
    assert power.state == str(32.0 * 230) and power.attributes["limited"] is False  # one phase until measured
    station = hass.states.get("number.wb_charger_power_limit")
    assert station is not None and station.state == power.state


@both_backends
async def test_no_limit_and_a_limit_asked_for(
    hass: HomeAssistant, entry: MockConfigEntry, charger: SimulatedChargePoint
) -> None:
    await set_value(hass, "number.wb_current_limit", 10)
    current = hass.states.get("number.wb_current_limit")
    assert current is not None and current.state == "10.0" and current.attributes["limited"] is True
    await until(hass, lambda: state(hass, "number.wb_power_limit") == str(10.0 * 230))
    power = hass.states.get("number.wb_power_limit")
    assert power is not None and power.attributes["limited"] is True
    await entry.runtime_data.central.limits.clear_limit("wb", 1)
    await until(hass, lambda: state(hass, "number.wb_current_limit") == "32.0")
    current = hass.states.get("number.wb_current_limit")
    assert current is not None and current.attributes["limited"] is False


@both_backends
async def test_station_and_connector_power_ranges_agree(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    """A 3 x 32 A charger: both power limits top out at 22,080 W once its currents on L2/L3 are measured."""

    def top(entity_id: str) -> Any:
        current = hass.states.get(entity_id)
        return None if current is None else current.attributes["max"]

    await charger.start_transaction(1, "TAG-1")
    await charger.send_meter_values(1)
    await until(hass, lambda: top("number.wb_power_limit") == 32 * 230 * 3)
    await until(hass, lambda: top("number.wb_charger_power_limit") == 32 * 230 * 3)
    assert state(hass, "number.wb_charger_power_limit") == str(32.0 * 230 * 3)  # no limit: the maximum


@both_backends
async def test_current_limit_reaches_the_charger_and_is_read_back(
    hass: HomeAssistant, charger: SimulatedChargePoint
) -> None:
    await set_value(hass, "number.wb_current_limit", 10)
    assert state(hass, "number.wb_current_limit") == "10.0"
    await until(hass, lambda: state(hass, "sensor.wb_limit_status") == "accepted")
    assert only_limit(profiles_sent(charger)[-1]) == (1, "TxDefaultProfile", "A", 10.0)
    # the charger's GetCompositeSchedule answer: the limit it applies
    await until(hass, lambda: state(hass, "sensor.wb_limit_in_force") == "10.0")
    status = hass.states.get("sensor.wb_limit_status")
    assert status is not None
    assert status.attributes["answer"] == {"status": "Accepted"}
    # the answer's details are not kept in the recorder's history, the status and the limit are
    assert status.state_info is not None
    assert {"answer", "unit_sent", "overridden_by"} <= status.state_info["unrecorded_attributes"]
    assert "amps" not in status.state_info["unrecorded_attributes"]

    # the whole charger: a ChargePointMaxProfile on connector 0, shown by the charger's own sensors
    await set_value(hass, "number.wb_charger_current_limit", 8)
    await until(hass, lambda: state(hass, "sensor.wb_charger_limit_in_force") == "8.0")
    assert only_limit(profiles_sent(charger)[-1]) == (0, "ChargePointMaxProfile", "A", 8.0)
    assert state(hass, "sensor.wb_charger_limit_status") == "accepted"


@both_backends
async def test_power_limit_is_the_same_limit_in_watts(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    def top(entity_id: str) -> float:
        current = hass.states.get(entity_id)
        assert current is not None
        return float(current.attributes["max"])

    # 12 A in watts as the charger counts them (the phases it charges on, the nominal voltage: it sent none)
    watts = round(12 * top("number.wb_power_limit") / top("number.wb_current_limit"), 1)
    await set_value(hass, "number.wb_power_limit", watts)
    await until(hass, lambda: state(hass, "sensor.wb_limit_status") == "accepted")
    assert state(hass, "number.wb_current_limit") == "12.0"
    assert state(hass, "number.wb_power_limit") == str(float(watts))
    assert only_limit(profiles_sent(charger)[-1])[3] == 12.0


@both_backends
async def test_a_limit_the_charger_must_not_get_is_refused_with_a_reason(
    hass: HomeAssistant, charger: SimulatedChargePoint
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await set_value(hass, "number.wb_current_limit", 3)
    assert err.value.translation_key == "invalid_limit"
    assert "3 A" in err.value.translation_placeholders["reason"]
    assert profiles_sent(charger) == []
    assert state(hass, "number.wb_current_limit") == "32.0"  # still no limit
    # 0 pauses charging: valid
    await set_value(hass, "number.wb_current_limit", 0)
    await until(hass, lambda: state(hass, "sensor.wb_limit_status") == "accepted")


@both_backends
async def test_rejection_raises_a_repair_issue_quoting_the_answer_until_one_is_accepted(
    hass: HomeAssistant, backend: str, entry: MockConfigEntry, charger: SimulatedChargePoint
) -> None:
    issues = ir.async_get(hass)
    key = issue_id(entry.entry_id, "wb", 1)
    charger.sim.refuse_profiles = "Rejected"
    await set_value(hass, "number.wb_current_limit", 16)
    await until(hass, lambda: state(hass, "sensor.wb_limit_status") == "rejected")
    issue = issues.async_get_issue(DOMAIN, key)
    assert issue is not None
    assert issue.translation_key == "limit_rejected"
    assert issue.translation_placeholders == {"charger": "wb", "connector": "1", "limit": "16 A", "answer": "Rejected"}
    status = hass.states.get("sensor.wb_limit_status")
    assert status is not None
    assert status.attributes["answer"] == {"status": "Rejected"}
    assert state(hass, "number.wb_current_limit") == "16.0"  # still what was asked for

    charger.sim.refuse_profiles = None
    await set_value(hass, "number.wb_current_limit", 16)  # asked again: a refused limit is sent again
    await until(hass, lambda: state(hass, "sensor.wb_limit_status") == "accepted")
    assert issues.async_get_issue(DOMAIN, key) is None


@both_backends
async def test_the_limit_asked_for_survives_a_restart(
    hass: HomeAssistant, backend: str, entry: MockConfigEntry, charger: SimulatedChargePoint
) -> None:
    await set_value(hass, "number.wb_current_limit", 11)
    await until(hass, lambda: state(hass, "sensor.wb_limit_status") == "accepted")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    # embedded: the charger is not connected to the new central system yet, the limit is there all the same;
    # remote: the add-on kept the charger and its limit, accepted
    assert state(hass, "number.wb_current_limit") == "11.0"
    assert state(hass, "sensor.wb_limit_status") == ("pending" if backend == "embedded" else "accepted")


async def test_the_step_is_an_option_and_applies_at_once(
    hass: HomeAssistant, entry: MockConfigEntry, charger: SimulatedChargePoint
) -> None:
    hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_LIMIT_STEP: 0.5})
    await hass.async_block_till_done()
    current = hass.states.get("number.wb_current_limit")
    assert current is not None
    assert current.attributes["step"] == 0.5
    await set_value(hass, "number.wb_current_limit", 6.5)
    await until(hass, lambda: state(hass, "sensor.wb_limit_status") == "accepted")
    assert only_limit(profiles_sent(charger)[-1])[3] == 6.5


@both_backends
async def test_session_active_follows_the_session(hass: HomeAssistant, charger: SimulatedChargePoint) -> None:
    def session_active() -> Any:
        current = hass.states.get("number.wb_current_limit")
        return None if current is None else current.attributes.get("session_active")

    await charger.start_transaction(1, "TAG")
    await until(hass, lambda: session_active() is True)
    await charger.stop_transaction(1)
    await until(hass, lambda: session_active() is False)


@pytest.mark.parametrize("entry_args", [{"options": ACCEPT_ALL}])  # the default interval: 10 s
async def test_the_rate_limit_is_an_option_and_applies_at_once(
    hass: HomeAssistant, entry: MockConfigEntry, charger: SimulatedChargePoint
) -> None:
    central = entry.runtime_data.central
    assert central.config.limit_interval == 10
    await set_value(hass, "number.wb_current_limit", 10)
    await until(hass, lambda: state(hass, "sensor.wb_limit_status") == "accepted")
    await set_value(hass, "number.wb_current_limit", 12)
    await set_value(hass, "number.wb_current_limit", 14)  # within the interval: waits, the latest wins
    await until(hass, lambda: state(hass, "sensor.wb_limit_status") == "pending")
    assert [only_limit(p)[3] for p in profiles_sent(charger)] == [10.0]

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "general"})
    assert result["type"] is FlowResultType.FORM
    defaults = {key.schema: key.default() for key in result["data_schema"].schema if callable(key.default)}
    assert defaults[CONF_LIMIT_INTERVAL] == 10
    result = await hass.config_entries.options.async_configure(result["flow_id"], {**defaults, CONF_LIMIT_INTERVAL: 1})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.runtime_data.central is central  # applied in place: the charger stays connected
    assert central.config.limit_interval == 1
    # the wait under way is shortened: 14 A goes out now, not 10 s after the first limit
    await until(hass, lambda: state(hass, "sensor.wb_limit_status") == "accepted")
    assert [only_limit(p)[3] for p in profiles_sent(charger)] == [10.0, 14.0]


async def test_the_range_follows_the_chargers_maximum_and_phases(
    hass: HomeAssistant, entry: MockConfigEntry, charger: SimulatedChargePoint
) -> None:
    def top(entity_id: str) -> Any:
        current = hass.states.get(entity_id)
        return None if current is None else current.attributes["max"]

    central = entry.runtime_data.central
    await central.update_settings("wb", {"max_current": 16})
    await until(hass, lambda: top("number.wb_current_limit") == 16)
    assert top("number.wb_power_limit") == central.limits.amps_to_watts("wb", 1, 16)
    await central.update_settings("wb", {"phases": 3})
    await until(hass, lambda: top("number.wb_power_limit") == 16 * 230 * 3)


@both_backends
async def test_the_power_range_does_not_follow_the_measured_voltage(
    hass: HomeAssistant, charger: SimulatedChargePoint
) -> None:
    """The measured voltage moves with every meter value; the power number is not written for it."""
    writes: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: writes.append(event.data["entity_id"]) if event.data["entity_id"].startswith("number.") else None,
    )
    await charger.start_transaction(1, "TAG-1")
    for _ in range(6):  # the simulator's voltage varies between 229 and 231 V
        await charger.send_meter_values(1)
    await hass.async_block_till_done()
    assert writes.count("number.wb_power_limit") <= 1  # the session starting, not the voltage
    power = hass.states.get("number.wb_power_limit")
    assert power is not None
    assert power.attributes["max"] == 32 * 3 * 230  # the maximum current at the nominal voltage
    # the top of the range is accepted whatever the voltage measured (229-231 V): at most the maximum current
    await set_value(hass, "number.wb_power_limit", 32 * 3 * 230)
    await until(hass, lambda: state(hass, "number.wb_current_limit") not in (None, "unknown"))
    assert 31.8 <= float(state(hass, "number.wb_current_limit") or 0) <= 32


@both_backends
async def test_charging_allowed_pauses_and_resumes_without_ending_the_session(
    hass: HomeAssistant, entry: MockConfigEntry, charger: SimulatedChargePoint
) -> None:
    """For evcc and the Energy dashboard: off = 0 A (the session goes on), on = the limit before, or none."""
    central = entry.runtime_data.central
    switch = "switch.wb_charging_allowed"
    assert state(hass, switch) == "on"
    await charger.start_transaction(1, "TAG-1")
    await set_value(hass, "number.wb_current_limit", 10)
    await until(hass, lambda: state(hass, "sensor.wb_limit_in_force") == "10.0")

    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    await until(hass, lambda: state(hass, "sensor.wb_limit_in_force") == "0.0")
    assert state(hass, switch) == "off" and state(hass, "number.wb_current_limit") == "0.0"
    assert charger.sim.connectors[1].power_w == 0.0
    assert central.stations["wb"].connectors[1].transaction is not None  # paused, not ended

    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    await until(hass, lambda: state(hass, "sensor.wb_limit_in_force") == "10.0")  # the limit before the pause
    assert state(hass, switch) == "on" and state(hass, "number.wb_current_limit") == "10.0"

    # no limit before the pause: back to no limit (our profile cleared)
    await central.limits.clear_limit("wb", 1)
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    await until(hass, lambda: charger.sim.connectors[1].power_w == 0.0)
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    await until(hass, lambda: state(hass, "number.wb_current_limit") == "32.0")
    assert central.limits.get("wb", 1) is None
    assert central.stations["wb"].connectors[1].transaction is not None
