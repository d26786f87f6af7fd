"""What the fuzz tests (test_fuzz_schema alone, test_fuzz_in_ha in Home Assistant) hold the central system to,
the actions they fuzz, and the seed of their sequence (FUZZ_SEED picks another)."""

from __future__ import annotations

import os

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.adapter import VersionAdapter
from custom_components.ocpp_core.csms.central import _ADAPTERS
from custom_components.ocpp_core.csms.rpc.types import OcppVersion

SEED = int(os.environ.get("FUZZ_SEED", "11"))
MAX_STEP_S = 0.050  # the most one step of the event loop may take (CPU time of its thread)
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
