"""Home Assistant hosting the integration, for the benchmark's "ha" mode.

    python -m bench.ha_server --port 9000 [--recorder]
    python -m bench.ha_server --remote-api-port 8099 --api-token TOKEN --addon-pid PID [--recorder]

Runs a Home Assistant core (the test harness of pytest-homeassistant-custom-component:
the real core, state machine, entity platforms and registries, in memory) with one
OCPP Core entry on the port, accepting every charger.  bench.run measures this
process's CPU per MeterValues like any other server.  On exit it prints to stderr
how many state writes each MeterValues caused, and how long after its BootNotification
each charger's entities were live (see `EntitiesLive`), also as one `BENCH_METRICS {json}`
line that bench.run reads.  With --recorder, HA's recorder runs as `default_config` loads it
(SQLite in the config folder, its own thread, which counts in the process's CPU).  On SIGUSR1
(sent by bench.load at the edges of its measured window) it prints `BENCH_MARK {json}` with
the state writes so far and the CPU seconds of the event loop's thread and of the recorder's, so
bench.run counts the writes of the window alone and splits HA's CPU between the two.  With
--profile-window FILE, cProfile runs on the event loop's thread inside the measured window only
(not during boot and set-up) and writes FILE at its end.  Each mark also carries what held the event
loop up (`PauseWatch`: garbage collections, the longest stall), so bench.run reports those of the window.
On SIGUSR2 (bench.load's, 3 s before a window opens) it collects the boot's garbage.  With --idle-window two
marks come first (bench.load's idle window: the chargers silent); with --stall-stacks FILE the loop's stack
is sampled while it stalls, in each window (bench/stall_stacks.py).
With --remote-api-port the entry is a remote one, on the add-on's app (bench/remote_addon.py) that the chargers
connect to; each mark then also carries the app's CPU seconds (from /proc/<addon-pid>), and `BENCH_READY` is
printed once the entry has caught up with the app's event stream (nothing of HA's listens for chargers then).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import logging
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterable
from unittest import mock

import aiohttp
from homeassistant import loader
from homeassistant.const import CONF_HOST, CONF_PORT, EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import recorder as recorder_helper
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_test_home_assistant

from .recorder_work import RecorderWork
from .stall_stacks import StallStacks

DOMAIN = "ocpp_core"
READY = "BENCH_READY"


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of all of another process's threads (the add-on's app)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


class EntitiesLive:
    """When each charger's entities are live: every one of them (enabled) has a state in HA.

    Measured from the BootNotification answer (the BOOTED event, emitted while the answer is
    built; it goes out right after) to the first state of the charger's last entity to get
    one.  Costs one dict look-up per state write, so it can stay on while MeterValues are measured.
    """

    def __init__(self) -> None:
        self.booted_at: dict[str, float] = {}
        self.first_state_at: dict[str, float] = {}

    def on_event(self, event: object) -> None:
        if (
            getattr(event, "type", None) == "booted"
            and getattr(event, "data", {}).get("registration_status") == "Accepted"
        ):
            self.booted_at.setdefault(event.station_id, time.perf_counter())  # type: ignore[attr-defined]

    @callback
    def on_state(self, event: Event) -> None:
        if event.data["old_state"] is None:
            self.first_state_at.setdefault(event.data["entity_id"], time.perf_counter())

    def delays_ms(self, hass: HomeAssistant, entry_id: str) -> list[float]:
        """Per booted charger: ms from its boot answer until its last entity had a state (None: never)."""
        last_state: dict[str, float] = {}
        missing: set[str] = set()
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry_id):
            if entity.disabled_by is not None:
                continue
            station_id = _station_of(entity.unique_id, entry_id, self.booted_at)
            if station_id is None:
                continue
            first = self.first_state_at.get(entity.entity_id)
            if first is None:
                missing.add(station_id)
            else:
                last_state[station_id] = max(first, last_state.get(station_id, first))
        return [
            (last_state[station_id] - booted) * 1000.0
            for station_id, booted in self.booted_at.items()
            if station_id in last_state and station_id not in missing
        ]


def _station_of(unique_id: str, entry_id: str, station_ids: Iterable[str]) -> str | None:
    """The station of one of the entry's unique ids (<entry>_<station>_<connector>_<key>; ids may hold "_")."""
    rest = unique_id.removeprefix(f"{entry_id}_")
    matches = [station_id for station_id in station_ids if rest.startswith(f"{station_id}_")]
    return max(matches, key=len) if matches else None


