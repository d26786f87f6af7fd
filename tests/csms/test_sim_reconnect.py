"""`python -m sim` (run_forever) comes back, as a real charger does, when the central system restarts
(Home Assistant restarted, the entry reloaded): it retries while the port is closed, then reconnects
and goes on with its session, instead of exiting."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.config import CentralSystemConfig
from custom_components.ocpp_core.csms.model.events import Event, EventType
from custom_components.ocpp_core.csms.state.persistence import MemoryPersistence
from sim import charger16, charger201

from .support.helpers import wait_for

CP = "sim-restart"


def _run_forever(version: str, url: str) -> Coroutine[Any, Any, None]:
    if version == "1.6":
        return charger16.run_forever(url, CP, 1, interval=0.05, retry_delay=0.05)
    return charger201.run_forever(url, CP, version, 1, interval=0.05, retry_delay=0.05)


async def _started(port: int, persistence: MemoryPersistence, events: list[Event]) -> CentralSystem:
    central = CentralSystem(
        CentralSystemConfig(host="127.0.0.1", port=port, call_timeout=5.0, heartbeat_interval=60), persistence
    )
    central.events.subscribe(events.append)
    await central.start()
    return central


def _readings(events: list[Event]) -> int:
    """Meter values that reached the central system (a connector's readings, 2.x transaction updates)."""
    return sum(e.type in (EventType.CONNECTOR_UPDATED, EventType.TRANSACTION_UPDATED) for e in events)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_the_simulator_reconnects_after_the_central_system_restarts(version: str) -> None:
    persistence = MemoryPersistence()
    before: list[Event] = []
    first = await _started(0, persistence, before)
    port = first.port
    charger = asyncio.create_task(_run_forever(version, f"ws://127.0.0.1:{port}"))
    after: list[Event] = []
    second: CentralSystem | None = None
    try:
        await wait_for(lambda: any(e.type is EventType.TRANSACTION_STARTED for e in before) and _readings(before) > 2)
        await first.stop()
        await asyncio.sleep(0.2)  # a few refused attempts while nothing listens on the port
        assert not charger.done()
        second = await _started(port, persistence, after)
        await wait_for(
            lambda: charger.done() or (second is not None and second.is_connected(CP) and _readings(after) > 2)
        )
        if charger.done():
            charger.result()  # its error, if it died
        assert not charger.done()
        # it went on with the session it had: no second boot, no new transaction
        assert not [e for e in after if e.type in (EventType.BOOTED, EventType.TRANSACTION_STARTED)]
        # the session survived the restart (persisted), and the charger still reports it
        assert second.stations[CP].connectors[1].transaction is not None
    finally:
        charger.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await charger
        if second is not None:
            await second.stop()
