"""The benchmark's HA mode on both back ends (bench/ha_remote.py): Home Assistant with its own central system, then
with a remote entry on the add-on's app that the chargers connect to; every meter message answered, its readings
reach HA's entities (state writes counted in the window), and the add-on's CPU is reported apart (remote only)."""

from __future__ import annotations

import calendar
import json

import pytest

from bench import ha_remote
from bench import run as bench_run


def test_side_by_side_runs_both_backends_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    code = ha_remote.main(["--chargers", "2", "--seconds", "3", "--warmup", "2", "--ocpp", "1.6", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0, rows
    (row,) = rows
    embedded, remote = row["embedded"], row["remote"]
    assert embedded["status"] == remote["status"] == "ok"
    for result in (embedded, remote):
        # 3 writes per reading as the bench moves it (energy register, session energy, power): the readings
        # arrive, through the add-on's event stream when remote.  Only a floor: in a window of a few messages
        # the last of the boot's first states can still be counted (8.2 per message once on CI's machine)
        assert result["state_writes_per_msg"] >= 2.0, result
        assert result["server_cpu_us_per_msg"] > 0
        # the HA side's share of the loop, by thread CPU time in the bridge's flushes (bench.ha_server FlushClock)
        assert result["flush_cpu_us_per_msg"] > 0, result
    assert embedded["addon_cpu_us_per_msg"] is None
    assert remote["addon_cpu_us_per_msg"] is not None and remote["addon_cpu_us_per_msg"] >= 0
    assert row["ratio_ha_cpu"] is not None


def test_a_window_holds_the_recorders_compile_when_it_spans_ten_seconds_past_a_fifth_minute() -> None:
    """bench.run flags the windows whose recorder thread also compiled the five-minute statistics (UTC)."""
    twenty_past = calendar.timegm((2026, 12, 2, 4, 20, 0, 0, 0, 0))
    assert bench_run.recorder_compile_in(twenty_past, twenty_past + 15)
    assert bench_run.recorder_compile_in(twenty_past + 10, twenty_past + 20)
    assert bench_run.recorder_compile_in(twenty_past + 250, twenty_past + 320)  # 04:25:10
    assert not bench_run.recorder_compile_in(twenty_past + 11, twenty_past + 25)
    assert not bench_run.recorder_compile_in(twenty_past - 20, twenty_past + 5)
    assert bench_run.recorder_compile_in(None, twenty_past) is None