def live_report(delays: list[float], chargers: int) -> tuple[str, dict[str, float | int | None]]:
    metrics: dict[str, float | int | None] = {
        "entities_live_chargers": len(delays),
        "entities_live_p50_ms": statistics.median(delays) if delays else None,
        "entities_live_max_ms": max(delays) if delays else None,
    }
    if not delays:
        return f"ha: no charger's entities became live ({chargers} booted)", metrics
    text = (
        f"ha: entities live after the BootNotification answer: median {statistics.median(delays):.0f} ms, "
        f"max {max(delays):.0f} ms over {len(delays)} of {chargers} chargers"
    )
    return text, metrics


_CLK_TCK = os.sysconf("SC_CLK_TCK")


def loop_kernel_seconds() -> float:
    """stime of the event loop's thread: its system calls (epoll, the socket's reads and writes: loopback TCP
    delivers to the peer and wakes it in the sender's time), apart from the Python it runs."""
    with open(f"/proc/self/task/{threading.get_native_id()}/stat", encoding="ascii") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[12]) / _CLK_TCK


def thread_cpu_seconds() -> dict[str, float]:
    """utime + stime of the event loop's thread ("loop") and of the recorder's ("recorder"); the rest in "other"."""
    loop_tid = threading.get_native_id()
    names = {thread.native_id: thread.name for thread in threading.enumerate()}
    seconds = {"loop": 0.0, "recorder": 0.0, "other": 0.0}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended
            continue
        used = (int(fields[11]) + int(fields[12])) / _CLK_TCK
        if int(tid) == loop_tid:
            seconds["loop"] += used
        elif names.get(int(tid)) == "Recorder":
            seconds["recorder"] += used
        elif names.get(int(tid)) == "stall-stacks":  # the bench's own watchdog (--stall-stacks): not HA's
            seconds["watchdog"] = used
        else:
            seconds["other"] += used
    return seconds


class PauseWatch:
    """What holds the event loop up: the garbage collector's passes (their count and time per
    generation, and the longest), and the longest lateness of a timer due every 50 ms (a stall:
    a callback, the GIL held by another thread, or a collection).  Costs one timer callback per
    50 ms, a few µs per meter message at 50 messages/s."""

    TICK_S = 0.05

    def __init__(self) -> None:
        self.gc_count = [0, 0, 0]
        self.gc_seconds = [0.0, 0.0, 0.0]
        self.gc_max_s = 0.0
        # the collections' time by the thread that paid it (the one whose allocation crossed the threshold)
        self.gc_thread_s = {"loop": 0.0, "recorder": 0.0, "other": 0.0}
        self._loop_thread = threading.get_ident()
        self.stall_max_s = 0.0
        self._gc_started = 0.0
        self._due = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        took = time.perf_counter() - self._gc_started
        generation = info["generation"]
        self.gc_count[generation] += 1
        self.gc_seconds[generation] += took
        self.gc_max_s = max(self.gc_max_s, took)
        thread = threading.current_thread()
        payer = "loop" if thread.ident == self._loop_thread else "recorder" if thread.name == "Recorder" else "other"
        self.gc_thread_s[payer] += took

    @property
    def due(self) -> float:
        """When the next tick is due (loop.time(), i.e. time.monotonic()): read by bench.stall_stacks' thread."""
        return self._due

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._due = loop.time() + self.TICK_S
        loop.call_at(self._due, self._tick)

    def _tick(self) -> None:
        assert self._loop is not None
        now = self._loop.time()
        self.stall_max_s = max(self.stall_max_s, now - self._due)
        self._due = now + self.TICK_S
        self._loop.call_at(self._due, self._tick)

    def figures(self) -> dict[str, object]:
        """Cumulative since the last call's reset of the maxima (the window's edges)."""
        figures = {
            "gc_count": list(self.gc_count),
            "gc_s": list(self.gc_seconds),
            "gc_max_ms": self.gc_max_s * 1000.0,
            "gc_thread_s": dict(self.gc_thread_s),
            "stall_max_ms": self.stall_max_s * 1000.0,
        }
        self.gc_max_s = self.stall_max_s = 0.0
        return figures


