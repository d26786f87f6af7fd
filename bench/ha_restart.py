"""Issue 17's restart, measured in a real Home Assistant: remote mode keeps the chargers connected through it.

    python -m bench.ha_restart [--charge 5] [--down 5] [--no-addon-kill] [--keep DIR] [--json]

`scripts/addon` (the add-on's app) and `scripts/develop --with-addon` (a real `hass` with a remote entry on the
app, onboarded by scripts/dev_onboard.py) on a fresh config folder and free ports; a simulated 1.6 charger
(bench/restart_charger.py: sim/, real OCPP) connects to the app and charges.  Then:

1. Home Assistant is stopped (SIGTERM, as a restart or an update does) while the charger charges on for --down
   seconds and ends its session; Home Assistant is started again.  Measured: the charger's reconnects (its
   WebSocket to the app must never close: 0), the seconds from HA's start until its energy sensor shows the
   charger's register and its session-energy sensor the session's energy, and whether they are exact.
2. The app is killed (kill -9) while HA runs, then started again: the seconds until the entities are
   unavailable and the repair issue is raised, and from the app's start until they show the register again —
   the entry still loaded, not reloaded (the same event stream resumed: one more "event stream connected").
3. Home Assistant is stopped and its recorder's SQLite database read: the session-ended (and -started) bus events
   recorded exactly once across both of HA's runs, and the energy sensor's recorded states never dropping.

Bounded (every wait has a deadline), ends by itself, stops every process it started.  The first run creates
.venv-dev and .venv-addon (minutes); later runs take about a minute.  `scenario()` is what
tests/test_dev_instance_remote.py runs, with the correctness checks as assertions.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers_dev import (
    ADDON_READY,
    STARTUP_TIMEOUT,
    VENV_TIMEOUT,
    DevInstance,
    Process,
    addon_app,
    develop,
    ensure_dev_venv,
    free_port,
)

from .restart_charger import ChargingStation
from .restart_readings import HAReader, recorded_events, recorded_states

STATION = "bench-restart-1"
STEP_TIMEOUT = 120.0  # any one wait: a state shown, an issue raised, the app back


@dataclass
class Figures:
    """What one run measured (seconds from the moment named; None: not reached within STEP_TIMEOUT)."""

    reconnects_across_ha_restart: int = -1  # the charger's WebSocket closes while HA was stopped and started
    ha_stop_s: float | None = None  # SIGTERM until every process of HA's had ended
    register_wh: float | None = None  # the charger's register after its session (ended while HA was down)
    session_wh: int | None = None  # meterStop - meterStart
    ha_script_s: float | None = None  # scripts/develop's start until it starts the hass process
    ha_web_up_s: float | None = None  # from the hass process's start: its API answers
    register_shown_s: float | None = None  # from HA's start: the energy sensor shows the charger's register
    session_shown_s: float | None = None  # … and the session-energy sensor the session's energy
    register_shown_kwh: str | None = None
    session_shown_kwh: str | None = None
    addon_unavailable_s: float | None = None  # from kill -9 of the app: the energy sensor unavailable
    addon_issue_s: float | None = None  # … the repair issue addon_unreachable raised
    addon_back_s: float | None = None  # from the app's start again: the register shown again
    addon_issue_cleared: bool | None = None
    reconnects_across_addon_restart: int = -1  # the charger's (1: the app it was connected to was killed)
    entry_state_after: str | None = None  # the remote entry after the app came back: loaded, never reloaded
    stream_connects: int | None = None  # "event stream connected" in HA's second run (2: set up, resumed)
    ended_events: list[dict[str, Any]] = field(default_factory=list)  # recorded ocpp_core_transaction_ended
    started_events: int = -1  # recorded ocpp_core_transaction_started (1: not replayed after the restart)
    energy_states: list[str] = field(default_factory=list)  # the energy sensor's recorded states, in order
    energy_drops: list[tuple[str, str]] = field(default_factory=list)  # a numeric state below the one before
    first_state_after_restart: str | None = None  # recorded: the register at once (no stale value, no unknown)

    def correct(self) -> list[str]:
        """What is wrong, in words (empty: the restart did what issue 17 promises)."""
        wrong = []
        if self.reconnects_across_ha_restart != 0:
            wrong.append(f"the charger reconnected {self.reconnects_across_ha_restart} time(s) across HA's restart")
        if self.register_shown_s is None:
            wrong.append(
                f"the energy sensor never showed the register {self.register_wh} Wh: {self.register_shown_kwh}"
            )
        if self.session_shown_s is None:
            wrong.append(f"the session energy never showed {self.session_wh} Wh: {self.session_shown_kwh}")
        if len(self.ended_events) != 1:
            wrong.append(f"the session-ended event recorded {len(self.ended_events)} times, not once")
        if self.started_events != 1:
            wrong.append(f"the session-started event recorded {self.started_events} times, not once")
        if self.register_wh is None or not _kwh(self.register_wh)(self.first_state_after_restart):
            wrong.append(f"HA's first energy state after its restart was {self.first_state_after_restart}")
        if self.energy_drops:
            wrong.append(f"the recorded energy dropped: {self.energy_drops}")
        return wrong


@contextlib.contextmanager
def _stopped_at_exit(*processes: Callable[[], Process | None]) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            if (running := process()) is not None:
                running.stop()


def _wait(what: Callable[[], bool], timeout: float = STEP_TIMEOUT, pause: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while not what():
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
    return True


def _since(start: float, reached: bool) -> float | None:
    return round(time.monotonic() - start, 2) if reached else None


def _kwh(wh: float) -> Callable[[str | None], bool]:
    """Whether a sensor's state is `wh` in kWh (the sensors show kWh; every figure here is whole Wh)."""

    def shows(state: str | None) -> bool:
        try:
            return state is not None and abs(float(state) * 1000.0 - wh) < 1e-6
        except ValueError:
            return False

    return shows


