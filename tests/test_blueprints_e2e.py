"""Each blueprint's loop closed with a real charger: solar surplus, fuse protection, cheap hours.

OCPP Core runs in Home Assistant with a simulated charger — OCPP 1.6J or 2.0.1 — that obeys the
charging profiles it gets: its power and charging state follow the limit.  The blueprints run as
the user's automations and drive the charger's real *Current limit* number; the house (grid
power, phase currents, price) is played with sensor states, and the house follows what the car
draws as the charger reports it.  No limit was set before: the number starts unknown.  Changes
go out at once (limit interval 0); the blueprints' minutes pass with the freezer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ocpp_core.const import CONF_LIMIT_INTERVAL
from sim.charger16 import SimulatedChargePoint
from sim.charger201 import Station as Station201

from .helpers_blueprints import automations_off, current, install_blueprints, power, use_blueprint
from .helpers_ha import ACCEPT_ALL, boot_station, charger16, state, until

PER_AMP = 3 * 230  # W per ampere on three phases
EV_MAX_W = 11_000.0  # what the simulated car takes when nothing limits it
LIMIT = "number.wb_current_limit"
CAR_POWER = "sensor.wb_power"

# the clock runs (sockets and timeouts work) and the freezer moves it on for the blueprints' delays; the
# central system's message types keep the real datetime class (msgspec takes no stand-in)
pytestmark = pytest.mark.freeze_time(tick=True, ignore=["custom_components.ocpp_core.csms.rpc.typed_schema"])


@pytest.fixture
def entry_args() -> dict[str, Any]:
    return {"options": {**ACCEPT_ALL, CONF_LIMIT_INTERVAL: 0}}


@dataclass
class Wallbox:
    """The simulated charger "wb" of either version, seen the same way by the tests."""

    hass: HomeAssistant
    sim: SimulatedChargePoint | Station201

    async def start_session(self) -> None:
        if isinstance(self.sim, SimulatedChargePoint):
            await self.sim.start_transaction(1, "TAG")
        else:
            await self.sim.start_transaction(1)
        await until(
            self.hass, lambda: (s := self.hass.states.get(LIMIT)) is not None and s.attributes["session_active"]
        )

    @property
    def charging_state(self) -> str | None:
        """Charging or suspended by the charger, as Home Assistant shows it (1.6: the status; 2.x: its own sensor)."""
        is16 = isinstance(self.sim, SimulatedChargePoint)
        return state(self.hass, "sensor.wb_status" if is16 else "sensor.wb_charging_state")

    @property
    def power_w(self) -> float:
        """What the car draws now, as the charger lets it."""
        if isinstance(self.sim, SimulatedChargePoint):
            return self.sim.sim.connectors[1].power_w
        return self.sim.sim.evses[1].power_w

    def last_limit(self) -> float:
        """The limit of the last SetChargingProfile the charger got (for its connector / EVSE 1)."""
        if isinstance(self.sim, SimulatedChargePoint):
            sent = [p for name, p in self.sim.requests if name == "SetChargingProfile"]
            assert sent and sent[-1]["connectorId"] == 1
            return float(sent[-1]["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"])
        sent = [p for name, p in self.sim.requests if name == "SetChargingProfile"]
        assert sent and sent[-1]["evseId"] == 1
        return float(sent[-1]["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"][0]["limit"])

    async def settled(self) -> None:
        """Every call of the charger answered, every follow-up of its own sent."""
        async with asyncio.timeout(5):
            await self.sim.settle()

    async def report(self) -> None:
        """Meter values, as the charger sends them; Home Assistant's power sensor follows."""
        if isinstance(self.sim, SimulatedChargePoint):
            await self.sim.send_meter_values(1)
        else:
            await self.sim.update_transaction(1)
        await until(self.hass, lambda: state(self.hass, CAR_POWER) == str(self.power_w))

    async def obeys(self, amps: float) -> None:
        """The limit reached the charger, is read back in force, and the car's power follows it."""
        await until(self.hass, lambda: state(self.hass, "sensor.wb_limit_in_force") == str(float(amps)))
        assert state(self.hass, LIMIT) == str(float(amps))
        assert state(self.hass, "sensor.wb_limit_status") == "accepted"
        assert self.last_limit() == amps
        assert self.power_w == min(EV_MAX_W, amps * PER_AMP)
        await until(self.hass, lambda: self.charging_state == ("charging" if amps else "suspended_evse"))
        await self.report()


@pytest.fixture(params=["1.6", "2.0.1"])
async def wallbox(
    request: pytest.FixtureRequest, hass: HomeAssistant, entry: MockConfigEntry, tmp_path: Path
) -> AsyncIterator[Wallbox]:
    await install_blueprints(hass, tmp_path)
    if request.param == "1.6":
        async with charger16(hass, entry) as cp:
            yield Wallbox(hass, cp)
            await automations_off(hass)
        return
    station = await boot_station(hass, entry.runtime_data.central, "wb", request.param)
    await until(hass, lambda: state(hass, "sensor.wb_status") == "available")
    yield Wallbox(hass, station)
    await automations_off(hass)
    async with asyncio.timeout(5):
        await station.settle()
    await station.close()


