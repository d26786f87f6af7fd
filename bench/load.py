"""The load generator: N simulated OCPP 1.6J or 2.0.1 chargers (bench/ws_charger.py, a hand-rolled
WebSocket client much lighter than the server it measures), each closed-loop with at most one CALL
outstanding, as OCPP requires.

    python -m bench.load --port 9000 --server-pid 1234 [--chargers 100] [--seconds 10] [--ocpp 2.0.1]

prints one JSON object (see `run`) on stdout; the server's CPU time and memory are read
from /proc/<server-pid> at the edges of the measured window.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

from .charger_messages import VERSIONS
from .ws_charger import Charger, Stats

__all__ = ["Charger", "Stats", "core_seconds", "main", "parse_args", "run", "server_cpu_seconds", "server_memory_mib"]
_CLK_TCK = os.sysconf("SC_CLK_TCK")
COLLECT_LEAD_S = 3.0  # the server's garbage collection this long before a window opens (--mark-signal)


# ---- the server process, seen from /proc ---------------------------------------------


def server_cpu_seconds(pid: int) -> float:
    """utime + stime of all the process's threads."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # fields 14 and 15 of proc(5)


def server_memory_mib(pid: int) -> tuple[float, float]:
    """(resident set, its high-water mark) in MiB."""
    values: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, amount, _unit = line.split()
                values[name] = int(amount) / 1024.0
    return values.get("VmRSS:", 0.0), values.get("VmHWM:", 0.0)


def core_seconds(cores: set[int]) -> tuple[float, float, float]:
    """(time in processes, time lost to interrupts and steal, total time) of these cores, in seconds."""
    tasks = lost = total = 0
    with open("/proc/stat", encoding="ascii") as stat:
        for line in stat:
            if line.startswith("cpu") and line[3].isdigit() and int(line.split()[0][3:]) in cores:
                user, nice, system, idle, iowait, irq, softirq, steal = map(int, line.split()[1:9])
                tasks += user + nice + system
                lost += irq + softirq + steal
                total += user + nice + system + idle + iowait + irq + softirq + steal
    return tasks / _CLK_TCK, lost / _CLK_TCK, total / _CLK_TCK


# ---- one run ----------------------------------------------------------------------------------


@dataclass
class Mark:
    at: float
    answered: int
    errors: int
    server_cpu: float
    own_cpu: float
    server_core: tuple[float, float, float]
    load_core: tuple[float, float, float]


def _others_pct(first: tuple[float, float, float], last: tuple[float, float, float], ours: float) -> float:
    """How much of a core went to anything but our process (other processes, interrupts, steal)."""
    tasks, lost, total = (b - a for a, b in zip(first, last, strict=True))
    return max(0.0, tasks + lost - ours) / total * 100 if total > 0 else float("nan")


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, int(fraction * len(ordered) + 0.999999) - 1))  # nearest rank
    return ordered[rank]


def _idle_figures(first: Mark, last: Mark) -> dict[str, float]:
    """The server's CPU while every charger is connected and silent: its background, per second."""
    window, used = last.at - first.at, last.server_cpu - first.server_cpu
    return {
        "idle_window_s": round(window, 3),
        "idle_server_cpu_s": used,
        "idle_server_cpu_ms_per_s": used / window * 1000.0,
        "idle_server_core_others_pct": _others_pct(first.server_core, last.server_core, used),
    }


