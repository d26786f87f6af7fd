"""Shared by the OCPP 2.0.1 / 2.1 command tests (test_commands_v201.py, test_commands_management_v201.py):
the simulated station of sim.charger201 (every handler of sim/handlers201), booted, and what the tests look at."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.model.station import Station
from custom_components.ocpp_core.csms.model.station_v2 import StationV2
from custom_components.ocpp_core.csms.rpc.timeutil import utcnow
from custom_components.ocpp_core.csms.v201.commands import V201Commands, component, variable
from sim.charger201 import Station as Sim
from sim.charger201 import connect
from sim.handlers201 import PEM_CERTIFICATE

from .helpers import wait_for

CP = "cmd201"
PEM = f"{PEM_CERTIFICATE}\nMIIB\n-----END CERTIFICATE-----"
HEARTBEAT = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
EVSE_POWER = {"component": component("EVSE", evse_id=1), "variable": variable("Power")}
NETWORK = {
    "ocppVersion": "OCPP20",
    "ocppTransport": "JSON",
    "ocppCsmsUrl": "wss://csms.example.com/ocpp",
    "messageTimeout": 30,
    "securityProfile": 2,
    "ocppInterface": "Wired0",
}


def tx_profile(
    profile_id: int, purpose: str = "TxProfile", stack_level: int = 0, limit: float = 10.0
) -> dict[str, Any]:
    return {
        "id": profile_id,
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [
            {
                "id": 1,
                "startSchedule": utcnow(),  # a datetime: sent as an OCPP timestamp
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}, {"startPeriod": 1800, "limit": 6.0}],
            }
        ],
    }


async def booted(central: CentralSystem, url: str, version: str) -> Sim:
    """The simulated station (sim.charger201, with every handler of sim/handlers201): two EVSEs,
    connected, booted, its inventory read and its statuses sent."""
    sim = await connect(url, CP, version, evses=2)
    await sim.boot()
    await wait_for(lambda: central.stations[CP].v2 is not None and central.stations[CP].v2.inventory_time is not None)
    await settled(sim)
    await sim.send_all_statuses()
    return sim


async def settled(sim: Sim) -> None:
    """Every follow-up message of the station sent and answered."""
    async with asyncio.timeout(5):
        await sim.settle()


def cmd(central: CentralSystem) -> V201Commands:
    return central.v201(CP)


def st(central: CentralSystem) -> Station:
    return central.stations[CP]


def v2(central: CentralSystem) -> StationV2:
    found = central.stations[CP].v2
    assert found is not None
    return found


def received(sim: Sim, action: str) -> dict[str, Any]:
    """The last request of that action the station received (as sent, camelCase)."""
    return next(payload for name, payload in reversed(sim.requests) if name == action)


async def done(sim: Sim, condition: Callable[[], object] | None = None) -> None:
    """The station's follow-up messages sent and answered (and `condition` holds)."""
    await settled(sim)
    if condition is not None:
        await wait_for(condition)
    await settled(sim)


@asynccontextmanager
async def running(central: CentralSystem, url: str, version: str) -> AsyncIterator[Sim]:
    """A booted station of that version for the length of a test."""
    sim = await booted(central, url, version)
    try:
        yield sim
    finally:
        await sim.close()
