"""Shared by the OCPP 2.0.1 / 2.1 tests: simulated stations over real WebSockets, and the events seen."""

from __future__ import annotations

import asyncio

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.model.station import Station
from sim import charger201
from sim.charger201 import Station as Sim

from .helpers import wait_for

VERSIONS = ["2.0.1", "2.1"]


async def connect(url: str, cp_id: str, version: str = "2.0.1", evses: int | dict[int, int] = 1) -> Sim:
    """A simulated station of that OCPP version (core, reports and every handler), connected, not booted."""
    return await charger201.connect(url, cp_id, version, evses)


async def booted(
    central: CentralSystem, url: str, cp_id: str, version: str = "2.0.1", evses: int | dict[int, int] = 1
) -> Sim:
    """Connected, booted, its inventory read and its statuses sent."""
    station = await connect(url, cp_id, version, evses)
    await station.boot()
    await wait_for(lambda: _inventory_read(central.stations[cp_id]))
    await settled(station)
    await station.send_all_statuses()
    return station


def _inventory_read(station: Station) -> bool:
    return station.v2 is not None and station.v2.inventory_time is not None


async def settled(station: Sim) -> None:
    """Every follow-up message of the station sent and answered."""
    async with asyncio.timeout(5):
        await station.settle()


def actions(station: Sim) -> list[str]:
    """The central system's CALLs to the station, in order."""
    return [action for action, _ in station.requests]


__all__ = ["VERSIONS", "Sim", "actions", "booted", "connect", "settled", "wait_for"]