async def run(opts: argparse.Namespace) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    stats = Stats()
    chargers = [Charger(i, opts.host, opts.port, stats, loop, opts.ocpp) for i in range(opts.chargers)]
    gate = asyncio.Semaphore(50)  # stay under the server's listen backlog

    async def open_one(charger: Charger) -> None:
        async with gate:
            await loop.create_connection(lambda: charger, opts.host, opts.port)
            await charger.handshake

    server_cores, load_cores = os.sched_getaffinity(opts.server_pid), os.sched_getaffinity(0)

    async def warm_up() -> None:
        """The warm-up; with --mark-signal, the server collects its garbage a few seconds before its end
        (SIGUSR2: bench.ha_server), so that collection (up to a second on a loaded core) and the messages it
        held up stay out of the window."""
        if not opts.mark_signal:
            await asyncio.sleep(opts.warmup)
            return
        lead = min(COLLECT_LEAD_S, opts.warmup / 2)
        await asyncio.sleep(opts.warmup - lead)
        os.kill(opts.server_pid, signal.SIGUSR2)
        await asyncio.sleep(lead)

    def mark() -> Mark:
        if opts.mark_signal:  # the server notes its own counters at the window's edges (bench.ha_server)
            os.kill(opts.server_pid, signal.SIGUSR1)
        return Mark(
            time.monotonic(), stats.answered, stats.errors, server_cpu_seconds(opts.server_pid), time.process_time(),
            core_seconds(server_cores), core_seconds(load_cores),
        )  # fmt: skip

    try:
        await asyncio.wait_for(asyncio.gather(*(open_one(c) for c in chargers)), opts.setup_timeout)
        boots = await asyncio.wait_for(asyncio.gather(*(c.setup() for c in chargers)), opts.setup_timeout)
        idle: tuple[Mark, Mark] | None = None
        if opts.idle_seconds > 0:  # the chargers connected, in their sessions, silent: the server's background
            await warm_up()
            idle_start = mark()
            await asyncio.sleep(opts.idle_seconds)
            idle = (idle_start, mark())
        period = 0.0 if opts.mode == "closed" else opts.chargers / opts.rate
        t0 = time.monotonic() + 0.05
        for charger in chargers:
            charger.start(period, t0 + period * charger.index / opts.chargers)
        await warm_up()
        first = mark()
        stats.recording = True
        await asyncio.sleep(opts.seconds)
        stats.recording = False
        last = mark()
        rss, hwm = server_memory_mib(opts.server_pid)
        drains = [c.stop() for c in chargers]
        backlog = sum(c.backlog for c in chargers)
        _done, late = await asyncio.wait(drains, timeout=5.0)
        for charger in chargers:
            charger.close()
        await asyncio.wait([c.closed for c in chargers], timeout=2.0)
    finally:
        for charger in chargers:
            charger.abort()

    window = last.at - first.at
    answered = last.answered - first.answered
    server_cpu = last.server_cpu - first.server_cpu
    own_cpu = last.own_cpu - first.own_cpu
    latencies = sorted(stats.latencies)
    idle_figures = {} if idle is None else _idle_figures(*idle)
    return {
        **idle_figures,
        "chargers": opts.chargers,
        "ocpp": opts.ocpp,
        "mode": opts.mode,
        "target_rate": opts.rate if opts.mode == "rate" else None,
        "window_s": round(window, 3),
        "answered": answered,
        "rate": answered / window,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "server_cpu_s": server_cpu,
        "server_cpu_us_per_msg": server_cpu / answered * 1e6 if answered else float("nan"),
        "server_cpu_pct": server_cpu / window * 100,
        "server_rss_mib": rss,
        "server_hwm_mib": hwm,
        "server_capacity": answered / server_cpu if server_cpu > 0 else float("nan"),
        "loadgen_cpu_pct": own_cpu / window * 100,
        "server_cores": sorted(server_cores),
        "load_cores": sorted(load_cores),
        "server_core_others_pct": _others_pct(first.server_core, last.server_core, server_cpu),
        "load_core_others_pct": _others_pct(first.load_core, last.load_core, own_cpu),
        "callerrors": stats.errors,
        "window_callerrors": last.errors - first.errors,
        "unexpected": stats.unexpected,
        "disconnects": stats.disconnects,
        "unanswered_at_end": len(late),
        "backlog_at_end": backlog,
        "boot_status": sorted(set(boots)),
        "samples": stats.samples,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--server-pid", type=int, required=True, help="the server process, for its CPU time and RSS")
    parser.add_argument("--chargers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the measured window")
    parser.add_argument("--warmup", type=float, default=2.0, help="load before the window opens")
    parser.add_argument("--mode", choices=("closed", "rate", "idle"), default="closed",
                        help="idle: boot, then only Heartbeats at the server's interval (bench/idle.py)")  # fmt: skip
    parser.add_argument("--rate", type=float, default=2000.0, help="total MeterValues/s in rate mode")
    parser.add_argument("--setup-timeout", type=float, default=30.0)
    parser.add_argument("--idle-seconds", type=float, default=0.0,
                        help="first a window of that length with the chargers connected and silent (after --warmup; "
                        "the load then warms up --warmup again)")  # fmt: skip
    parser.add_argument(
        "--mark-signal",
        action="store_true",
        help="SIGUSR1 to the server at the window's edges (SIGUSR2 3 s before it opens: collect)",
    )
    parser.add_argument("--ocpp", choices=VERSIONS, default="1.6", help="1.6: MeterValues; 2.0.1: TransactionEvent")
    opts = parser.parse_args(argv)
    if opts.chargers < 1 or opts.seconds <= 0 or opts.rate <= 0:
        parser.error("--chargers, --seconds and --rate must be positive")
    return opts


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    from . import idle  # it builds on this module's charger

    try:
        result = asyncio.run(idle.run(opts) if opts.mode == "idle" else run(opts))
    except (OSError, TimeoutError) as err:
        print(json.dumps({"error": f"{type(err).__name__}: {err}"}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
