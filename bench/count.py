"""Instructions per MeterValues of a server process, counted by valgrind's callgrind: a figure the machine's load
does not move (CPU time on a shared machine moves by ±30% between runs of the same server).

    python -m bench.count [--server ocpp-core|addon] [--chargers 20] [--messages 30] [--ocpp 1.6] [--idle 5]

The server runs as bench.run runs it (same argv, its data dir fresh), under `valgrind --tool=callgrind
--instr-atstart=no`.  Its chargers (bench/ws_charger.py, in this process) connect and boot uninstrumented; then
instrumentation goes on, and two windows are counted (`callgrind_control --dump` ends each): an idle one of
`--idle` seconds (connected, sending nothing: what the server's periodic work costs a second, as the add-on's
snapshot of the whole state every second), and the load: each charger sends `--messages` MeterValues, closed
loop.  The figure is the load's instructions per answered message, all threads, less the idle rate times the
load's wall time (valgrind runs 30-50 times slower, so at 30-40 messages a second the add-on's periodic work
would otherwise swamp the per-message figure); the raw figure is printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import run as bench_run
from .ws_charger import Charger, Stats

_TOTALS = re.compile(rb"^(?:summary|totals):\s*(\d+)", re.MULTILINE)


def instructions(dump: Path) -> int:
    """The instructions a callgrind dump file counted."""
    found = _TOTALS.search(dump.read_bytes())
    if found is None:
        raise RuntimeError(f"no totals in {dump}")
    return int(found.group(1))


def _control(pid: int, *args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, capture_output=True, timeout=120)


def _dump(pid: int, out: Path, number: int, timeout: float = 120.0) -> int:
    """Dump the counters (they start again from zero) and wait for the file; its instructions."""
    _control(pid, "--dump")
    path = Path(f"{out}.{number}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            try:
                return instructions(path)
            except RuntimeError:
                pass  # still being written
        time.sleep(0.2)
    raise RuntimeError(f"callgrind wrote no {path}")


async def _load(port: int, opts: argparse.Namespace, pid: int, out: Path) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    stats = Stats()
    chargers = [Charger(i, "127.0.0.1", port, stats, loop, opts.ocpp) for i in range(opts.chargers)]
    try:
        for charger in chargers:
            await _connect(charger, port)
        await asyncio.wait_for(asyncio.gather(*(c.setup() for c in chargers)), 600)
        await asyncio.sleep(2.0)  # the server's follow-ups to the boots (GetConfiguration …) answered
        await asyncio.to_thread(_control, pid, "--instr=on")
        started = time.monotonic()
        await asyncio.sleep(opts.idle)
        idle = await asyncio.to_thread(_dump, pid, out, 1)
        idle_s = time.monotonic() - started
        closed_n, closed = await _window(chargers, stats, 0.0, opts.chargers * opts.messages)
        closed_i = await asyncio.to_thread(_dump, pid, out, 2)
        slow_n, slow = await _window(chargers, stats, opts.chargers / opts.slow_rate, 0, opts.slow_seconds)
        slow_i = await asyncio.to_thread(_dump, pid, out, 3)
        for charger in chargers:
            charger.close()
        await asyncio.wait([c.closed for c in chargers], timeout=20)
    finally:
        for charger in chargers:
            charger.abort()
    idle_rate = idle / idle_s
    # closed = m * closed_n + busy * closed_s, slow = m * slow_n + busy * slow_s: m per message, busy per second
    denominator = closed_n * slow - slow_n * closed
    per_msg = (closed_i * slow - slow_i * closed) / denominator if denominator else float("nan")
    return {
        "server": opts.server,
        "ocpp": opts.ocpp,
        "chargers": opts.chargers,
        "answered": closed_n,
        "errors": stats.errors,
        "unexpected": stats.unexpected,
        "closed_s": round(closed, 2),
        "slow_answered": slow_n,
        "slow_s": round(slow, 2),
        "idle_instructions_per_s": round(idle_rate),
        "raw_per_msg": round(closed_i / closed_n) if closed_n else None,
        "less_idle_per_msg": round((closed_i - idle_rate * closed) / closed_n) if closed_n else None,
        "per_msg": round(per_msg),
        "busy_instructions_per_s": round((closed_i - per_msg * closed_n) / closed),
        # the slow window whole, per message: at --slow-rate equal to --chargers each charger sends one a second,
        # as a real one does, and its share of the work done once a second is in it (issue 15's p99 case)
        "slow_raw_per_msg": round(slow_i / slow_n) if slow_n else None,
    }


async def _connect(charger: Charger, port: int) -> None:
    await asyncio.get_running_loop().create_connection(lambda: charger, "127.0.0.1", port)
    await asyncio.wait_for(charger.handshake, 120)


async def _window(
    chargers: list[Charger], stats: Stats, period: float, messages: int, seconds: float = 1800.0
) -> tuple[int, float]:
    """Load the server (closed loop: period 0, until `messages` are answered; else a MeterValues every `period`
    seconds from each charger, for `seconds`); the messages answered and the wall time, drained."""
    first, started = stats.answered, time.monotonic()
    for charger in chargers:
        charger.start(period, started + period * charger.index / len(chargers))
    deadline = started + seconds
    while (not messages or stats.answered - first < messages) and time.monotonic() < deadline:  # noqa: ASYNC110 - polls a counter, bounded
        await asyncio.sleep(0.05)
    await asyncio.wait([c.stop() for c in chargers], timeout=120)
    return stats.answered - first, time.monotonic() - started


def run(opts: argparse.Namespace) -> dict[str, Any]:
    server = next(s for s in bench_run.ALL_SERVERS if s.name == opts.server)
    port = bench_run.free_port()
    with tempfile.TemporaryDirectory(prefix="bench-count-") as tmp:
        out = Path(tmp) / "callgrind.out"
        argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        argv += [sys.executable, "-m", *server.module, server.port_flag, str(port)]
        env = dict(os.environ)
        if server.pythonpath is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(server.pythonpath), env.get("PYTHONPATH"))))
        if server is bench_run.ADDON_SERVER:
            argv += ["--ui-port", str(bench_run.free_port()), "--data-dir", str(Path(tmp) / "data")]
            if opts.database_url:
                argv += ["--database-url", opts.database_url]
        with open(Path(tmp) / "server.log", "wb") as log:
            proc = subprocess.Popen(
                argv, cwd=server.cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True,
            )  # fmt: skip
            try:
                bench_run.wait_listening(proc, port, 300.0)
                return asyncio.run(_load(port, opts, proc.pid, out))
            finally:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
                    try:
                        proc.wait(60)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="ocpp-core", choices=["ocpp-core", "addon"])
    parser.add_argument("--chargers", type=int, default=20)
    parser.add_argument("--messages", type=int, default=30, help="MeterValues per charger in the counted load")
    parser.add_argument("--ocpp", default="1.6", choices=["1.6", "2.0.1"])
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of the idle window counted first")
    parser.add_argument("--slow-rate", type=float, default=4.0, help="MeterValues/s of the slow window, in all")
    parser.add_argument("--slow-seconds", type=float, default=8.0, help="the slow window's length")
    parser.add_argument("--database-url", help="addon: its --database-url (default: SQLite in a fresh data dir)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    result = run(parse_args(argv))
    print(json.dumps(result))
    return 0 if result["answered"] and not result["errors"] and not result["unexpected"] else 1


if __name__ == "__main__":
    sys.exit(main())
