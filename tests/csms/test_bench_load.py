"""The benchmark's chargers speak OCPP the central system accepts: no CALLERROR, nothing unexpected."""

from __future__ import annotations

import os

import pytest

from bench import load
from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_bench_chargers_are_answered(
    central: CentralSystem, central_config: CentralSystemConfig, version: str
) -> None:
    central.config.max_message_rate = 0  # a bench charger sends far more than a real one
    opts = load.parse_args(
        ["--port", str(central.port), "--server-pid", str(os.getpid()), "--chargers", "3", "--seconds", "0.5",
         "--warmup", "0.2", "--mode", "rate", "--rate", "30", "--ocpp", version]
    )  # fmt: skip
    result = await load.run(opts)
    assert (result["callerrors"], result["unexpected"], result["disconnects"]) == (0, 0, 0), result["samples"]
    assert result["answered"] > 0
    assert result["boot_status"] == ["Accepted"]
    station = central.stations["bench-0"]
    assert station.ocpp_version.value == f"ocpp{version}"
