"""A simulated OCPP 1.6J charge point built on the `ocpp` package's client side.

`core16` holds its state and what it sends on its own, `handlers16` what it
answers to every central-system operation; this module connects it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import websockets
from ocpp.v16.enums import ChargePointStatus

from .auth import ConnectOptions
from .core16 import ChargerCore, ConfigKey, ConnectorSim, SimState, default_configuration, now
from .forever import RETRY_DELAY, until_disconnected
from .handlers16 import SIM_VENDOR_ID, SimulatedChargePoint, certificate_hash

_LOGGER = logging.getLogger(__name__)

SIM_TAG = "SIM-TAG-1"  # the id tag `python -m sim` starts its session with
TAG_REFUSED = (
    "%s: the central system refused the tag %s (%s), so the session was stopped (DeAuthorized), as a real "
    "charger does. Add the tag (Options → Id tags) or accept unknown tags (Tag policy), then restart the simulator."
)

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
    url: str,
    cp_id: str,
    connectors: int,
    interval: float,
    options: ConnectOptions | None = None,
    retry_delay: float = RETRY_DELAY,
) -> None:
    """Boot, go live, and charge in a loop — for a newcomer's first look.

    When the central system goes away (Home Assistant restarts, the entry is reloaded) it comes
    back as a real charger does: it reconnects every `retry_delay` seconds, reports its
    connectors' statuses and goes on with the session it had."""
    charger, task, ws = await connect(url, cp_id, connectors, options)
    charger.step_delay = 1.0  # firmware updates, uploads … take a while, as on a real charger
    # as most real chargers: a session whose tag the central system refuses is stopped (DeAuthorized)
    charger.sim.configuration["StopTransactionOnInvalidId"] = ConfigKey("true")
    await charger.boot(expect=None)
    while charger.registration_status != "Accepted" and not task.done():
        # Pending or Rejected: boot again after the interval given (or when triggered)
        await asyncio.sleep(min(charger.heartbeat_interval or interval, 60))
        if charger.registration_status != "Accepted":
            await charger.boot(expect=None)
    while True:
        try:
            await until_disconnected(charger, task, _charge(charger, interval))
        finally:
            await ws.close()
        ws, task = await _reconnect(charger, url, options or ConnectOptions(), retry_delay)


async def _charge(charger: SimulatedChargePoint, interval: float) -> None:
    """Report the statuses, start a session on connector 1 unless one runs, then send meter values
    every `interval`."""
    await charger.send_status(0, ChargePointStatus.available)
    for connector_id, connector in charger.sim.connectors.items():
        charging = connector.transaction_id is not None
        await charger.send_status(connector_id, ChargePointStatus.charging if charging else ChargePointStatus.available)
    refused = charger.last_id_tag_info.get("status", "Accepted") != "Accepted"
    if charger.sim.connectors[1].transaction_id is None and not refused:
        await charger.authorize(SIM_TAG)
        await charger.start_transaction(1, SIM_TAG)
        status = charger.last_id_tag_info.get("status")
        if status != "Accepted":  # it was stopped at once; not tried again until the simulator restarts
            _LOGGER.warning(TAG_REFUSED, charger.id, SIM_TAG, status)
    while True:
        for connector_id in charger.sim.connectors:
            await charger.send_meter_values(connector_id, interval)
        await asyncio.sleep(interval)


async def _reconnect(
    charger: SimulatedChargePoint, url: str, options: ConnectOptions, retry_delay: float
) -> tuple[Any, asyncio.Task[None]]:
    """Connect the same charger again, retrying while the central system is down."""
    while True:
        await asyncio.sleep(retry_delay)
        try:
            ws = await websockets.connect(
                f"{url.rstrip('/')}/{charger.id}",
                subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                additional_headers=options.headers(charger.id),
                ssl=options.ssl,
            )
        except (OSError, websockets.InvalidHandshake) as err:
            _LOGGER.info("%s: the central system is not reachable (%s); retrying", charger.id, err)
            continue
        break
    charger._connection = ws  # the `ocpp` ChargePoint reads and writes through it
    task = asyncio.create_task(_serve(charger))
    _LOGGER.info("%s: connected again", charger.id)
    return ws, task
