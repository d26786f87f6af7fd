"""What holds Home Assistant's event loop when it stalls: its thread's stack, sampled while it is late.

bench.ha_server's `PauseWatch` measures the longest lateness of a timer due every 50 ms.  This watchdog
thread (`--stall-stacks FILE`) looks every 5 ms whether that timer is late by more than 30 ms; while it is,
it takes the loop thread's stack (`sys._current_frames()`) and counts it, so a stall is seen for what it is:

- the loop busy in one callback (its stack: ours or Home Assistant's),
- the loop held by the garbage collector (the sample says "in gc", and which thread collects),
- the loop waiting for the GIL or for the core (its thread's CPU time hardly moves during the stall: the
  recorder's thread, or another process on the pinned core, had it).

Each stall is also noted whole: how late, and how much CPU the loop's thread and the recorder's used in it.
Only stalls inside the measured window count (between `start` and `stop`).  The watchdog needs the GIL to
sample, so a collection or a C call that holds it is sampled at its end (the stack then shows the caller).
Its 200 wake-ups a second count in HA's process CPU (bench.run's *HA CPU per message*; not in the thread
figures, where it is apart): take the CPU figures from runs without it.
"""

from __future__ import annotations

import collections
import gc
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

LATE_S = 0.03  # a stall: the 50 ms timer late by more than this
POLL_S = 0.005
DEPTH = 14  # innermost frames kept per sample (below asyncio's own)
_BASE = ("asyncio/events.py", "asyncio/base_events.py", "asyncio/runners.py")


def _cpu(thread_id: int | None) -> float:
    """A thread's CPU seconds (0 when it is gone)."""
    if thread_id is None:
        return 0.0
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread_id))
    except (OSError, ProcessLookupError):
        return 0.0


def _sched(native_id: int) -> tuple[float, float]:
    """(seconds on the CPU, seconds runnable but waiting for it) of one of our threads (/proc schedstat)."""
    try:
        with open(f"/proc/self/task/{native_id}/schedstat", encoding="ascii") as stat:
            on_cpu, waiting, _slices = stat.read().split()
    except (OSError, ValueError):
        return 0.0, 0.0
    return int(on_cpu) / 1e9, int(waiting) / 1e9


def _short(path: str) -> str:
    for marker in ("site-packages/", "custom_components/", "lib/python3"):
        at = path.find(marker)
        if at >= 0:
            return path[at:].removeprefix("site-packages/")
    return os.path.basename(path)


def stack_of(frame: FrameType | None, depth: int = DEPTH) -> tuple[str, ...]:
    """The frame's stack, innermost first, without asyncio's run loop below the callback."""
    lines: list[str] = []
    while frame is not None and len(lines) < depth:
        code = frame.f_code
        where = _short(code.co_filename)
        if where.endswith(_BASE) and code.co_name in ("_run", "_run_once", "run_forever", "run_until_complete"):
            break
        lines.append(f"{where}:{frame.f_lineno} {code.co_name}")
        frame = frame.f_back
    return tuple(lines)


@dataclass
class Stall:
    """One stall: how late the timer got, and what the threads did from its detection to its end."""

    late_ms: float
    span_ms: float = 0.0  # wall time from the watchdog's last poll before it to the end
    loop_cpu_ms: float = 0.0  # the loop thread on the CPU in that span
    loop_waiting_ms: float = 0.0  # the loop thread runnable, waiting for the core (from the detection on)
    recorder_cpu_ms: float = 0.0
    watchdog_gap_ms: float = 0.0  # from the watchdog's last poll before the stall to its first in it
    samples: int = 0
    in_gc: int = 0
    top: tuple[str, ...] = ()


@dataclass
class _Clocks:
    wall: float
    loop_cpu: float
    loop_waiting: float
    recorder_cpu: float