async def later(hass: HomeAssistant, wallbox: Wallbox, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Let the clock move on (the blueprints' delays compare now() with when the limit last changed),
    once nothing is on its way: a call waiting for its answer would time out."""
    await hass.async_block_till_done()
    await wallbox.settled()
    # from now, not with tick(): a ticking clock's tick() counts from the last time it was moved, so the
    # real time since then (a second or more on a loaded machine) would be lost and a 61 s step be 59.9 s
    freezer.move_to(dt_util.utcnow() + timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


# ---- solar surplus -------------------------------------------------------------------------------

GRID = "sensor.grid_power"


async def test_solar_surplus(hass: HomeAssistant, wallbox: Wallbox, freezer: FrozenDateTimeFactory) -> None:
    def sun(surplus_w: float) -> None:
        """The grid meter: what the car draws (as the charger reported it) less what the sun gives."""
        power(hass, GRID, float(state(hass, CAR_POWER) or 0) - surplus_w)

    async def follows(surplus_w: float, amps: float) -> None:
        await wallbox.obeys(amps)
        sun(surplus_w)  # the grid meter sees the car's new power
        await hass.async_block_till_done()
        assert state(hass, LIMIT) == str(float(amps))  # which changes nothing: the same surplus

    await wallbox.start_session()  # no limit yet: the car takes 11 kW
    await wallbox.report()
    assert state(hass, LIMIT) == "32.0"  # no limit yet: shown as the maximum
    assert wallbox.power_w == EV_MAX_W
    sun(13_000)  # the sun covers the car and exports 2 kW more
    # the user's part: import the blueprint, pick three entities (delays shortened for the test)
    await use_blueprint(
        hass,
        "solar_surplus",
        {
            "grid_power": GRID,
            "charger_power": CAR_POWER,
            "current_limit": LIMIT,
            "start_delay": {"seconds": 0},
            "stop_delay": {"seconds": 30},  # the meters do not report at the same moment
        },
    )

    sun(3000)  # clouds: 3 kW of sun, less than 6 A on three phases: charging stops after the stop delay
    await later(hass, wallbox, freezer, 20)
    assert state(hass, LIMIT) == "32.0"  # still no limit asked for
    await later(hass, wallbox, freezer, 11)
    await follows(3000, 0)

    sun(6000)  # sun again: 6 kW to spare, 8 A (8.7 rounded down)
    await follows(6000, 8)

    sun(9000)  # more sun: 13 A would fit, 12 A with the 300 W hysteresis; once a minute at most
    await hass.async_block_till_done()
    assert state(hass, LIMIT) == "8.0"  # the limit changed less than a minute ago
    await later(hass, wallbox, freezer, 61)  # the next check (every minute) raises it
    await follows(9000, 12)

    await later(hass, wallbox, freezer, 61)
    sun(4500)  # a cloud: down to 6 A (6.5 rounded down)
    await follows(4500, 6)


# ---- fuse protection -----------------------------------------------------------------------------

PHASES = ("sensor.house_l1", "sensor.house_l2", "sensor.house_l3")


async def test_fuse_protection(
    hass: HomeAssistant, entry: MockConfigEntry, wallbox: Wallbox, freezer: FrozenDateTimeFactory
) -> None:
    def house(other: tuple[float, float, float]) -> None:
        """The main meter per phase: the house's other loads plus what the car draws on every phase."""
        car = float(state(hass, CAR_POWER) or 0) / PER_AMP
        for entity_id, amps in zip(PHASES, other, strict=True):
            current(hass, entity_id, round(amps + car, 2))

    await entry.runtime_data.central.update_settings("wb", {"max_current": 16})  # the wallbox's own fuse
    await until(hass, lambda: (s := hass.states.get(LIMIT)) is not None and s.attributes["max"] == 16)
    await wallbox.start_session()
    await wallbox.report()  # the car takes 11 kW: 15.9 A per phase
    house((2, 1, 1))
    await use_blueprint(
        hass,
        "fuse_protection",
        {"house_currents": list(PHASES), "fuse": 25, "chargers": [LIMIT], "charger_powers": [CAR_POWER]},
    )

    house((10, 3, 3))  # L1 at 25.9 A over a 25 A fuse: 24 A usable, 14 A for the car
    await wallbox.obeys(14)
    house((10, 3, 3))  # 24 A on L1 now: nothing changes
    await hass.async_block_till_done()
    assert state(hass, LIMIT) == "14.0"

    house((18, 3, 3))  # the oven: 6 A left for the car
    await wallbox.obeys(6)
    house((21, 3, 3))  # and the heat pump: 3 A left, too little to charge: paused
    await wallbox.obeys(0)
    house((21, 3, 3))  # the car's current is gone from the meter
    for entity_id in PHASES:  # under the fuse less the reserve
        assert float(state(hass, entity_id) or 0) <= 24

    house((4, 3, 3))  # the loads are off again: up once the limit has held for the raise delay (30 s)
    await hass.async_block_till_done()
    assert state(hass, LIMIT) == "0.0"
    await later(hass, wallbox, freezer, 31)
    house((4, 3, 3))
    await wallbox.obeys(16)  # 20 A free, the wallbox's maximum is 16 A (the car takes 11 kW of it)


# ---- cheap hours ---------------------------------------------------------------------------------

PRICE = "sensor.electricity_price"


async def test_cheap_hours(hass: HomeAssistant, wallbox: Wallbox) -> None:
    def price(eur: str) -> None:
        hass.states.async_set(PRICE, eur, {"unit_of_measurement": "EUR/kWh"})

    price("0.31")
    await use_blueprint(
        hass,
        "cheap_hours",
        {"cheap_entity": PRICE, "price_threshold": 0.2, "chargers": [LIMIT], "cheap_current": 10},
    )
    await wallbox.start_session()
    price("0.35")  # expensive: paused
    await wallbox.obeys(0)
    price("0.12")  # cheap: 10 A
    await wallbox.obeys(10)
    price("0.40")
    await wallbox.obeys(0)
