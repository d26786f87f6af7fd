"""A simulated OCPP 2.0.1 or 2.1 charging station built on the `ocpp` package's client side.

`core201` / `reports201` hold its state and what it sends on its own, `handlers201` what it
answers to every central-system operation; this module puts them together and connects them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import websockets
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v201 import ChargePoint as ChargePoint201

from .auth import ConnectOptions
from .charger16 import SIM_TAG, TAG_REFUSED
from .forever import RETRY_DELAY, until_disconnected
from .handlers21 import TariffHandlers21
from .handlers201 import Handlers201
from .reports201 import StationReports201, ocsp_data
from .state201 import EvseSim, StationState201

_LOGGER = logging.getLogger(__name__)

__all__ = [
    "EvseSim",
    "SimulatedStation21",
    "SimulatedStation201",
    "StationState201",
    "connect",
    "ocsp_data",
    "run_forever",
]


class SimulatedStation201(Handlers201, StationReports201, ChargePoint201):  # type: ignore[misc]
    """An OCPP 2.0.1 station: its own messages and its answers to every central-system operation."""


class SimulatedStation21(TariffHandlers21, Handlers201, StationReports201, ChargePoint21):  # type: ignore[misc]
    """The same station speaking OCPP 2.1 (and keeping the tariffs of local cost calculation)."""


Station = SimulatedStation201 | SimulatedStation21


async def connect(
    url: str,
    cp_id: str,
    version: str = "2.0.1",
    evses: int | dict[int, int] = 1,
    options: ConnectOptions | None = None,
) -> Station:
    """A station connected to `url` (its receive loop running); `evses`: how many, or {evse id: connectors}."""
    station_type: Any = SimulatedStation21 if version == "2.1" else SimulatedStation201
    station: Station = station_type(cp_id, None, evses=evses, url=url)
    station.connect_options = options or ConnectOptions()
    await station.open()
    return station


async def run_forever(
    url: str,
    cp_id: str,
    version: str,
    evses: int,
    interval: float,
    options: ConnectOptions | None = None,
    retry_delay: float = RETRY_DELAY,
) -> None:
    """Boot, go live, and charge in a loop — for a newcomer's first look.

    When the central system goes away (Home Assistant restarts, the entry is reloaded) it comes
    back as a real station does: it reconnects every `retry_delay` seconds, sends the transaction
    events it queued meanwhile and its statuses, and goes on with the session it had."""
    station = await connect(url, cp_id, version, evses, options)
    station.step_delay = 1.0  # firmware updates, uploads … take a while, as on a real station
    station.stop_tx_on_invalid_id = True  # as most real stations: a refused tag's transaction is ended
    await station.boot(expect=None)
    while station.registration_status != "Accepted":
        # Pending or Rejected: boot again after the interval given (or when triggered)
        await asyncio.sleep(min(station.heartbeat_interval or interval, 60))
        if station.registration_status != "Accepted":
            await station.boot(expect=None)
    while True:
        assert station.serve_task is not None
        try:
            await until_disconnected(station, station.serve_task, _charge(station, interval))
        finally:
            await station.close()
        station.offline = True  # transaction events are queued until it is back
        await _reconnect(station, retry_delay)


async def _charge(station: Station, interval: float) -> None:
    """Report the statuses, start a transaction on EVSE 1 unless one runs, then update it and the main
    meter every `interval`."""
    await station.send_all_statuses()
    if station.sim.evses[1].transaction_id is None and station.refused_token is None:
        await station.authorize(SIM_TAG)
        await station.start_transaction(1, SIM_TAG)
        if station.refused_token is not None:  # ended at once; not tried again until the simulator restarts
            _LOGGER.warning(TAG_REFUSED, station.id, SIM_TAG, station.refused_token)
    while True:
        await asyncio.sleep(interval)
        for evse_id, evse in station.sim.evses.items():
            if evse.transaction_id is not None:
                await station.update_transaction(evse_id, interval)
        await station.send_main_meter_values(station.sim.main_meter_wh + 4.2 * interval)


async def _reconnect(station: Station, retry_delay: float) -> None:
    """Connect again, retrying while the central system is down; `reconnect` sends the queued events."""
    while True:
        await asyncio.sleep(retry_delay)
        try:
            await station.reconnect(statuses=False)
        except (OSError, websockets.InvalidHandshake, websockets.ConnectionClosed) as err:
            _LOGGER.info("%s: the central system is not reachable (%s); retrying", station.id, err)
            continue
        _LOGGER.info("%s: connected again", station.id)
        return
