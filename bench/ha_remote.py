"""Issue 17's efficiency figure: Home Assistant's CPU per meter message, embedded against remote, side by side.

    python -m bench.ha_remote [--seconds 15] [--warmup 20] [--chargers 10,50] [--ocpp 1.6,2.0.1] [--repeat 1]
                              [--recorder] [--json]

Each configuration runs twice, alternately (embedded, then remote, so a drift of the shared machine touches
both alike): `bench.run --servers ha` at 1 message per charger per second, once with the integration's own
central system (HA pinned to the server core, the chargers on the load core) and once with a remote entry on
the add-on's app (bench/remote_addon.py: the app on the load core, the chargers connecting to it).  HA's CPU
is its process's alone; the add-on's is shown apart.  The ratio remote ÷ embedded of HA's CPU per message is
held against issue 17's target, 1.5.  --recorder runs HA's recorder (SQLite, as default_config) in both modes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import sys
from typing import Any

from . import run as bench_run

TARGET_RATIO = 1.5  # remote HA CPU per meter message at most 1.5 × the embedded mode's
BACKENDS = ("embedded", "remote")


def measure(version: str, chargers: int, backend: str, opts: argparse.Namespace) -> dict[str, Any]:
    argv = ["--servers", "ha", "--backend", backend, "--chargers", str(chargers), "--mode", "rate",
            "--rate", str(chargers), "--seconds", str(opts.seconds), "--warmup", str(opts.warmup), "--ocpp", version]  # fmt: skip
    if opts.recorder:
        argv.append("--recorder")
    return bench_run.run_server(bench_run.HA_SERVER, bench_run.parse_args(argv))


def _ms(value: Any) -> float | None:
    return value / 1000.0 if isinstance(value, int | float) and not math.isnan(value) else None


def _cell(value: Any, fmt: str, width: int) -> str:
    shown = "-" if value is None or (isinstance(value, float) and math.isnan(value)) else fmt.format(value)
    return f"{shown:>{width}}"


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [run[key] for run in runs if isinstance(run.get(key), int | float) and not math.isnan(run[key])]
    return statistics.median(values) if values else None


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over the repeated runs, and whether every run was ok."""
    keys = ("server_cpu_us_per_msg", "loop_cpu_us_per_msg", "recorder_cpu_us_per_msg", "flush_cpu_us_per_msg",
            "addon_cpu_us_per_msg", "recorder_sql_per_msg", "recorder_gc_us_per_msg",
            "state_writes_per_msg", "p50_ms", "p99_ms", "server_core_others_pct", "load_core_others_pct")  # fmt: skip
    failed = [run["status"] for run in runs if run.get("status") != "ok"]
    return {
        **{key: _median(runs, key) for key in keys},
        "status": failed[0] if failed else "ok",
        "runs": len(runs),
        # the recorder's five-minute statistics compile inside the window (bench.run): its thread's CPU jumps then
        "compiles_in_window": sum(bool(run.get("recorder_compile_in_window")) for run in runs),
        # the recorder's tasks besides its commits in the window, counted in its thread (bench/recorder_work.py):
        # the compile above (also one that began just before the window), the LRU's adjustment …
        "tasks_in_window": sum(run.get("recorder_tasks_in_window") or 0 for run in runs),
        # each run's HA and recorder-thread CPU per message (ms), and the events the recorder had yet to take at the
        # window's start (the boot's states: written inside the window, they count as the window's)
        "each_run": [
            (
                _ms(run.get("server_cpu_us_per_msg")),
                _ms(run.get("recorder_cpu_us_per_msg")),
                run.get("recorder_backlog_at_start"),
            )
            for run in runs
        ],
    }


def ratio(embedded: dict[str, Any], remote: dict[str, Any], key: str) -> float | None:
    a, b = embedded.get(key), remote.get(key)
    return b / a if isinstance(a, int | float) and isinstance(b, int | float) and a > 0 else None


