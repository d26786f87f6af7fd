"""A simulated OCPP 1.6J charge point built on the `ocpp` package's client side.

`core16` holds its state and what it sends on its own, `handlers16` what it
answers to every central-system operation; this module connects it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import websockets
from ocpp.v16.enums import ChargePointStatus

from .auth import ConnectOptions
from .core16 import ChargerCore, ConfigKey, ConnectorSim, SimState, default_configuration, now
from .handlers16 import SIM_VENDOR_ID, SimulatedChargePoint, certificate_hash

__all__ = [
    "SIM_VENDOR_ID",
    "ChargerCore",
    "ConfigKey",
    "ConnectorSim",
    "SimState",
    "SimulatedChargePoint",
    "certificate_hash",
    "connect",
    "default_configuration",
    "now",
    "run_forever",
]


async def connect(
    url: str, cp_id: str, connectors: int = 1, options: ConnectOptions | None = None
) -> tuple[SimulatedChargePoint, asyncio.Task[None], Any]:
    """Open the WebSocket, start the client's receive loop; returns (charger, loop task, socket)."""
    options = options or ConnectOptions()
    ws = await websockets.connect(
        f"{url.rstrip('/')}/{cp_id}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=options.headers(cp_id),
        ssl=options.ssl,
    )
    charger = SimulatedChargePoint(cp_id, ws, connectors=connectors)
    task = asyncio.create_task(_serve(charger))
    return charger, task, ws


async def _serve(charger: SimulatedChargePoint) -> None:
    """The client's receive loop; the socket closing is its normal end."""
    with contextlib.suppress(websockets.ConnectionClosed):
        await charger.start()


async def run_forever(
    url: str, cp_id: str, connectors: int, interval: float, options: ConnectOptions | None = None
) -> None:
    """Boot, go live, and charge in a loop — for a newcomer's first look."""
    charger, task, ws = await connect(url, cp_id, connectors, options)
    charger.step_delay = 1.0  # firmware updates, uploads … take a while, as on a real charger
    await charger.boot(expect=None)
    while charger.registration_status != "Accepted" and not task.done():
        # Pending or Rejected: boot again after the interval given (or when triggered)
        await asyncio.sleep(min(charger.heartbeat_interval or interval, 60))
        if charger.registration_status != "Accepted":
            await charger.boot(expect=None)
    await charger.send_status(0, ChargePointStatus.available)
    for connector_id in charger.sim.connectors:
        await charger.send_status(connector_id, ChargePointStatus.available)
    await charger.authorize("SIM-TAG-1")
    await charger.start_transaction(1, "SIM-TAG-1")
    try:
        while not task.done():
            for connector_id in charger.sim.connectors:
                await charger.send_meter_values(connector_id, interval)
            await asyncio.sleep(interval)
    finally:
        await ws.close()