@dataclass
class StallStacks:
    """Samples the loop thread's stack while the 50 ms timer of `due()` is late."""

    due: Callable[[], float]  # loop.time() at which the timer is due
    loop_thread: int  # threading.get_ident() of the event loop's thread
    loop_native_id: int  # its threading.get_native_id()
    recorder_thread: Callable[[], int | None] = lambda: None
    stacks: collections.Counter[tuple[str, ...]] = field(default_factory=collections.Counter)
    stalls: list[Stall] = field(default_factory=list)
    gc_thread: int | None = None  # set while a collection runs, to the collecting thread
    _recording = False
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        self.gc_thread = threading.get_ident() if phase == "start" else None

    def start(self) -> None:
        """Count the stalls from now on (the window's start)."""
        self._recording = True
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="stall-stacks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """The window's end: nothing more is counted, and what was is cleared (after its report)."""
        self._recording = False
        self.stacks.clear()
        self.stalls.clear()

    def _clocks(self, full: bool = True) -> _Clocks:
        """Now; `full`: with the loop thread's wait for the core (a /proc read: at a stall's edges only, as 200
        reads a second would cost the process some 50 ms of CPU a second on a loaded core)."""
        on_cpu, waiting = _sched(self.loop_native_id) if full else (_cpu(self.loop_thread), float("nan"))
        return _Clocks(time.monotonic(), on_cpu, waiting, _cpu(self.recorder_thread()))

    def _watch(self) -> None:
        stall: Stall | None = None
        at = before = self._clocks()  # before: the last poll's, the loop not late
        stall_due = 0.0
        stall_stacks: collections.Counter[tuple[str, ...]] = collections.Counter()
        while True:  # a daemon thread: it ends with the process
            time.sleep(POLL_S)
            due = self.due()
            late = time.monotonic() - due  # loop.time() is time.monotonic()
            if late <= LATE_S:
                before = self._clocks(full=False)
            if late > LATE_S and self._recording:
                frame = sys._current_frames().get(self.loop_thread)
                stack = stack_of(frame)
                if self.gc_thread is not None:
                    stack = (f"(in gc, collected by {'loop' if self.gc_thread == self.loop_thread else 'other'})",)
                if stall is None or due != stall_due:
                    if stall is not None:
                        self._close(stall, at, stall_stacks)
                    stall, stall_due, at = Stall(late * 1000.0), due, before
                    at.loop_waiting = self._clocks().loop_waiting  # (from here: see _clocks)
                    # the watchdog's own sleep: much longer than POLL_S, and the process had no CPU either
                    stall.watchdog_gap_ms = (time.monotonic() - before.wall) * 1000.0
                    stall_stacks = collections.Counter()
                stall.late_ms = late * 1000.0
                stall.samples += 1
                stall.in_gc += self.gc_thread is not None
                stall_stacks[stack] += 1
                self.stacks[stack] += 1
            elif stall is not None and due != stall_due:
                self._close(stall, at, stall_stacks)
                stall = None

    def _close(self, stall: Stall, at: _Clocks, stacks: collections.Counter[tuple[str, ...]]) -> None:
        now = self._clocks()
        stall.span_ms = (now.wall - at.wall) * 1000.0
        stall.loop_cpu_ms = (now.loop_cpu - at.loop_cpu) * 1000.0
        stall.loop_waiting_ms = (now.loop_waiting - at.loop_waiting) * 1000.0
        stall.recorder_cpu_ms = (now.recorder_cpu - at.recorder_cpu) * 1000.0
        stall.top = stacks.most_common(1)[0][0] if stacks else ()
        if self._recording:  # (one that ends after the window is not the window's)
            self.stalls.append(stall)

    def report(self, longest: int = 12, stacks: int = 15) -> str:
        """The window's stalls (the longest, with what the threads did in them) and the stacks seen."""
        lines = [
            f"{len(self.stalls)} stalls over {LATE_S * 1000:.0f} ms late in the window; the longest (ms; over its "
            "span, from the watchdog's last poll before it to its end: the loop thread on the CPU, runnable but "
            "waiting for it, the recorder's thread on it; gap: the watchdog's own first wake-up in it):",
            "   late  span   gap  loop CPU  loop waiting  recorder CPU  samples  in gc  innermost frame",
        ]
        for stall in sorted(self.stalls, key=lambda s: -s.late_ms)[:longest]:
            lines.append(
                f"  {stall.late_ms:5.0f}  {stall.span_ms:4.0f}  {stall.watchdog_gap_ms:4.0f}  {stall.loop_cpu_ms:8.0f}"
                f"  {stall.loop_waiting_ms:12.0f}"
                f"  {stall.recorder_cpu_ms:12.0f}  {stall.samples:7}  {stall.in_gc:5}  {stall.top[0] if stall.top else '-'}"
            )
        total = sum(self.stacks.values()) or 1
        lines.append(
            f"stacks of the loop's thread, {sum(self.stacks.values())} samples every {POLL_S * 1000:.0f} ms while late:"
        )
        for stack, count in self.stacks.most_common(stacks):
            lines.append(f"  {count} samples ({count / total:.0%}):")
            lines += [f"      {line}" for line in stack]
        return "\n".join(lines)
