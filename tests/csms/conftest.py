"""Fixtures of the 1.6J conformance tests (see support/conformance_v16.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from custom_components.ocpp_core.csms import CentralSystem
from sim.charger16 import SimulatedChargePoint, connect

from .support.conformance_v16 import CP, Recorder
from .support.helpers import wait_for


@pytest.fixture
async def recorder(central: CentralSystem) -> Recorder:
    return Recorder(central)


@pytest.fixture
async def charger(central: CentralSystem, url: str, recorder: Recorder) -> AsyncIterator[SimulatedChargePoint]:
    """A two-connector simulated charger, booted, its configuration read."""
    cp, task, ws = await connect(url, CP, connectors=2)
    await cp.boot()
    await wait_for(lambda: central.stations[CP].configuration_time is not None)
    yield cp
    await ws.close()
    task.cancel()
