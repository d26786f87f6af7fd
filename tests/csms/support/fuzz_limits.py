"""What the fuzz tests (test_fuzz_schema alone, test_fuzz_in_ha in Home Assistant) hold the central system to,
the actions they fuzz, and the seed of their sequence (FUZZ_SEED picks another)."""

from __future__ import annotations

import json
import os
import time
from functools import cache

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.adapter import VersionAdapter
from custom_components.ocpp_core.csms.central import _ADAPTERS
from custom_components.ocpp_core.csms.rpc.types import OcppVersion

SEED = int(os.environ.get("FUZZ_SEED", "11"))
MAX_STEP_S = 0.050  # the most one step of the event loop may take (CPU time of its thread), on the reference machine
# what machine_speed()'s work took on the reference machine (the 2-core development machine of 2026-12-02), and on
# it a fuzz step took at most 13 ms; CI's machines have been up to five times slower, and the loop's CPU time with them
REFERENCE_WORK_S = 0.004
# the longest the well-behaved charger may wait for an answer, in wall-clock time: it includes the time the OS gives
# other processes (0.1 s failed now and then with the machine at a load of 11); the loop's own blocking is held to
# MAX_STEP_S in its thread's CPU time, which load does not move
MAX_ANSWER_S = 0.300


def charger_actions(central: CentralSystem, version: str) -> list[str]:
    """Every action the central system takes from a charger of this version."""

    async def no_call(action: str, payload: dict[str, object]) -> dict[str, object]:
        raise AssertionError("not connected")

    adapter: VersionAdapter = _ADAPTERS[OcppVersion(f"ocpp{version}")](
        "actions", central.state, no_call, central.config
    )
    try:
        return sorted(action for action in adapter._handlers if action != "BootNotification" or version == "1.6")
    finally:
        adapter.close()


@cache
def machine_speed() -> float:
    """How many times slower this machine runs plain Python than the reference one (1.0 when as fast or faster).

    The steps are held to MAX_STEP_S times this: a hostile frame that makes the loop work much longer than its
    parsing fails on any machine, while a slow machine does not fail a step that is slow only because it is.
    """
    values = [{"value": str(i), "measurand": "Energy.Active.Import.Register"} for i in range(400)]
    text = json.dumps([2, "speed", "MeterValues", {"connectorId": 1, "meterValue": [{"sampledValue": values}]}])
    best = 1.0
    for _ in range(10):
        start = time.thread_time()
        for _ in range(20):
            parsed = json.loads(text)
            sum(len(value["value"]) for value in parsed[3]["meterValue"][0]["sampledValue"])
        best = min(best, time.thread_time() - start)
    return max(1.0, best / REFERENCE_WORK_S)


def max_step_s() -> float:
    """The most one step of the event loop may take here: MAX_STEP_S on this machine's speed."""
    return MAX_STEP_S * machine_speed()
