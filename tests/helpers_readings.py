"""A charger in a session sending readings that move a little, as a real charge's do (power by a few watts,
currents by 0.01 A, voltages by 0.1 V): a 1.6 charger's MeterValues or a 2.0.1 station's TransactionEvent
Updated, on either back end (`ocpp_url(entry)`).  Shared by the state-write and the recorder tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from ocpp.v16 import call
from pytest_homeassistant_custom_component.common import MockConfigEntry

from sim.charger16 import connect as connect16

from .helpers_ha import boot_station, state, until
from .helpers_remote import ocpp_url

# a 3-phase 11 kW charge: (energy register Wh, power W, current A, voltage V) per message
START_WH = 1_000_000.0  # the register when the session started
STEADY = [
    (START_WH + 3.1 * (i + 1), 11_040.0 + (i * 7) % 23 - 11, 16.01 + (i % 4) / 100, 230.1 + (i % 3) / 10)
    for i in range(12)
]
WARM_UP = 2  # the first readings give every sensor its first value

Send = Callable[[float, float, float, float], Awaitable[None]]


def sampled_16(energy: float, power: float, amps: float, volts: float) -> list[dict[str, Any]]:
    values: list[dict[str, Any]] = [
        {"value": f"{energy:.1f}", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
        {"value": f"{power:.0f}", "measurand": "Power.Active.Import", "unit": "W"},
        {"value": "57", "measurand": "SoC", "unit": "Percent", "location": "EV"},
        {"value": "16", "measurand": "Current.Offered", "unit": "A"},
    ]
    for phase in ("L1", "L2", "L3"):
        values.append({"value": f"{amps:.2f}", "measurand": "Current.Import", "unit": "A", "phase": phase})
        values.append({"value": f"{volts:.1f}", "measurand": "Voltage", "unit": "V", "phase": f"{phase}-N"})
    return values


def sampled_201(energy: float, power: float, amps: float, volts: float) -> list[dict[str, Any]]:
    values: list[dict[str, Any]] = [
        {"value": energy, "measurand": "Energy.Active.Import.Register", "unit_of_measure": {"unit": "Wh"}},
        {"value": power, "measurand": "Power.Active.Import", "unit_of_measure": {"unit": "W"}},
        {"value": 57, "measurand": "SoC", "location": "EV", "unit_of_measure": {"unit": "Percent"}},
        {"value": 16, "measurand": "Current.Offered", "unit_of_measure": {"unit": "A"}},
    ]
    for phase in ("L1", "L2", "L3"):
        values.append({"value": amps, "measurand": "Current.Import", "phase": phase})
        values.append({"value": volts, "measurand": "Voltage", "phase": f"{phase}-N"})
    return values


@asynccontextmanager
async def charging_16(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[Send]:
    """A 1.6 charger in a session; `send` sends one MeterValues and waits until Home Assistant took it."""
    cp, task, ws = await connect16(ocpp_url(entry), "w16")
    central = entry.runtime_data.central
    try:
        await cp.boot()
        await cp.send_status(1, "Available")
        cp.sim.connectors[1].energy_wh = START_WH
        tx_id = await cp.start_transaction(1, "TAG-1")
        await until(hass, lambda: state(hass, "sensor.w16_status") == "charging")

        async def send(energy: float, power: float, amps: float, volts: float) -> None:
            stamp = dt_util.utcnow().isoformat()
            await cp.call(
                call.MeterValues(
                    connector_id=1,
                    transaction_id=tx_id,
                    meter_value=[{"timestamp": stamp, "sampled_value": sampled_16(energy, power, amps, volts)}],
                )
            )
            await until(hass, lambda: central.stations["w16"].connectors[1].lifetime_energy_wh == round(energy, 1))
            await hass.async_block_till_done()

        yield send
    finally:
        await ws.close()
        task.cancel()


@asynccontextmanager
async def charging_201(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[Send]:
    """A 2.0.1 station in a session; `send` sends one TransactionEvent Updated and waits until Home Assistant took it."""
    central = entry.runtime_data.central
    station = await boot_station(hass, central, "w201", url=ocpp_url(entry))
    try:
        station.sim.evses[1].energy_wh = START_WH
        await station.start_transaction(1)
        await until(hass, lambda: state(hass, "sensor.w201_status") == "charging")

        async def send(energy: float, power: float, amps: float, volts: float) -> None:
            reading = {
                "timestamp": dt_util.utcnow().isoformat(),
                "sampled_value": sampled_201(energy, power, amps, volts),
            }
            await station.update_transaction(1, meter_value=[reading])
            await until(hass, lambda: central.stations["w201"].connectors[1].lifetime_energy_wh == round(energy, 1))
            await hass.async_block_till_done()

        yield send
    finally:
        await station.close()


CHARGERS = {"1.6": ("w16", charging_16), "2.0.1": ("w201", charging_201)}
