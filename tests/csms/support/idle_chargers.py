"""Idle chargers in a process of their own, for measuring what the server holds per connection (test_memory.py):
their side of each connection is not in the measured process.

    python -m tests.csms.support.idle_chargers --port N --first K --count M [--ocpp 1.6]

Connects bench-K … bench-(K+M-1) (bench/ws_charger.py's charger: BootNotification, then a StatusNotification
Available, as bench/idle.py's), prints "ready" once all are booted, and keeps them connected until its stdin
closes; then it closes them and exits.  A CALLERROR or a lost connection exits with 1 and says why on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from bench.idle import OPEN_AT_ONCE, IdleCounts, status_available
from bench.ws_charger import Charger, Stats

ROOT = Path(__file__).resolve().parents[3]


async def _run(port: int, first: int, count: int, version: str) -> int:
    loop = asyncio.get_running_loop()
    stats = Stats()
    counts = IdleCounts()
    chargers = [Charger(i, "127.0.0.1", port, stats, loop, version) for i in range(first, first + count)]
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def open_and_boot(charger: Charger) -> None:
        async with gate:
            await loop.create_connection(lambda: charger, "127.0.0.1", port)
            await charger.handshake
            action, payload = charger.messages.setup_calls()[0]
            counts.took(await charger.call(f"{charger.index}-boot", action, payload))
            status = status_available(version)
            counts.took(await charger.call(f"{charger.index}-status", "StatusNotification", status))

    await asyncio.wait_for(asyncio.gather(*(open_and_boot(c) for c in chargers)), 120.0)
    if stats.errors or stats.disconnects or counts.answered != 2 * count:
        print(f"set-up failed: {stats.errors} CALLERRORs, {stats.disconnects} lost; {stats.samples}", file=sys.stderr)
        return 1
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the test is done with them
    for charger in chargers:
        charger.close()
    await asyncio.wait([c.closed for c in chargers], timeout=10.0)
    return 0


@contextlib.asynccontextmanager
async def idle_chargers(port: int, first: int, count: int, version: str = "1.6") -> AsyncIterator[None]:
    """`count` idle chargers connected to `port` (booted, their connector Available) while inside."""
    argv = [sys.executable, "-m", "tests.csms.support.idle_chargers", "--port", str(port), "--first", str(first),
            "--count", str(count), "--ocpp", version]  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 180.0)
        if line.strip() != b"ready":
            raise AssertionError(f"idle chargers not ready: {(await proc.stderr.read()).decode()[-2000:]}")
        yield
    finally:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 30.0)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--ocpp", default="1.6", choices=("1.6", "2.0.1"))
    opts = parser.parse_args()
    return asyncio.run(_run(opts.port, opts.first, opts.count, opts.ocpp))


if __name__ == "__main__":
    sys.exit(main())