def _start_ha(instance: DevInstance) -> DevInstance:
    return develop(instance.config, instance.port, instance.ocpp_port, addon_port=instance.addon_port)


def scenario(work: Path, charge_s: float = 5.0, down_s: float = 5.0, kill_addon: bool = True) -> Figures:
    """The whole run on `work` (a fresh folder); the figures, the checks left to the caller."""
    ensure_dev_venv()
    figures = Figures()
    ocpp_port, api_port = free_port(), free_port()
    addon = addon_app(work / "config" / "addon-data", ocpp_port, api_port)
    ha: DevInstance | None = None
    charger = ChargingStation(f"ws://127.0.0.1:{ocpp_port}", STATION)
    with _stopped_at_exit(lambda: ha.process if ha else None, lambda: addon), contextlib.closing(charger):
        addon.wait_for_output(ADDON_READY, VENV_TIMEOUT)  # the first run creates .venv-addon
        ha = develop(work / "config", free_port(), ocpp_port, addon_port=api_port)
        ha.process.wait_for_output("=== dev_onboard: created entry", STARTUP_TIMEOUT)
        charger.start()
        reader = HAReader(ha)
        energy, session = reader.sensors(STATION, "energy_register", "session_energy", timeout=STEP_TIMEOUT)
        # charging, seen live in HA: the register it shows follows the charger's
        assert _wait(lambda: _kwh(charger.register_wh)(reader.state(energy))), reader.state(energy)
        time.sleep(charge_s)

        # 1. HA stopped (SIGTERM) while the charger charges on and ends its session
        closes = charger.closes
        stopping = time.monotonic()
        ha.process.stop()
        figures.ha_stop_s = _since(stopping, True)
        time.sleep(down_s)
        charger.end_session()
        register, session_wh = charger.register_wh, charger.session_wh or 0
        figures.register_wh, figures.session_wh = register, session_wh
        launched, restarted_at = time.monotonic(), time.time()
        ha = _start_ha(ha)
        up = _wait(reader.answers, STARTUP_TIMEOUT)
        # from the hass process's start: scripts/develop's own set-up before it (venv check, links) is not HA's
        starting = _process_start(ha.process, "hass") or launched
        figures.ha_script_s = round(starting - launched, 2)
        figures.ha_web_up_s = _since(starting, up)
        figures.register_shown_s = _since(starting, _wait(lambda: _kwh(register)(reader.state(energy))))
        figures.session_shown_s = _since(starting, _wait(lambda: _kwh(session_wh)(reader.state(session))))
        figures.register_shown_kwh, figures.session_shown_kwh = reader.state(energy), reader.state(session)
        figures.reconnects_across_ha_restart = charger.closes - closes
        ha.process.wait_for_output("=== dev_onboard: existing entry", STARTUP_TIMEOUT)

        # 2. the app killed and started again while HA runs
        if kill_addon:
            _addon_restart(figures, ha, addon, reader, charger, energy)

        # 3. HA stopped: its recorder has written everything; read it
        ha.process.stop()
        database = work / "config" / "home-assistant_v2.db"
        figures.ended_events = recorded_events(database, "ocpp_core_transaction_ended")
        figures.started_events = len(recorded_events(database, "ocpp_core_transaction_started"))
        recorded = recorded_states(database, energy)
        figures.energy_states = [state for state, _ in recorded]
        figures.first_state_after_restart = next((state for state, at in recorded if at > restarted_at), None)
        numeric = [(state, float(state)) for state in figures.energy_states if _number(state)]
        figures.energy_drops = [(a, b) for (a, x), (b, y) in itertools.pairwise(numeric) if y < x]
    return figures