class FlushClock:
    """The event loop thread's CPU time inside the bridge's flushes (coordinator.EventBridge._flush): the
    Home Assistant side of each charger message (its entities woken and compared, the state writes, HA's state
    machine and every state listener, the recorder's queueing of each write), apart from the central system
    and the transport.  CLOCK_THREAD_CPUTIME_ID: other processes' load does not count, as it does in wall time
    (cProfile's timer).  Two clock reads per flush."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.flushes = 0

    def install(self) -> None:
        from custom_components.ocpp_core.coordinator import EventBridge  # the module HA loads (ours, custom_components)

        timed = EventBridge._flush  # measured, not changed
        clock = self

        def flush(bridge: EventBridge) -> None:
            started = time.thread_time()
            try:
                timed(bridge)
            finally:
                clock.seconds += time.thread_time() - started
                clock.flushes += 1

        EventBridge._flush = flush  # type: ignore[method-assign,assignment]


class WindowProfile:
    """cProfile of the event loop's thread inside the measured window (its marks: the last two; with an idle
    window first, the third and the fourth)."""

    def __init__(self, path: str | None, idle_window: bool) -> None:
        self.path = path
        self.marks = 0
        self.opening = 3 if idle_window else 1  # the mark that opens the measured window
        self.profile = cProfile.Profile() if path else None

    def mark(self) -> None:
        self.marks += 1
        if self.profile is None or self.path is None:
            return
        if self.marks == self.opening:
            self.profile.enable()
        elif self.marks == self.opening + 1:
            self.profile.disable()
            self.profile.dump_stats(self.path)


async def _start_recorder(hass: HomeAssistant, config_dir: str) -> None:
    """The recorder on SQLite, with `default_config`'s settings (nothing but the database path set)."""
    db_url = f"sqlite:///{config_dir}/home-assistant_v2.db"
    recorder_helper.async_initialize_recorder(hass)  # what bootstrap does before any integration is set up
    assert await async_setup_component(hass, "recorder", {"recorder": {"db_url": db_url}})
    await hass.async_block_till_done()


def _recorder_thread() -> int | None:
    return next((thread.ident for thread in threading.enumerate() if thread.name == "Recorder"), None)


RECORDED_TABLES = ("events", "event_data", "event_types", "states_meta", "statistics_short_term")


def _recorded_rows(config_dir: str) -> dict[str, object]:
    """How many state rows the recorder wrote, and how many attribute rows (each distinct set of a state's
    attributes is one row: an attribute that changed with every message would make one per write)."""
    path = f"{config_dir}/home-assistant_v2.db"
    rows: dict[str, object] = {"recorded_states": None, "recorded_attributes": None}
    with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(path)) as db:
        rows["recorded_states"] = int(db.execute("SELECT COUNT(*) FROM states").fetchone()[0])
        rows["recorded_attributes"] = int(db.execute("SELECT COUNT(*) FROM state_attributes").fetchone()[0])
        for table in RECORDED_TABLES:  # the rest of what it writes: events, their data and types, entity ids
            rows[f"recorded_{table}"] = int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        by_type = "SELECT t.event_type, COUNT(*) FROM events JOIN event_types t USING (event_type_id) GROUP BY 1"
        rows["recorded_events_by_type"] = dict(db.execute(by_type).fetchall())
    return rows


def _entry_data(opts: argparse.Namespace) -> dict[str, object]:
    """Embedded: the central system on --port.  Remote: an entry on the add-on's API (as its discovery makes it)."""
    if opts.remote_api_port is None:
        return {CONF_HOST: "127.0.0.1", CONF_PORT: opts.port}
    return {"mode": "remote", CONF_HOST: "127.0.0.1", CONF_PORT: opts.remote_api_port, "api_token": opts.api_token}


@contextlib.asynccontextmanager
async def _addon_session(remote: bool) -> AsyncIterator[None]:
    """Remote: the add-on's client on a plain aiohttp session (as tests/conftest.py's `addon_session`): HA's shared
    one needs the network integration (zeroconf's resolver), which the harness does not load.  The same
    aiohttp WebSocket reads the event stream either way; only 127.0.0.1 is resolved."""
    if not remote:
        yield
        return
    connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
    async with aiohttp.ClientSession(connector=connector) as session:
        with mock.patch(f"custom_components.{DOMAIN}.remote.setup.async_get_clientsession", return_value=session):
            yield


