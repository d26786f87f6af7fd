"""The benchmark's idle mode (bench/idle.py) and its "addon" server: chargers boot, report Available, heartbeat,
stay connected; the add-on's app starts from bench.run with its charger cap raised past its default."""

from __future__ import annotations

import argparse
import os

import pytest

from bench import idle, load
from bench import run as bench_run
from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig


@pytest.fixture
def central_config() -> CentralSystemConfig:
    # a heartbeat interval well inside the window, so the idle chargers do beat
    return CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, heartbeat_interval=1)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_idle_chargers_boot_and_heartbeat(central: CentralSystem, version: str) -> None:
    opts = load.parse_args(
        ["--port", str(central.port), "--server-pid", str(os.getpid()), "--chargers", "3", "--seconds", "2.5",
         "--warmup", "0.2", "--mode", "idle", "--ocpp", version]
    )  # fmt: skip
    result = await idle.run(opts)
    assert (result["callerrors"], result["unexpected"], result["disconnects"]) == (0, 0, 0), result["samples"]
    assert result["boot_status"] == ["Accepted"]
    assert result["heartbeat_interval_s"] == 1
    assert result["connected_at_end"] == 3
    assert result["window_heartbeats"] >= 1  # due about 1 s after the boots, in a window open until 2.7 s
    assert result["answered"] >= 2 * 3 + result["window_heartbeats"]  # boot and status of each, and the beats
    assert result["server_rss_mib"] > 0 and result["server_hwm_mib"] >= result["server_rss_mib"]
    for index in range(3):
        station = central.stations[f"bench-{index}"]
        assert station.ocpp_version is not None and station.ocpp_version.value == f"ocpp{version}"
        assert station.connectors[1].status == "Available"
        assert station.last_heartbeat is not None


def _opts(chargers: int) -> argparse.Namespace:
    cores = sorted(os.sched_getaffinity(0))
    return bench_run.parse_args(
        ["--servers", "addon", "--mode", "idle", "--chargers", str(chargers), "--seconds", "0.5", "--warmup", "0.1",
         "--server-core", str(cores[0]), "--load-core", str(cores[-1])]
    )  # fmt: skip


def test_addon_server_holds_more_chargers_than_its_default_cap() -> None:
    """The app on SQLite in a fresh data dir, started and stopped by bench.run; 101 chargers, one past the
    app's default --max-stations, all stay connected (the bench raises the cap)."""
    chargers = bench_run.ADDON_MAX_STATIONS + 1
    result = bench_run.run_server(bench_run.ADDON_SERVER, _opts(chargers))
    assert result["status"] == "ok", (result["status"], result.get("server_log_tail"))
    assert result["connected_at_end"] == chargers
    assert result["boot_status"] == ["Accepted"]
    assert result["server_log_lines"] == 0, result["server_log_tail"]  # --log-level warning: nothing to say
