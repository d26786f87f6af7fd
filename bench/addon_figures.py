"""Issue 15's three figures of the add-on's central system, side by side with the baselines, in one run.

    python -m bench.addon_figures [--seconds 10] [--no-postgres] [--database-url URL ...] [--only p99] [--json]

(a) 100 chargers, closed loop: addon against raw-echo (the ceiling, target >= 0.5 of it) and ocpp-lib
    (target >= 10x), with ocpp-core (csms in memory) for reference;
(b) 1,000 idle chargers: the addon's RSS (target < 100 MiB), and ocpp-core's;
(c) 100 chargers x 1 MeterValues/s: the addon's p99 latency (target < 10 ms), and ocpp-core's.

The addon runs on SQLite in a fresh data dir with default options but --max-message-rate 0 (and its charger
cap raised to 1,000 for (b)); beside it, the same on PostgreSQL ("addon postgresql"): a throwaway server the
bench starts itself (Debian's postgresql package, as the tests do: tests/addon/postgres_server.py), a fresh
database for each run (--no-postgres: without it).  Each --database-url adds an addon column on that database
(its --database-url).  Each server runs as in bench.run: pinned to the server core, loaded from the other
(the PostgreSQL server is not pinned: it shares the machine's cores).  A run takes about three minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from . import run as bench_run

TARGET_VS_RAW = bench_run.TARGET_VS_RAW
TARGET_VS_LIB = bench_run.TARGET_VS_LIB
TARGET_IDLE_RSS_MIB = 100.0
TARGET_P99_MS = 10.0
CLOSED_CHARGERS, IDLE_CHARGERS, RATE_CHARGERS = 100, 1000, 100
SERVERS = {server.name: server for server in bench_run.ALL_SERVERS}


# an addon column's database: None (SQLite in a fresh data dir), a URL, or what makes a fresh one per run
Database = str | Callable[[], str] | None
POSTGRES_COLUMN = "addon postgresql"


def addon_columns(
    database_urls: list[str], fresh_postgres: Callable[[], str] | None = None
) -> list[tuple[str, Database]]:
    """(column name, database) of each addon run: SQLite in its data dir, the bench's own PostgreSQL, then one
    per URL."""
    columns: list[tuple[str, Database]] = [("addon", None)]
    if fresh_postgres is not None:
        columns.append((POSTGRES_COLUMN, fresh_postgres))
    for url in database_urls:
        columns.append((f"addon {url.split(':', 1)[0]}", url))
    return columns


@contextlib.contextmanager
def own_postgres(wanted: bool) -> Iterator[Callable[[], str] | None]:
    """A throwaway PostgreSQL server (tests/addon/postgres_server.py), as a maker of fresh databases; None when
    not wanted or not installed (said on stderr)."""
    if not wanted:
        yield None
        return
    from tests.addon.postgres_server import running  # the tests' server: the same setup, one place

    with running() as server:
        if isinstance(server, str):
            print(f"no PostgreSQL column: {server}", file=sys.stderr)
            yield None
        else:
            yield server.new_database


def figure(
    opts: argparse.Namespace,
    mode: str,
    chargers: int,
    baselines: list[str],
    rate: float = 2000.0,
    columns: list[tuple[str, Database]] | None = None,
) -> dict[str, dict[str, Any]]:
    """One figure: every addon column and the baselines, each started, loaded and stopped in turn (--repeat
    rounds, interleaved); per server its median run by the figure's own number, or its first failed one."""
    argv = ["--mode", mode, "--chargers", str(chargers), "--rate", str(rate), "--seconds", str(opts.seconds),
            "--warmup", str(opts.warmup), "--server-core", str(opts.server_core), "--load-core", str(opts.load_core),
            "--servers", "addon"]  # fmt: skip
    run_opts = bench_run.parse_args(argv)
    runs: list[tuple[str, bench_run.Server, Database]] = [
        (name, bench_run.ADDON_SERVER, database) for name, database in (columns or addon_columns(opts.database_url))
    ]
    runs += [(name, SERVERS[name], None) for name in baselines]
    results: dict[str, list[dict[str, Any]]] = {name: [] for name, _server, _url in runs}
    for round_ in range(opts.repeat):
        for name, server, url in runs:
            if not opts.json:
                print(f"({mode}, {chargers} chargers, {round_ + 1}/{opts.repeat}) running {name} ...",
                      file=sys.stderr, flush=True)  # fmt: skip
            run_opts.addon_database_url = url() if callable(url) else url
            results[name].append(bench_run.run_server(server, run_opts))
            time.sleep(0.5)  # let the port and the core go quiet
    return {name: median_run(server_runs, MEDIAN_BY[mode]) for name, server_runs in results.items()}


