"""The hot path of another revision's central system and this one's, side by side in one run.

    python -m bench.compare REV [--rounds 5] [--chargers 100] [--seconds 5] [--ocpp 1.6,2.0.1] [--json]

Extracts REV's `custom_components/ocpp_core/csms` into a temporary directory (`git archive`), then
loads it and the working tree's csms/ with the same closed-loop MeterValues (1.6) or TransactionEvent
(2.0.1) load as `bench.run`, alternating old, new, old, new … so a drift of the machine's load touches
both alike. Prints the median server CPU per message of each, and new ÷ old (below 1: the new is cheaper).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench import run

CSMS_PATH = "custom_components/ocpp_core/csms"
FIGURE = "server_cpu_us_per_msg"  # steadier than throughput on a shared machine (bench/README.md)


def extract_csms(rev: str, into: Path) -> str:
    """Write REV's csms/ package below INTO (at its path in the repository); return REV's short commit id."""
    commit = subprocess.run(
        ["git", "-C", str(run.ROOT), "rev-parse", "--short", f"{rev}^{{commit}}"],
        capture_output=True, text=True, timeout=10, check=True,
    ).stdout.strip()  # fmt: skip
    archive = subprocess.run(
        ["git", "-C", str(run.ROOT), "archive", "--format=tar", commit, CSMS_PATH],
        capture_output=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


def median_of(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [float(r[key]) for r in runs if r.get("status") == "ok" and isinstance(r.get(key), int | float)]
    return statistics.median(values) if values else None


def compare(opts: argparse.Namespace, old_dir: Path) -> dict[str, Any]:
    """Alternating rounds per OCPP version; every run's figure and the medians."""
    core = next(s for s in run.SERVERS if s.name == "ocpp-core")
    old_cwd = old_dir / Path(CSMS_PATH).parent  # where `python -m csms` finds REV's package
    servers = {"old": replace(core, name="old", cwd=old_cwd), "new": core}
    results: dict[str, Any] = {}
    for version in opts.ocpp:
        load_opts = argparse.Namespace(**{**vars(opts), "ocpp": version, "mode": "closed", "profile": None,
                                          "recorder": False, "addon_database_url": None})  # fmt: skip
        runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
        for round_ in range(opts.rounds):
            order = ("old", "new") if round_ % 2 == 0 else ("new", "old")  # ABBA…: neither always goes first
            for name in order:
                if not opts.json:
                    print(f"{version} {name} ({round_ + 1}/{opts.rounds}) ...", file=sys.stderr, flush=True)
                runs[name].append(run.run_server(servers[name], load_opts))
                time.sleep(0.5)  # let the port and the core go quiet
        old_us, new_us = median_of(runs["old"], FIGURE), median_of(runs["new"], FIGURE)
        results[version] = {
            "old_us_per_msg": old_us,
            "new_us_per_msg": new_us,
            "ratio": new_us / old_us if old_us and new_us else None,
            "old_rate": median_of(runs["old"], "rate"),
            "new_rate": median_of(runs["new"], "rate"),
            "old_runs": [r.get(FIGURE) for r in runs["old"]],
            "new_runs": [r.get(FIGURE) for r in runs["new"]],
            "failed": [r["status"] for r in runs["old"] + runs["new"] if r["status"] != "ok"],
        }
    return results


def report(opts: argparse.Namespace, results: dict[str, Any]) -> str:
    lines = [
        f"old = {opts.old_commit} csms/, new = {run.revision()} (working tree); {opts.chargers} chargers, closed loop, "
        f"{opts.seconds:g} s window after {opts.warmup:g} s warm-up, {opts.rounds} alternating rounds, medians",
        "",
        f"{'':<22}{'old µs/msg':>12}{'new µs/msg':>12}{'new / old':>11}{'old msg/s':>11}{'new msg/s':>11}",
    ]
    for version, figures in results.items():
        cells = [figures[k] for k in ("old_us_per_msg", "new_us_per_msg", "ratio", "old_rate", "new_rate")]
        shown = [f"{'-' if v is None else fmt.format(v):>{w}}" for v, fmt, w in
                 zip(cells, ("{:.1f}", "{:.1f}", "{:.3f}", "{:,.0f}", "{:,.0f}"), (12, 12, 11, 11, 11), strict=True)]  # fmt: skip
        lines.append(f"{f'OCPP {version}':<22}" + "".join(shown))
        lines.append(f"{'  every run, old':<22}" + " ".join(f"{v:.1f}" if v else "-" for v in figures["old_runs"]))
        lines.append(f"{'  every run, new':<22}" + " ".join(f"{v:.1f}" if v else "-" for v in figures["new_runs"]))
        lines += [f"  {status}" for status in figures["failed"]]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("rev", help="the revision to compare against, e.g. 584c1aa")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per version (old and new each)")
    parser.add_argument("--chargers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured window per run")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--ocpp", default="1.6,2.0.1", help="comma-separated: 1.6, 2.0.1")
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--load-core", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args(argv)
    opts.ocpp = [v for v in opts.ocpp.split(",") if v]
    if not opts.ocpp or set(opts.ocpp) - set(run.MESSAGE_NAMES):
        parser.error(f"--ocpp takes {', '.join(run.MESSAGE_NAMES)}")
    if opts.rounds < 1:
        parser.error("--rounds must be at least 1")
    opts.rate = 2000.0  # bench.run's default; unused in closed loop
    return opts


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-old-csms-") as tmp:
        opts.old_commit = extract_csms(opts.rev, Path(tmp))
        results = compare(opts, Path(tmp))
    if opts.json:
        print(json.dumps(run.no_nan({"old": opts.old_commit, "new": run.revision(), "results": results}), indent=2))
    else:
        print(report(opts, results))
    return 0 if all(not figures["failed"] for figures in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
