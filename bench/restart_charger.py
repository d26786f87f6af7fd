"""The charger of bench.ha_restart: a simulated 1.6 charger (sim/, real OCPP) charging in a thread of its own.

It boots, starts a session and sends a MeterValues every `interval` seconds at a power that adds a whole number of
Wh per message (so the register, the session's energy and what the central system stored are equal to the Wh),
ends its session when told, and counts how often its WebSocket closed: each close is a reconnect (it connects
again, as a real charger does, and reports its connector's status).  The bench's main thread drives it through
`run` (a coroutine on the charger's loop) and reads its figures between the calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

import websockets
from ocpp.v16.enums import ChargePointStatus

from sim.charger16 import SIM_TAG, SimulatedChargePoint, connect

T = TypeVar("T")

POWER_W = 7_200.0  # 2 Wh per 1-second message: whole numbers, no rounding anywhere
RECONNECT_TIMEOUT = 120.0  # the add-on's restart: its venv is already there, the app is up in seconds
RETRY_DELAY = 0.5
CALL_TIMEOUT = 30.0


class ChargingStation:
    """One 1.6 charger on connector 1, its loop in a daemon thread; `close()` ends both."""

    def __init__(self, url: str, station_id: str, interval: float = 1.0) -> None:
        self.url, self.station_id, self.interval = url, station_id, interval
        self.closes = 0  # the charger saw its WebSocket close (and connected again)
        self.meter_start_wh: int | None = None
        self.meter_stop_wh: int | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=f"charger {station_id}", daemon=True)
        self._charger: SimulatedChargePoint | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._ws: Any = None
        self._stopping = False

    # ---- driven from the bench's thread ---------------------------------------------

    def run(self, work: Callable[[], Coroutine[Any, Any, T]], timeout: float = CALL_TIMEOUT) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(work(), self._loop)
        return future.result(timeout)

    def start(self) -> None:
        """Connected, booted (Accepted), charging in a session the central system accepted."""
        self._thread.start()
        self.run(self._start, timeout=60.0)

    def end_session(self) -> None:
        self.run(self._end_session)

    @property
    def register_wh(self) -> float:
        return self.run(self._register)

    @property
    def session_wh(self) -> int | None:
        """The ended session's energy (meterStop - meterStart), None while it runs."""
        if self.meter_start_wh is None or self.meter_stop_wh is None:
            return None
        return self.meter_stop_wh - self.meter_start_wh

    def close(self) -> None:
        with contextlib.suppress(Exception):  # whatever state it is in: the thread ends
            self.run(self._close, timeout=10.0)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10.0)

    # ---- on the charger's loop ------------------------------------------------------

    def _run(self) -> None:
        """The loop until `close`, then its executor's threads (name lookups) joined: none is left behind."""
        self._loop.run_forever()
        self._loop.run_until_complete(self._loop.shutdown_default_executor())
        self._loop.close()

    async def _start(self) -> None:
        charger, serve, self._ws = await connect(self.url, self.station_id)
        self._charger = charger
        await charger.boot()
        await charger.send_status(1, ChargePointStatus.preparing)
        await charger.authorize(SIM_TAG)
        self.meter_start_wh = int(charger.sim.connectors[1].energy_wh)
        await charger.start_transaction(1, SIM_TAG)
        if charger.last_id_tag_info.get("status") != "Accepted":
            raise RuntimeError(f"the central system refused the tag {SIM_TAG}: {charger.last_id_tag_info}")
        charger.sim.connectors[1].power_w = POWER_W
        self._tasks = [asyncio.create_task(self._watch(serve)), asyncio.create_task(self._meter())]

    async def _register(self) -> float:
        assert self._charger is not None
        return self._charger.sim.connectors[1].energy_wh

    async def _meter(self) -> None:
        """A MeterValues every interval while connected (one not answered is not counted: none is lost then)."""
        assert self._charger is not None
        connector = self._charger.sim.connectors[1]
        while True:
            await asyncio.sleep(self.interval)
            before = connector.energy_wh
            try:
                await asyncio.wait_for(self._charger.send_meter_values(1, self.interval), CALL_TIMEOUT)
            except (websockets.ConnectionClosed, TimeoutError):
                connector.energy_wh = before  # the central system never had it: the energy is not metered

    async def _end_session(self) -> None:
        assert self._charger is not None
        self.meter_stop_wh = int(self._charger.sim.connectors[1].energy_wh)
        await self._charger.stop_transaction(1, "EVDisconnected")

    async def _watch(self, serve: asyncio.Task[None]) -> None:
        """The receive loop ends when the socket closes: count it, connect again, report the connector."""
        assert self._charger is not None
        while not self._stopping:
            await serve
            if self._stopping:
                return
            self.closes += 1
            self._ws = await self._reconnect()
            serve = asyncio.create_task(self._serve())
            charging = self._charger.sim.connectors[1].transaction_id is not None
            status = ChargePointStatus.charging if charging else ChargePointStatus.available
            await self._charger.send_status(1, status)

    async def _serve(self) -> None:
        assert self._charger is not None
        with contextlib.suppress(websockets.ConnectionClosed):
            await self._charger.start()

    async def _reconnect(self) -> Any:
        assert self._charger is not None
        deadline = time.monotonic() + RECONNECT_TIMEOUT
        while True:
            try:
                ws = await websockets.connect(f"{self.url}/{self.station_id}", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
            except (OSError, websockets.InvalidHandshake):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(RETRY_DELAY)
                continue
            self._charger._connection = ws  # the `ocpp` ChargePoint reads and writes through it
            return ws

    async def _close(self) -> None:
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        if self._ws is not None:
            await self._ws.close()