def _process_start(script: Process, name: str) -> float | None:
    """When the process `name` (its program's file name) of the script's process group started, on the clock of
    time.monotonic (the kernel counts from boot; the difference between the two clocks is taken out)."""
    assert script.popen is not None
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            argv = (stat.parent / "cmdline").read_bytes().split(b"\0")
            if int(fields[2]) == script.popen.pid and any(Path(arg.decode()).name == name for arg in argv[:2]):
                offset = time.clock_gettime(time.CLOCK_BOOTTIME) - time.monotonic()
                return int(fields[19]) / os.sysconf("SC_CLK_TCK") - offset
    return None


def _number(state: str) -> bool:
    try:
        float(state)
    except ValueError:
        return False
    return True


def _addon_restart(
    figures: Figures, ha: DevInstance, addon: Process, reader: HAReader, charger: ChargingStation, energy: str
) -> None:
    """Kill -9 the app under a running HA, then start it again (the same command: data dir and ports)."""
    closes = charger.closes
    killed = time.monotonic()
    addon.kill()
    figures.addon_unavailable_s = _since(killed, _wait(lambda: reader.state(energy) == "unavailable"))
    figures.addon_issue_s = _since(killed, _wait(lambda: "addon_unreachable" in reader.issues()))
    addon.output.clear()
    addon.start()
    starting = time.monotonic()
    addon.wait_for_output(ADDON_READY, STEP_TIMEOUT)
    figures.addon_back_s = _since(starting, _wait(lambda: _kwh(figures.register_wh or 0)(reader.state(energy))))
    figures.addon_issue_cleared = _wait(lambda: "addon_unreachable" not in reader.issues())
    _wait(lambda: charger.closes > closes, timeout=30)
    figures.reconnects_across_addon_restart = charger.closes - closes
    figures.entry_state_after = reader.entry_state()
    figures.stream_connects = sum("event stream connected" in text for _, _, text in ha.log_records())


def report(figures: Figures) -> str:
    f = figures
    wrong = f.correct()
    lines = [
        "Home Assistant restarted under a charging charger, remote mode (scripts/develop --with-addon, real hass, "
        "the add-on's app, sim/ 1.6)",
        f"  HA stopped (SIGTERM) in {f.ha_stop_s} s; the charger's reconnects meanwhile: "
        f"{f.reconnects_across_ha_restart} (must be 0)",
        f"  session ended while HA was down: {f.session_wh} Wh, register {f.register_wh} Wh",
        f"  scripts/develop started hass after {f.ha_script_s} s; from hass's start: API up {f.ha_web_up_s} s, register shown {f.register_shown_s} s "
        f"({f.register_shown_kwh} kWh), session energy shown {f.session_shown_s} s ({f.session_shown_kwh} kWh)",
        f"  recorded: session-ended events {len(f.ended_events)} (must be 1), session-started {f.started_events} "
        f"(must be 1); energy states {len(f.energy_states)}, drops {len(f.energy_drops)} (must be 0), "
        f"not numeric {sum(not _number(s) for s in f.energy_states)}; the first after HA's restart "
        f"{f.first_state_after_restart} kWh",
    ]
    if f.addon_unavailable_s is not None or f.addon_back_s is not None:
        lines.append(
            f"  the app killed under HA: unavailable after {f.addon_unavailable_s} s, repair issue after "
            f"{f.addon_issue_s} s; started again: register shown after {f.addon_back_s} s, issue cleared "
            f"{f.addon_issue_cleared}, entry {f.entry_state_after}, event stream connects in HA's run "
            f"{f.stream_connects} (2: set up, resumed), the charger's reconnects {f.reconnects_across_addon_restart}"
        )
    lines.append("  correct" if not wrong else "  WRONG: " + "; ".join(wrong))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ha_restart", description=__doc__.split("\n\n")[0])
    parser.add_argument("--charge", type=float, default=5.0, help="seconds charging before HA is stopped")
    parser.add_argument("--down", type=float, default=5.0, help="seconds HA stays down before the session ends")
    parser.add_argument("--no-addon-kill", action="store_true", help="skip killing and restarting the app")
    parser.add_argument("--keep", metavar="DIR", help="run in DIR (kept: HA's config, log and database)")
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        work = Path(opts.keep) if opts.keep else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        figures = scenario(work, opts.charge, opts.down, kill_addon=not opts.no_addon_kill)
    print(json.dumps(asdict(figures), indent=2) if opts.json else report(figures))
    return 0 if not figures.correct() else 1


if __name__ == "__main__":
    sys.exit(main())