MEDIAN_BY = {"closed": "rate", "idle": "server_rss_mib", "rate": "p99_ms"}
FIGURES = ("closed", "idle", "rate")
# --only's names of the figures
ONLY = {"closed": "closed", "idle": "idle", "p99": "rate"}


def median_run(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The first failed run, else the median one by `key`; with every run's value of it."""
    failed = [run for run in runs if run["status"] != "ok"]
    chosen = failed[0] if failed else sorted(runs, key=lambda run: float(run.get(key) or 0.0))[len(runs) // 2]
    return {**chosen, "runs": len(runs), "all_runs": [run.get(key) for run in runs]}


def _number(result: dict[str, Any], key: str) -> float | None:
    value = result.get(key)
    if isinstance(value, int | float) and not math.isnan(value) and result.get("status") == "ok":
        return float(value)
    return None


def checks(figures: dict[str, dict[str, dict[str, Any]]], addons: list[str]) -> list[dict[str, Any]]:
    """Each addon column against each target: the figure, the target, met or not (None: not measured)."""
    closed, idle, rate = (figures.get(kind, {}) for kind in FIGURES)
    out: list[dict[str, Any]] = []

    def check(
        name: str, what: str, value: float | None, target: str, met: bool | None, by_cpu: float | None = None
    ) -> None:
        out.append({"server": name, "what": what, "value": value, "target": target, "met": met, "by_cpu": by_cpu})

    def ratio(name: str, other: str, key: str) -> float | None:
        mine, theirs = _number(closed[name], key), _number(closed[other], key)
        return mine / theirs if mine is not None and theirs else None

    for name in addons:
        if name not in closed:  # (--only: a figure not measured is not checked)
            continue
        vs_raw, vs_lib = ratio(name, "raw-echo", "rate"), ratio(name, "ocpp-lib", "rate")
        # by server CPU per message too (msg/s per CPU-second): it holds up better on a busy machine
        cpu_raw, cpu_lib = ratio(name, "raw-echo", "server_capacity"), ratio(name, "ocpp-lib", "server_capacity")
        check(name, f"{CLOSED_CHARGERS} chargers closed loop, ÷ raw-echo", vs_raw, f"≥ {TARGET_VS_RAW:g}",
              None if vs_raw is None else vs_raw >= TARGET_VS_RAW, cpu_raw)  # fmt: skip
        check(name, f"{CLOSED_CHARGERS} chargers closed loop, ÷ ocpp-lib", vs_lib, f"≥ {TARGET_VS_LIB:g} ×",
              None if vs_lib is None else vs_lib >= TARGET_VS_LIB, cpu_lib)  # fmt: skip
    for name in addons:
        if name not in idle:
            continue
        rss = _number(idle[name], "server_rss_mib")
        check(name, f"{IDLE_CHARGERS:,} idle chargers, RSS at end (MiB)", rss, f"< {TARGET_IDLE_RSS_MIB:g} MiB",
              None if rss is None else rss < TARGET_IDLE_RSS_MIB)  # fmt: skip
        hwm = _number(idle[name], "server_hwm_mib")
        check(name, f"{IDLE_CHARGERS:,} idle chargers, RSS peak (MiB)", hwm, f"< {TARGET_IDLE_RSS_MIB:g} MiB",
              None if hwm is None else hwm < TARGET_IDLE_RSS_MIB)  # fmt: skip
    for name in addons:
        if name not in rate:
            continue
        p99 = _number(rate[name], "p99_ms")
        check(name, f"{RATE_CHARGERS} chargers × 1 msg/s, p99 (ms)", p99, f"< {TARGET_P99_MS:g} ms",
              None if p99 is None else p99 < TARGET_P99_MS)  # fmt: skip
    return out


# the rows of each figure's table: (label, key, format)
CLOSED_ROWS = (
    ("MeterValues/s answered", "rate", "{:,.0f}"),
    ("latency p99 (ms)", "p99_ms", "{:.2f}"),
    ("server CPU per message (µs)", "server_cpu_us_per_msg", "{:.1f}"),
    ("server RSS at end (MiB)", "server_rss_mib", "{:.1f}"),
    ("load generator CPU (%)", "loadgen_cpu_pct", "{:.0f}"),
    ("others on the server core (%)", "server_core_others_pct", "{:.0f}"),
)
IDLE_ROWS = (
    ("chargers connected at end", "connected_at_end", "{:,}"),
    ("server RSS before (MiB)", "server_rss_before_mib", "{:.1f}"),
    ("server RSS at end (MiB)", "server_rss_mib", "{:.1f}"),
    ("server RSS peak, VmHWM (MiB)", "server_hwm_mib", "{:.1f}"),
    ("RSS added per charger (KiB)", "server_rss_kib_per_charger", "{:.1f}"),
    ("connect + boot all (s)", "setup_s", "{:.1f}"),
    ("others on the server core (%)", "server_core_others_pct", "{:.0f}"),
)
RATE_ROWS = (
    ("MeterValues/s answered", "rate", "{:,.0f}"),
    ("latency p50 (ms)", "p50_ms", "{:.2f}"),
    ("latency p99 (ms)", "p99_ms", "{:.2f}"),
    ("latency max (ms)", "max_ms", "{:.2f}"),
    ("server CPU per message (µs)", "server_cpu_us_per_msg", "{:.1f}"),
    ("others on the server core (%)", "server_core_others_pct", "{:.0f}"),
)


def table(
    title: str, mode: str, results: dict[str, dict[str, Any]], rows: tuple[tuple[str, str, str], ...]
) -> list[str]:
    width = 18
    lines = [title, f"{'':<32}" + "".join(f"{name:>{width}}" for name in results)]
    for label, key, fmt in rows:
        cells = []
        for result in results.values():
            value = result.get(key)
            bad = value is None or (isinstance(value, float) and math.isnan(value))
            cells.append(f"{'-' if bad else fmt.format(value):>{width}}")
        lines.append(f"{label:<32}" + "".join(cells))
    if any(result.get("runs", 1) > 1 for result in results.values()):  # the spread of the median's number
        label, _key, fmt = next(row for row in rows if row[1] == MEDIAN_BY[mode])
        spreads = []
        for result in results.values():
            values = [v for v in result.get("all_runs", []) if isinstance(v, int | float)]
            spread = f"{fmt.format(min(values))}–{fmt.format(max(values))}" if values else "-"
            spreads.append(f"{spread:>{width}}")
        lines.append(f"{'  ' + label.split(' (')[0] + ', all runs':<32}" + "".join(spreads))
    lines.append(
        f"{'result':<32}" + "".join(f"{'ok' if r['status'] == 'ok' else 'FAILED':>{width}}" for r in results.values())
    )
    for name, result in results.items():
        if result["status"] != "ok":
            lines.append(f"  {name}: {result['status']}")
            lines += [f"    {sample}" for sample in result.get("samples", [])[:3]]
        if result.get("server_log_lines"):
            lines.append(f"  {name} wrote {result['server_log_lines']} log lines; the last:")
            lines += [f"    {line[:200]}" for line in result["server_log_tail"]]
    return [*lines, ""]


def report(opts: argparse.Namespace, figures: dict[str, dict[str, dict[str, Any]]], found: list[dict[str, Any]]) -> str:
    lines = [
        "The add-on's central system (addon/ocpp_core_app: SQLite store in a fresh data dir, and addon postgresql on "
        "a fresh database; default options but --max-message-rate 0)",
        f"OCPP 1.6J, {opts.seconds:g} s window after {opts.warmup:g} s warm-up per server"
        + (f", median of {opts.repeat} runs" if opts.repeat > 1 else "")
        + f"; server on core "
        f"{opts.server_core}, load generator on core {opts.load_core}; Python {sys.version.split()[0]}; "
        f"commit {bench_run.revision()}",
        "",
    ]
    if "closed" in figures:
        lines += table(f"(a) {CLOSED_CHARGERS} chargers, closed loop", "closed", figures["closed"], CLOSED_ROWS)
    if "idle" in figures:
        lines += table(f"(b) {IDLE_CHARGERS:,} idle chargers (boot, StatusNotification, then only Heartbeats)",
                       "idle", figures["idle"], IDLE_ROWS)  # fmt: skip
        lines.append(
            f"  addon: its charger cap raised to {bench_run.addon_max_stations(IDLE_CHARGERS):,} for (b) "
            f"(--max-stations; the default {bench_run.ADDON_MAX_STATIONS} refuses every new charger beyond it)"
        )
        lines.append("")
    if "rate" in figures:
        lines += table(f"(c) {RATE_CHARGERS} chargers × 1 MeterValues/s", "rate", figures["rate"], RATE_ROWS)
    noisy = sorted(
        {f"{name} ({kind})" for kind, results in figures.items() for name, r in results.items()
         if (r.get("server_core_others_pct") or 0) > bench_run.NOISY_PCT}
    )  # fmt: skip
    if noisy:
        lines.append(f"warning: other processes took over {bench_run.NOISY_PCT:g}% of the server core during: "
                     f"{', '.join(noisy)}; throughput and latency are disturbed")  # fmt: skip
        lines.append("")
    lines.append(
        "Targets (issue 15); the ratios by throughput (the target) and, in brackets, by server CPU per message"
    )
    for item in found:
        value = "-" if item["value"] is None else f"{item['value']:,.3f}"
        if item["by_cpu"] is not None:
            value += f" ({item['by_cpu']:.3f})"
        verdict = "not measured" if item["met"] is None else ("met" if item["met"] else "MISSED")
        lines.append(f"  {item['server']:<18}{item['what']:<46}{value:>18}  {item['target']:<12}{verdict}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.addon_figures", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per server and figure")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per server and figure; the median is shown")
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--load-core", type=int, default=1)
    parser.add_argument("--database-url", action="append", default=[],
                        help="one more addon column on this database (the app's --database-url); repeatable")  # fmt: skip
    parser.add_argument("--no-postgres", action="store_true",
                        help="no addon postgresql column (the bench's own PostgreSQL server)")  # fmt: skip
    parser.add_argument("--only", choices=ONLY, action="append", default=[],
                        help="only this figure (repeatable): closed (a), idle (b), p99 (c)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the tables")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    with own_postgres(not opts.no_postgres) as fresh_postgres:
        columns = addon_columns(opts.database_url, fresh_postgres)
        addons = [name for name, _database in columns]
        wanted = {ONLY[name] for name in opts.only} or set(FIGURES)
        figures = {}
        if "closed" in wanted:
            figures["closed"] = figure(
                opts, "closed", CLOSED_CHARGERS, ["raw-echo", "ocpp-lib", "ocpp-core"], columns=columns
            )
        if "idle" in wanted:
            figures["idle"] = figure(opts, "idle", IDLE_CHARGERS, ["ocpp-core"], columns=columns)
        if "rate" in wanted:
            figures["rate"] = figure(
                opts, "rate", RATE_CHARGERS, ["ocpp-core"], rate=float(RATE_CHARGERS), columns=columns
            )
    found = checks(figures, addons)
    if opts.json:
        print(json.dumps(bench_run.no_nan({"config": vars(opts), "figures": figures, "targets": found}), indent=2))
    else:
        print(report(opts, figures, found))
    every_ok = all(r["status"] == "ok" for results in figures.values() for r in results.values())
    return 0 if every_ok and all(item["met"] for item in found) else 1


if __name__ == "__main__":
    sys.exit(main())
