"""Counts per charger (ended sessions, boots, dropped connections) and the last stop reason outlive a restart;
the session count does not shrink when the history is trimmed."""

from __future__ import annotations

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence
from custom_components.ocpp_core.csms.model.counters import StationCounters
from sim.charger16 import connect

from .support.helpers import wait_for


async def test_counts_and_stop_reason_survive_a_restart(central_config: CentralSystemConfig) -> None:
    central_config.history_size = 1  # trimmed to one: the count still covers every session
    persistence = MemoryPersistence()
    first = CentralSystem(central_config, persistence)
    await first.start()
    cp, task, ws = await connect(f"ws://127.0.0.1:{first.port}", "count", connectors=2)
    await cp.boot()
    await cp.boot()
    for _ in range(3):
        await cp.start_transaction(1, "TAG")
        await cp.stop_transaction(1, reason="EVDisconnected")
    station = first.stations["count"]
    assert station.counters == StationCounters(sessions=3, boots=2, disconnects=0)
    assert len(first.transactions("count")) == 1
    assert station.connectors[1].last_stop_reason == "EVDisconnected"
    assert station.connectors[2].last_stop_reason is None
    await ws.close()
    await wait_for(lambda: not first.is_connected("count"))
    assert station.counters.disconnects == 1
    await first.stop()
    task.cancel()

    second = CentralSystem(central_config, persistence)
    await second.start()
    again = second.stations["count"]
    assert again.counters == StationCounters(sessions=3, boots=2, disconnects=1)
    assert again.connectors[1].last_stop_reason == "EVDisconnected"
    assert again.connectors[2].last_stop_reason is None
    await second.stop()


def test_unreadable_counts_start_again() -> None:
    assert StationCounters.from_dict({"sessions": "7", "boots": -1, "disconnects": True}) == StationCounters()
    assert StationCounters.from_dict(None) == StationCounters()
    assert StationCounters.from_dict({"sessions": 4}).sessions == 4
