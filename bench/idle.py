"""The idle mode of the load generator: N chargers connect, boot, report their connector Available, then
only send Heartbeats at the interval the server's BootNotification answer gave (none if it is longer than
the run); the figure is the server's memory with that many chargers connected (VmRSS and VmHWM at the end).

    python -m bench.load --port 9000 --server-pid 1234 --mode idle --chargers 1000 [--seconds 10]

It reuses bench.ws_charger's charger connection (its set-up calls, its answers to the server's own CALLs).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any

from .charger_messages import timestamp
from .load import core_seconds, server_cpu_seconds, server_memory_mib
from .ws_charger import Charger, Stats

OPEN_AT_ONCE = 50  # connections being opened at a time: stay under the server's listen backlog


def status_available(version: str) -> dict[str, Any]:
    """The StatusNotification of an idle charger's one connector."""
    if version == "2.0.1":
        return {"timestamp": timestamp(), "connectorStatus": "Available", "evseId": 1, "connectorId": 1}
    return {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": timestamp()}


class IdleCounts:
    """CALLRESULTs and CALLERRORs of the idle chargers' own calls (bench.load's Stats counts meter answers)."""

    def __init__(self) -> None:
        self.answered = 0
        self.heartbeats = 0  # answered inside the measured window
        self.boot_status: set[str] = set()
        self.interval: int | None = None  # the heartbeat interval of the first boot answer

    def took(self, answer: list[Any]) -> dict[str, Any]:
        """The answer's payload ({} for a CALLERROR, which the charger has counted and noted already)."""
        if answer[0] == 3 and isinstance(answer[2], dict):
            self.answered += 1
            return answer[2]
        return {}


async def _boot(charger: Charger, counts: IdleCounts, version: str) -> float:
    """BootNotification and StatusNotification Available; the heartbeat interval the server gave (s)."""
    action, payload = charger.messages.setup_calls()[0]
    boot = counts.took(await charger.call(f"{charger.index}-boot", action, payload))
    counts.boot_status.add(str(boot.get("status", "CALLERROR")))
    interval = boot.get("interval")
    interval = int(interval) if isinstance(interval, int | float) and interval > 0 else 0
    if counts.interval is None:
        counts.interval = interval
    counts.took(await charger.call(f"{charger.index}-status", "StatusNotification", status_available(version)))
    return float(interval)


async def _heartbeats(charger: Charger, interval: float, until: float, counts: IdleCounts, stats: Stats) -> None:
    """One Heartbeat per interval until the run ends (none when the interval is longer than the run)."""
    if interval <= 0:
        return
    beat = 0
    # spread the chargers' beats over the interval, as chargers that booted at different times would
    next_at = time.monotonic() + interval * (1 + (charger.index % 100) / 100)
    while next_at < until and not charger.closed.done():
        await asyncio.sleep(next_at - time.monotonic())
        beat += 1
        answer = await charger.call(f"{charger.index}-hb-{beat}", "Heartbeat", {})
        counts.took(answer)
        if stats.recording and answer[0] == 3:
            counts.heartbeats += 1
        next_at += interval


async def run(opts: argparse.Namespace) -> dict[str, Any]:
    """Connect and boot every charger, keep them idle for warm-up plus window; the result (see bench.load.run)."""
    loop = asyncio.get_running_loop()
    stats = Stats()
    counts = IdleCounts()
    chargers = [Charger(i, opts.host, opts.port, stats, loop, opts.ocpp) for i in range(opts.chargers)]
    gate = asyncio.Semaphore(OPEN_AT_ONCE)
    server_cores = os.sched_getaffinity(opts.server_pid)

    async def open_and_boot(charger: Charger) -> float:
        async with gate:
            await loop.create_connection(lambda: charger, opts.host, opts.port)
            await charger.handshake
            return await _boot(charger, counts, opts.ocpp)

    rss_before, _ = server_memory_mib(opts.server_pid)
    started = time.monotonic()
    beating: list[asyncio.Task[None]] = []
    try:
        intervals = await asyncio.wait_for(asyncio.gather(*(open_and_boot(c) for c in chargers)), opts.setup_timeout)
        setup_s = time.monotonic() - started
        until = time.monotonic() + opts.warmup + opts.seconds
        beating = [
            asyncio.create_task(_heartbeats(c, interval, until, counts, stats))
            for c, interval in zip(chargers, intervals, strict=True)
        ]
        await asyncio.sleep(opts.warmup)
        t_first, cpu_first, core_first = (
            time.monotonic(),
            server_cpu_seconds(opts.server_pid),
            core_seconds(server_cores),
        )
        stats.recording = True
        await asyncio.sleep(opts.seconds)
        stats.recording = False
        t_last, cpu_last, core_last = time.monotonic(), server_cpu_seconds(opts.server_pid), core_seconds(server_cores)
        rss, hwm = server_memory_mib(opts.server_pid)
        connected = sum(1 for c in chargers if not c.closed.done())
        for task in beating:
            task.cancel()
        await asyncio.gather(*beating, return_exceptions=True)
        for charger in chargers:
            charger.close()
        await asyncio.wait([c.closed for c in chargers], timeout=5.0)
    finally:
        for task in beating:
            task.cancel()
        for charger in chargers:
            charger.abort()

    window = t_last - t_first
    server_cpu = cpu_last - cpu_first
    tasks, lost, total = (b - a for a, b in zip(core_first, core_last, strict=True))
    return {
        "chargers": opts.chargers,
        "ocpp": opts.ocpp,
        "mode": "idle",
        "window_s": round(window, 3),
        "setup_s": round(setup_s, 3),
        "connected_at_end": connected,
        "heartbeat_interval_s": counts.interval,
        "answered": counts.answered,  # every CALLRESULT of the run: boots, statuses, heartbeats
        "window_heartbeats": counts.heartbeats,
        "rate": counts.heartbeats / window,
        "server_cpu_s": server_cpu,
        "server_cpu_pct": server_cpu / window * 100,
        "server_rss_mib": rss,
        "server_hwm_mib": hwm,
        "server_rss_before_mib": rss_before,
        "server_rss_kib_per_charger": (rss - rss_before) * 1024 / opts.chargers,
        "server_cores": sorted(server_cores),
        "server_core_others_pct": max(0.0, tasks + lost - server_cpu) / total * 100 if total > 0 else float("nan"),
        "callerrors": stats.errors,
        "unexpected": stats.unexpected,
        "disconnects": stats.disconnects,
        "unanswered_at_end": 0,
        "boot_status": sorted(counts.boot_status),
        "samples": stats.samples,
    }
