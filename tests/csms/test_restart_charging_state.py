"""A 2.x EVSE's charging state outlives a restart of the central system while its session runs: the
station sends chargingState only when it changes, so nothing else would bring it back."""

from __future__ import annotations

import pytest

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence

from .support.helpers_v201 import VERSIONS, booted


@pytest.mark.parametrize("version", VERSIONS)
async def test_charging_state_survives_a_restart(central_config: CentralSystemConfig, version: str) -> None:
    persistence = MemoryPersistence()
    first = CentralSystem(central_config, persistence)
    await first.start()
    station = await booted(first, f"ws://127.0.0.1:{first.port}", "evse-state", version)
    await station.start_transaction(1, "TAG-1")
    await station.update_transaction(1, 60)  # no chargingState: unchanged
    assert first.stations["evse-state"].connectors[1].charging_state == "Charging"
    await station.close()
    await first.stop()

    second = CentralSystem(central_config, persistence)
    await second.start()
    try:
        evse = second.stations["evse-state"].connectors[1]
        assert evse.transaction is not None
        assert evse.charging_state == "Charging"
    finally:
        await second.stop()