def report(table: dict[tuple[str, int], dict[str, dict[str, Any]]], opts: argparse.Namespace) -> str:
    lines = [
        f"Home Assistant with OCPP Core, embedded against remote (the add-on's app): 1 meter message per charger per "
        f"second, {opts.seconds:g} s window after {opts.warmup:g} s warm-up, median of {opts.repeat} alternated run(s)",
        "HA pinned to core 0; the chargers (and, remote, the add-on's app) on core 1; "
        f"recorder {'on (SQLite)' if opts.recorder else 'off'}; commit {bench_run.revision()}",
        "",
        f"{'OCPP':<7}{'chargers':>9}{'backend':>10}{'HA CPU/msg':>12}{'loop':>7}{'rec.':>7}{'gc':>6}{'add-on':>8}{'writes/msg':>12}"
        f"{'p99 (ms)':>10}{'others % HA core':>18}{'load core':>11}{'compiles':>10}{'SQL/msg':>9}{'tasks':>7}  result",
    ]
    for (version, chargers), by_backend in table.items():
        for backend in BACKENDS:
            row = by_backend[backend]
            lines.append(
                f"{version:<7}{chargers:>9}{backend:>10}{_cell(_ms(row['server_cpu_us_per_msg']), '{:.2f}', 12)}"
                f"{_cell(_ms(row['loop_cpu_us_per_msg']), '{:.2f}', 7)}{_cell(_ms(row['recorder_cpu_us_per_msg']), '{:.2f}', 7)}"
                f"{_cell(_ms(row['recorder_gc_us_per_msg']), '{:.2f}', 6)}"
                f"{_cell(_ms(row['addon_cpu_us_per_msg']), '{:.2f}', 8)}"
                f"{_cell(row['state_writes_per_msg'], '{:.2f}', 12)}{_cell(row['p99_ms'], '{:.1f}', 10)}"
                f"{_cell(row['server_core_others_pct'], '{:.0f}', 18)}{_cell(row['load_core_others_pct'], '{:.0f}', 11)}"
                f"{row['compiles_in_window'] if opts.recorder else '-':>10}{_cell(row['recorder_sql_per_msg'], '{:.2f}', 9)}"
                f"{row['tasks_in_window'] if opts.recorder else '-':>7}  {row['status']}"
            )
        whole = ratio(by_backend["embedded"], by_backend["remote"], "server_cpu_us_per_msg")
        loop = ratio(by_backend["embedded"], by_backend["remote"], "loop_cpu_us_per_msg")
        verdict = "-" if whole is None else ("met" if whole <= TARGET_RATIO else "MISSED")
        lines.append(
            f"{'':<7}{'':>9}{'remote ÷ embedded':>22}: HA CPU {_cell(whole, '{:.2f}', 4)}, event loop "
            f"{_cell(loop, '{:.2f}', 4)}  (target ≤ {TARGET_RATIO:g}: {verdict})"
        )
    lines += [
        "",
        "HA CPU/msg: HA's process, every thread (ms); loop: its event loop's thread; rec.: the recorder's thread;",
        "gc: of it, the garbage collections its thread paid; add-on: the add-on's app (ms)",
        "others %: other processes' share of the core during the window (the load core holds the chargers, and",
        "remote the add-on too, so it is higher there); above 5 the latency is disturbed, CPU per message less so",
        "compiles: of the runs, those whose window held the recorder's five-minute statistics compile (its thread's",
        "CPU per message is then higher, by the compile of every sensor, whichever the mode)",
        "SQL/msg: the statements the recorder sent per message (median); tasks: the recorder's tasks besides its",
        "commits in the runs' windows (the compile, also one begun before the window; the LRU's adjustment …)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ha_remote", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="long enough for CPU ticks of 10 ms")
    parser.add_argument("--warmup", type=float, default=20.0, help="past HA's boot (as bench.ha_matrix)")
    parser.add_argument("--chargers", default="10,50", help="comma-separated charger counts")
    parser.add_argument("--ocpp", default="1.6", help="comma-separated: 1.6 and/or 2.0.1")
    parser.add_argument("--repeat", type=int, default=1, help="alternated runs per backend; the median is shown")
    parser.add_argument("--recorder", action="store_true", help="with HA's recorder (SQLite), in both modes")
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args(argv)
    counts = [int(part) for part in opts.chargers.split(",") if part]
    versions = [part for part in opts.ocpp.split(",") if part]
    if set(versions) - {"1.6", "2.0.1"} or not versions or not counts or opts.repeat < 1:
        parser.error("--ocpp takes 1.6 and/or 2.0.1, --chargers at least one count, --repeat at least 1")
    runs: dict[tuple[str, int], dict[str, list[dict[str, Any]]]] = {}
    for version, chargers in itertools.product(versions, counts):
        runs[(version, chargers)] = {backend: [] for backend in BACKENDS}
        for round_, backend in itertools.product(range(opts.repeat), BACKENDS):  # alternated
            print(f"running OCPP {version}, {chargers} chargers, {backend} ({round_ + 1}/{opts.repeat}) ...",
                  file=sys.stderr, flush=True)  # fmt: skip
            runs[(version, chargers)][backend].append(measure(version, chargers, backend, opts))
    table = {config: {b: summary(r) for b, r in by_backend.items()} for config, by_backend in runs.items()}
    if opts.json:
        document = [
            {"ocpp": v, "chargers": c, **{b: bench_run.no_nan(table[(v, c)][b]) for b in BACKENDS},
             "ratio_ha_cpu": ratio(table[(v, c)]["embedded"], table[(v, c)]["remote"], "server_cpu_us_per_msg")}
            for v, c in table
        ]  # fmt: skip
        print(json.dumps(document, indent=2))
    else:
        print(report(table, opts))
    return 0 if all(row["status"] == "ok" for by in table.values() for row in by.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
