"""Shared by the hostile-number tests (test_bounds, test_bounds_state): how long the event loop is held,
and a raw 2.x charger that has booted."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from .helpers import RawCharger

NOW = "2024-05-01T10:00:00Z"
BOOT_V2 = {"reason": "PowerUp", "chargingStation": {"model": "Raw", "vendorName": "Test"}}
# the bar: no frame any charger can send blocks the event loop for longer
BLOCKING_BAR = 0.050


class LoopBlocking:
    """Samples the event loop every few ms: the longest stretch of CPU time the loop's thread spent between
    two samples (work that held the loop; on a loaded machine wall-clock gaps also include time the OS
    gave to other processes, which thread time does not count), and the longest wall-clock gap."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.wall = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        while True:
            await asyncio.sleep(0.002)
            now_wall, now_cpu = time.perf_counter(), time.thread_time()
            self.wall = max(self.wall, now_wall - wall)
            self.cpu = max(self.cpu, now_cpu - cpu)
            wall, cpu = now_wall, now_cpu

    @asynccontextmanager
    async def measuring(self) -> AsyncIterator[LoopBlocking]:
        self._task = asyncio.create_task(self._sample())
        await asyncio.sleep(0.01)
        try:
            yield self
        finally:
            await asyncio.sleep(0.01)  # a sample after the last work, which may have held the loop
            self._task.cancel()


async def booted_v2(url: str, cp_id: str, version: str) -> RawCharger:
    """A raw 2.x charger, connected and its boot accepted."""
    charger = await RawCharger.connect(url, cp_id, [f"ocpp{version}"])
    answer = await charger.call("BootNotification", BOOT_V2, "boot")
    assert answer[0] == 3 and answer[2]["status"] == "Accepted"
    return charger