async def _serve(opts: argparse.Namespace) -> None:
    recorder, profile_path, addon_pid = opts.recorder, opts.profile_window, opts.addon_pid
    with tempfile.TemporaryDirectory() as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass, _addon_session(addon_pid is not None):
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # load ours from custom_components
            recorder_work = RecorderWork()
            if recorder:
                await _start_recorder(hass, config_dir)
                recorder_work.install(recorder_helper.get_instance(hass))
            # unknown tags accepted as the add-on's app accepts them (its default): the same sessions in both modes
            options = {"unknown_chargers": "accept", "unknown_tags": "accept"}
            entry = MockConfigEntry(domain=DOMAIN, data=_entry_data(opts), options=options)
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            if opts.remote_api_port is None:
                # a closed-loop bench charger sends far more than the per-charger limit (50/s) a real one never nears
                entry.runtime_data.central.config.max_message_rate = 0
                entry.runtime_data.central.config.max_stations = 100_000  # any --chargers
            else:  # (the add-on's own limits are its options: bench/remote_addon.py)
                await asyncio.wait_for(entry.runtime_data.central.caught_up.wait(), 60.0)

            writes = 0
            meter_messages = 0

            @callback
            def count_write(event: Event) -> None:
                nonlocal writes
                writes += 1

            def count_meter(event: object) -> None:
                nonlocal meter_messages
                if getattr(event, "type", None) == "connector_updated":
                    meter_messages += 1

            live = EntitiesLive()
            hass.bus.async_listen(EVENT_STATE_CHANGED, count_write)
            hass.bus.async_listen(EVENT_STATE_CHANGED, live.on_state)
            entry.runtime_data.central.events.subscribe(count_meter)
            entry.runtime_data.central.events.subscribe(live.on_event)

            window_profile = WindowProfile(profile_path, opts.idle_window)
            pauses = PauseWatch()
            stall_stacks = StallStacks(
                lambda: pauses.due, threading.get_ident(), threading.get_native_id(), _recorder_thread
            )
            flush_clock = FlushClock()
            flush_clock.install()

            def mark() -> None:
                figures = {
                    "state_writes": writes,
                    "thread_cpu_s": thread_cpu_seconds(),
                    "loop_kernel_s": loop_kernel_seconds(),
                    "pauses": pauses.figures(),
                    "flush_cpu_s": flush_clock.seconds,
                    "wall_s": time.time(),  # the window's edges in UTC: the recorder's 5-minute tasks run on the clock
                }
                if addon_pid is not None:
                    figures["addon_cpu_s"] = process_cpu_seconds(addon_pid)
                if recorder:  # events it has yet to take: at the window's start, the boot's still on its plate
                    figures["recorder_backlog"] = recorder_helper.get_instance(hass).backlog
                    figures["recorder_work"] = recorder_work.snapshot()
                print(f"BENCH_MARK {json.dumps(figures)}", file=sys.stderr, flush=True)
                window_profile.mark()
                if opts.stall_stacks and window_profile.marks % 2 == 1:  # a window opens
                    stall_stacks.start()
                elif opts.stall_stacks:  # and ends: its stalls, then counted afresh
                    which = "idle" if window_profile.marks < window_profile.opening else "measured"
                    with open(opts.stall_stacks, "a", encoding="utf-8") as report:
                        report.write(f"== the {which} window ==\n{stall_stacks.report()}\n")
                    stall_stacks.stop()

            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            pauses.start(loop)
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            loop.add_signal_handler(signal.SIGUSR1, mark)
            # bench.load's, 3 s before each window opens: the boot's garbage (some 10^5 objects promoted while
            # 2,750 entities came up) would make the collector's next full passes (hundreds of ms each) land in
            # the window at random, so they are paid now; not at the window's first mark, where this collection
            # (up to a second on a loaded core) was the window's longest stall and its p99 (the messages it held)
            loop.add_signal_handler(signal.SIGUSR2, gc.collect)
            print(READY, file=sys.stderr, flush=True)
            await stop.wait()
            per = writes / meter_messages if meter_messages else 0.0
            print(
                f"ha: {writes} state writes for {meter_messages} connector updates ({per:.2f} per message)",
                file=sys.stderr,
                flush=True,
            )
            text, live_metrics = live_report(live.delays_ms(hass, entry.entry_id), len(live.booted_at))
            metrics: dict[str, object] = dict(live_metrics)
            metrics["recorder"] = recorder
            with contextlib.suppress(Exception):
                await hass.config_entries.async_unload(entry.entry_id)
            if recorder:
                await hass.async_stop()  # the recorder commits what it holds
                metrics.update(_recorded_rows(config_dir))
            print(text, file=sys.stderr, flush=True)
            print(f"BENCH_METRICS {json.dumps(metrics)}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ha_server")
    parser.add_argument("--port", type=int, help="embedded: the chargers' port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--remote-api-port", type=int, help="remote: the add-on's API port (bench/remote_addon.py)")
    parser.add_argument("--api-token", help="remote: the add-on's API token (its --api-token)")
    parser.add_argument("--addon-pid", type=int, help="remote: the add-on's process, for its CPU at each mark")
    parser.add_argument("--recorder", action="store_true", help="run HA's recorder (SQLite), as default_config does")
    parser.add_argument("--idle-window", action="store_true", help="two marks come first: bench.load's idle window")
    parser.add_argument("--stall-stacks", metavar="FILE",
                        help="sample the event loop's stack while it stalls in the window (bench/stall_stacks.py)")  # fmt: skip
    parser.add_argument("--profile-window", metavar="FILE", help="cProfile the event loop inside the measured window")
    opts = parser.parse_args()
    if (opts.port is None) == (opts.remote_api_port is None):
        parser.error("either --port (embedded) or --remote-api-port with --api-token (remote)")
    if opts.remote_api_port is not None and not opts.api_token:
        parser.error("--remote-api-port needs --api-token")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve(opts))


if __name__ == "__main__":
    main()
