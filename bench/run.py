"""Run the benchmark: each server in turn on one core, the load generator on another.

    python -m bench.run [--chargers 100] [--seconds 10] [--mode closed|rate] [--rate 2000] [--json]
    python -m bench.run --servers ha [--backend remote] ...   (Home Assistant; remote: on the add-on's app)

Servers: "ocpp-core" (our central system, `python -m csms`), "ocpp-lib" (a minimal central
system on the `ocpp` package) and "raw-echo" (bare `websockets`, the ceiling).  See README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from . import ha_marks
from .remote_addon import RunningAddon, running_addon

ROOT = Path(__file__).resolve().parent.parent
CSMS_DIR = ROOT / "custom_components" / "ocpp_core"
TARGET_VS_RAW = 0.5  # ocpp-core at least half of what bare websockets manages
TARGET_VS_LIB = 10.0  # and ten times a central system on the `ocpp` package


@dataclass(frozen=True)
class Server:
    name: str
    module: list[str]  # what follows `python -m`, without the port
    cwd: Path
    port_flag: str = "--port"
    data_dir_flag: str | None = None  # given a fresh temporary directory on each run
    pythonpath: Path | None = None


SERVERS = (
    Server(
        "ocpp-core",
        [
            "csms",
            "--host",
            "127.0.0.1",
            "--log-level",
            "WARNING",
            "--max-message-rate",
            "0",
            "--max-stations",
            "100000",
        ],
        CSMS_DIR,
    ),
    Server("ocpp-lib", ["bench.servers", "ocpp-lib"], ROOT),
    Server("raw-echo", ["bench.servers", "raw-echo"], ROOT),
)
# Home Assistant with the integration: not in the default comparison, ask for it with --servers ha
HA_SERVER = Server("ha", ["bench.ha_server"], ROOT)
# the add-on's app (addon/ocpp_core_app): its SQLite store in a fresh data dir, default options but the
# per-charger message-rate limit off, and its charger cap raised to the bench's chargers when they are more
ADDON_DIR = ROOT / "addon"
ADDON_MAX_STATIONS = 100  # the app's default --max-stations (csms's max_stations)
ADDON_SERVER = Server(
    "addon",
    ["ocpp_core_app", "--log-level", "warning", "--max-message-rate", "0"],
    ADDON_DIR,
    port_flag="--ocpp-port",
    data_dir_flag="--data-dir",
    pythonpath=ADDON_DIR,
)
ALL_SERVERS = (*SERVERS, HA_SERVER, ADDON_SERVER)


def revision() -> str:
    """The commit measured, and whether csms/ had uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10, check=True
        ).stdout

    try:
        head = git("rev-parse", "--short", "HEAD").strip()
        dirty = git("status", "--porcelain", "--", str(CSMS_DIR / "csms")).strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + (" + uncommitted changes in csms/" if dirty else "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port (from /proc, so no probe connection shows up in the server's log)."""
    wanted = (f"0100007F:{port:04X}", f"00000000:{port:04X}")  # 127.0.0.1 or every address (0.0.0.0)
    with open("/proc/net/tcp", encoding="ascii") as table:
        return any(fields[1] in wanted and fields[3] == "0A" for fields in (line.split() for line in table))


def wait_listening(proc: subprocess.Popen[bytes], port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before listening")
        if listening(port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server not listening on port {port} after {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def addon_max_stations(chargers: int) -> int:
    """The add-on's default charger cap, or the bench's chargers when they are more (it would refuse the rest)."""
    return max(ADDON_MAX_STATIONS, chargers)


def _pinned(core: int) -> functools.partial[None]:
    return functools.partial(os.sched_setaffinity, 0, {core})


def wait_ready(proc: subprocess.Popen[bytes], log: Any, timeout: float) -> None:
    """Until bench.ha_server printed its READY line (read with pread: the child shares the file's offset)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before it was ready")
        if HA_READY.encode() in os.pread(log.fileno(), 1 << 22, 0):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server not ready after {timeout:.0f} s")


def run_server(server: Server, opts: argparse.Namespace) -> dict[str, Any]:
    """Start one server, load it, stop it; the load generator's result plus our verdict."""
    remote = server is HA_SERVER and opts.backend == "remote"
    with contextlib.ExitStack() as stack:
        addon = None
        if remote:  # the add-on's app is the chargers' server; HA's entry follows it (bench/remote_addon.py)
            addon = stack.enter_context(running_addon(opts.chargers, opts.load_core, free_port, wait_listening))
        return _run_server(server, opts, addon)


def _run_server(server: Server, opts: argparse.Namespace, addon: RunningAddon | None) -> dict[str, Any]:
    port = free_port() if addon is None else addon.ocpp_port
    argv = [sys.executable]
    if opts.profile and server is not HA_SERVER:
        argv += ["-m", "cProfile", "-o", str(Path(opts.profile) / f"{server.name}.prof")]
    argv += ["-m", *server.module, *([server.port_flag, str(port)] if addon is None else addon.ha_args())]
    if opts.profile and server is HA_SERVER:  # HA's boot would swamp the profile: the measured window alone
        argv += ["--profile-window", str(Path(opts.profile) / f"{server.name}.prof")]
    env = dict(os.environ)
    if server.pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(server.pythonpath), env.get("PYTHONPATH"))))
    if server is ADDON_SERVER:
        # its API on a free port too (the default 8099 may be taken: another run, a real add-on)
        argv += ["--max-stations", str(addon_max_stations(opts.chargers)), "--ui-port", str(free_port())]
        if opts.addon_database_url:
            argv += ["--database-url", opts.addon_database_url]
    load_argv = [sys.executable, "-m", "bench.load", "--port", str(port), "--chargers", str(opts.chargers),
                 "--seconds", str(opts.seconds), "--warmup", str(opts.warmup), "--mode", opts.mode,
                 "--rate", str(opts.rate), "--ocpp", opts.ocpp]  # fmt: skip
    if server is HA_SERVER:
        load_argv.append("--mark-signal")
        if opts.recorder:
            argv.append("--recorder")
        if opts.idle_seconds > 0:  # two marks more, before the load's: ha_server's window is its last two
            load_argv += ["--idle-seconds", str(opts.idle_seconds)]
            argv.append("--idle-window")
        if opts.stall_stacks:
            argv += ["--stall-stacks", str(Path(opts.stall_stacks) / f"ha-{opts.ocpp}-recorder-{opts.recorder}.txt")]
    result: dict[str, Any] = {}
    with tempfile.TemporaryFile() as log, tempfile.TemporaryDirectory(prefix="bench-data-") as data_dir:
        if server.data_dir_flag:
            argv += [server.data_dir_flag, data_dir]
        proc = subprocess.Popen(
            argv, cwd=server.cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
            preexec_fn=_pinned(opts.server_core), start_new_session=True,
        )  # fmt: skip
        try:
            if addon is None:
                wait_listening(proc, port, 120.0 if server is HA_SERVER else 20.0)  # HA imports a lot
            else:
                wait_ready(proc, log, 120.0)
            load = subprocess.run(
                [*load_argv, "--server-pid", str(proc.pid)], cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                timeout=2 * opts.warmup + opts.idle_seconds + opts.seconds + 90, preexec_fn=_pinned(opts.load_core), check=False,
            )  # fmt: skip
            lines = load.stdout.decode().strip().splitlines()
            result = json.loads(lines[-1]) if lines else {"error": f"load generator: {load.stderr.decode()[-500:]}"}
            if proc.poll() is not None:
                result["error"] = f"server died with code {proc.returncode}"
        except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as err:
            result["error"] = f"{type(err).__name__}: {err}"
        finally:
            # HA unloads the entry and the recorder commits what it holds, then reports: seconds on a busy core
            stop(proc, 30.0 if server is HA_SERVER else 5.0)
        log.seek(0)
        log_lines = log.read().decode(errors="replace").splitlines()
    marks: list[dict[str, Any]] = []
    for line in log_lines:  # figures only the server itself can measure (bench.ha_server)
        with contextlib.suppress(json.JSONDecodeError):
            if line.startswith(METRICS_PREFIX):
                result.update(json.loads(line.removeprefix(METRICS_PREFIX)))
            elif line.startswith(MARK_PREFIX):
                marks.append(json.loads(line.removeprefix(MARK_PREFIX)))
    if result.get("recorded_states") is not None:  # the whole run's, boot included
        result["recorded_rows"] = f"{result['recorded_states']:,} / {result.get('recorded_attributes')}"
    if len(marks) >= 2 and result.get("answered"):  # the state writes inside the measured window alone
        result.update(ha_marks.window_figures(marks, result["answered"]))
        idle_s = result.get("idle_window_s") or 0.0
        result.update(ha_marks.idle_figures(marks, idle_s, result["window_s"], result["answered"]))
        if "recorder_backlog" in marks[-2]:  # the window's edges are the last two marks
            result["recorder_compile_in_window"] = recorder_compile_in(marks[-2].get("wall_s"), marks[-1].get("wall_s"))
        if "recorder_work" in marks[-2]:  # what the recorder was asked to do (bench/recorder_work.py)
            result["recorder_work"] = ha_marks.recorder_work(
                marks[-2]["recorder_work"], marks[-1]["recorder_work"], result["answered"]
            )
            result.update(ha_marks.recorder_figures(result["recorder_work"]))
    log_lines = [line for line in log_lines if not line.startswith((METRICS_PREFIX, MARK_PREFIX, HA_READY))]
    result["server_log_lines"] = len(log_lines)
    result["server_log_tail"] = log_lines[-5:]
    result["status"] = verdict(result)
    return result


def representative(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run to show: the first failed one, else the median by throughput; with every run's rate."""
    failed = [run for run in runs if run["status"] != "ok"]
    chosen = failed[0] if failed else sorted(runs, key=lambda run: float(run["rate"]))[len(runs) // 2]
    return {**chosen, "runs": len(runs), "rates": [run.get("rate") for run in runs]}


# HA's recorder compiles the short-term statistics of every sensor with a state class in its thread at 10 s past
# each fifth minute (UTC): a window holding one pays for all of the boot's entities at once
RECORDER_COMPILE_PERIOD_S, RECORDER_COMPILE_OFFSET_S = 300, 10


def recorder_compile_in(start: float | None, end: float | None) -> bool | None:
    """Whether the recorder's five-minute compile fell inside the window [start, end] (Unix time)."""
    if start is None or end is None:
        return None
    next_compile = start - (start - RECORDER_COMPILE_OFFSET_S) % RECORDER_COMPILE_PERIOD_S + RECORDER_COMPILE_PERIOD_S
    return next_compile <= end or (start - RECORDER_COMPILE_OFFSET_S) % RECORDER_COMPILE_PERIOD_S == 0


def verdict(result: dict[str, Any]) -> str:
    if "error" in result:
        return "FAILED: " + str(result["error"])[:200]
    problems = [f"{result[key]} {label}" for key, label in (("callerrors", "CALLERRORs"), ("unexpected", "unexpected frames"),
                ("disconnects", "disconnects"), ("unanswered_at_end", "unanswered")) if result.get(key)]  # fmt: skip
    if not result.get("answered"):
        problems.append("nothing answered")
    return "FAILED: " + ", ".join(problems) if problems else "ok"


# ---- the report ------------------------------------------------------------------------------

ROWS: tuple[tuple[str, str, str], ...] = (
    ("meter messages/s answered", "rate", "{:,.0f}"),
    ("latency p50 (ms)", "p50_ms", "{:.2f}"),
    ("latency p99 (ms)", "p99_ms", "{:.2f}"),
    ("server CPU per message (µs)", "server_cpu_us_per_msg", "{:.1f}"),
    ("server CPU busy (%)", "server_cpu_pct", "{:.0f}"),
    ("msg/s per CPU-second of server", "server_capacity", "{:,.0f}"),
    ("server RSS at end (MiB)", "server_rss_mib", "{:.1f}"),
    ("CALLERRORs", "callerrors", "{}"),
    ("load generator CPU (%)", "loadgen_cpu_pct", "{:.0f}"),
    ("others on the server core (%)", "server_core_others_pct", "{:.0f}"),
    ("others on the load core (%)", "load_core_others_pct", "{:.0f}"),
)
# idle mode (bench/idle.py): the chargers boot and then only heartbeat; memory is the figure
IDLE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("chargers connected at end", "connected_at_end", "{:,}"),
    ("server RSS before (MiB)", "server_rss_before_mib", "{:.1f}"),
    ("server RSS at end (MiB)", "server_rss_mib", "{:.1f}"),
    ("server RSS peak, VmHWM (MiB)", "server_hwm_mib", "{:.1f}"),
    ("RSS added per charger (KiB)", "server_rss_kib_per_charger", "{:.1f}"),
    ("connect + boot all (s)", "setup_s", "{:.1f}"),
    ("heartbeat interval (s)", "heartbeat_interval_s", "{}"),
    ("heartbeats in the window", "window_heartbeats", "{:,}"),
    ("server CPU busy (%)", "server_cpu_pct", "{:.1f}"),
    ("CALLERRORs", "callerrors", "{}"),
    ("others on the server core (%)", "server_core_others_pct", "{:.0f}"),
)
MESSAGE_NAMES = {"1.6": "OCPP 1.6J MeterValues", "2.0.1": "OCPP 2.0.1 TransactionEvent Updated"}
# Home Assistant mode: state writes per message, and ms from a new charger's BootNotification answer until all its entities have states
LIVE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("state writes per message", "state_writes_per_msg", "{:.2f}"),
    ("CPU/msg, event loop (µs)", "loop_cpu_us_per_msg", "{:.1f}"),
    ("  of which entities and state writes (µs)", "flush_cpu_us_per_msg", "{:.1f}"),
    ("  of which in the kernel (µs)", "loop_kernel_us_per_msg", "{:.1f}"),
    ("CPU/msg, recorder thread (µs)", "recorder_cpu_us_per_msg", "{:.1f}"),
    ("  of which taking events (µs)", "recorder_events_cpu_us_per_msg", "{:.1f}"),
    ("  of which commits (µs)", "recorder_commits_cpu_us_per_msg", "{:.1f}"),
    ("  of which garbage collection (µs)", "recorder_gc_us_per_msg", "{:.1f}"),
    ("recorder: events taken per msg", "recorder_events_per_msg", "{:.2f}"),
    ("recorder: SQL statements per msg", "recorder_sql_per_msg", "{:.2f}"),
    ("recorder: tasks besides commits", "recorder_tasks_in_window", "{}"),
    ("CPU/msg, add-on's app (µs)", "addon_cpu_us_per_msg", "{:.1f}"),
    ("recorder backlog at the start", "recorder_backlog_at_start", "{}"),
    ("idle: HA CPU per second (ms/s)", "idle_process_cpu_ms_per_s", "{:.1f}"),
    ("  of which event loop (ms/s)", "idle_loop_cpu_ms_per_s", "{:.1f}"),
    ("marginal CPU/msg, load − idle (µs)", "marginal_process_cpu_us_per_msg", "{:.1f}"),
    ("  of which event loop (µs)", "marginal_loop_cpu_us_per_msg", "{:.1f}"),
    ("idle: longest stall (ms)", "idle_stall_max_ms", "{:.1f}"),
    ("garbage collection per msg (µs)", "gc_us_per_msg", "{:.1f}"),
    ("collections gen 0 / 1 / 2 (time)", "gc_collections", "{}"),
    ("longest collection (ms)", "gc_max_ms", "{:.1f}"),
    ("longest event-loop stall (ms)", "stall_max_ms", "{:.1f}"),
    ("state rows / attribute rows recorded", "recorded_rows", "{}"),
    ("entities live, p50 (ms)", "entities_live_p50_ms", "{:.0f}"),
    ("entities live, max (ms)", "entities_live_max_ms", "{:.0f}"),
)
# the same figure of the existing HA OCPP integration (lbbrhzn/ocpp), measured on this machine
EXISTING_INTEGRATION_LIVE = "1.6–12 s"
METRICS_PREFIX = "BENCH_METRICS "
MARK_PREFIX = "BENCH_MARK "
HA_READY = "BENCH_READY"  # bench.ha_server's READY
NOISY_PCT = 5.0  # more than this of a core taken by other processes: the numbers are disturbed


def ratios(results: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """ocpp-core against each baseline: by throughput (the target) and by server CPU per message."""

    def value(name: str, key: str) -> float | None:
        number = results.get(name, {}).get(key)
        return float(number) if isinstance(number, int | float) and number > 0 else None

    def ratio(name: str, key: str) -> float | None:
        core, other = value("ocpp-core", key), value(name, key)
        return core / other if core is not None and other is not None else None

    return {
        "core_vs_raw": ratio("raw-echo", "rate"),
        "core_vs_lib": ratio("ocpp-lib", "rate"),
        "core_vs_raw_cpu": ratio("raw-echo", "server_capacity"),
        "core_vs_lib_cpu": ratio("ocpp-lib", "server_capacity"),
    }


def report(opts: argparse.Namespace, results: dict[str, dict[str, Any]]) -> str:
    window = f"{opts.seconds:g} s window after {opts.warmup:g} s warm-up"
    if opts.repeat > 1:
        window += f", median of {opts.repeat} runs"
    load = "closed loop" if opts.mode == "closed" else f"open loop at {opts.rate:g} msg/s in total"
    what = f"{MESSAGE_NAMES[opts.ocpp]}, {opts.chargers} chargers, {load}"
    if opts.mode == "idle":
        what = f"OCPP {opts.ocpp}, {opts.chargers} idle chargers (boot, StatusNotification, then only Heartbeats)"
    lines = [
        f"{what}, {window}",
        f"server on core {opts.server_core}, load generator on core {opts.load_core}; Python {sys.version.split()[0]}, "
        f"ocpp {metadata.version('ocpp')}, websockets {metadata.version('websockets')}; commit {opts.revision}"
        + ("; PROFILED (cProfile): not comparable" if opts.profile else ""),
        "",
    ]
    names = list(results)
    width = 15
    lines.append(f"{'':<30}" + "".join(f"{name:>{width}}" for name in names))
    live = any(results[name].get("state_writes_per_msg") is not None for name in names)
    for label, key, fmt in IDLE_ROWS if opts.mode == "idle" else ROWS + (LIVE_ROWS if live else ()):
        cells = []
        for name in names:
            value = results[name].get(key)
            bad = value is None or (isinstance(value, float) and math.isnan(value))
            cells.append(f"{'-' if bad else fmt.format(value):>{width}}")
        lines.append(f"{label:<30}" + "".join(cells))
    if opts.repeat > 1:
        spreads = []
        for name in names:
            rates = [r for r in results[name]["rates"] if isinstance(r, int | float)]
            spreads.append(f"{f'{min(rates):,.0f}–{max(rates):,.0f}' if rates else '-':>{width}}")
        lines.append(f"{f'meter messages/s, all {opts.repeat} runs':<30}" + "".join(spreads))
    if live:
        lines.append(f"{'  (existing HA integration)':<30}{EXISTING_INTEGRATION_LIVE:>{width}}")
    lines.append(
        f"{'result':<30}" + "".join(f"{'ok' if results[n]['status'] == 'ok' else 'FAILED':>{width}}" for n in names)
    )
    for name in names:
        result = results[name]
        if result["status"] != "ok":
            lines.append(f"  {name}: {result['status']}")
            lines += [f"    {sample}" for sample in result.get("samples", [])[:3]]
        if result.get("server_log_lines"):
            lines.append(f"  {name} wrote {result['server_log_lines']} log lines; the last:")
            lines += [f"    {line[:200]}" for line in result["server_log_tail"]]
    noisy = [
        n for n in names for k in ("server_core_others_pct", "load_core_others_pct") if results[n].get(k, 0) > NOISY_PCT
    ]
    if noisy:
        lines.append(
            f"  warning: other processes took over {NOISY_PCT:g}% of a core during {', '.join(sorted(set(noisy)))}:"
        )
        lines.append("  throughput and latency are disturbed; CPU per message much less so")
    if "addon" in names and opts.chargers > ADDON_MAX_STATIONS:
        lines.append(
            f"  addon: its charger cap raised to {addon_max_stations(opts.chargers):,} (--max-stations; "
            f"default {ADDON_MAX_STATIONS}, which refuses every further new charger)"
        )
    if opts.mode == "idle":
        return "\n".join(lines)
    ratio = ratios(results)
    lines.append("")
    lines.append(f"{'':<24}{'throughput':<22}{'by server CPU/msg':<20}target")
    for key, label, target, unit in (
        ("core_vs_raw", "ocpp-core / raw-echo", TARGET_VS_RAW, ""),
        ("core_vs_lib", "ocpp-core / ocpp-lib", TARGET_VS_LIB, " ×"),
    ):
        value, by_cpu = ratio[key], ratio[key + "_cpu"]
        shown = "-" if value is None else f"{value:.3f}{unit}  " + ("met" if value >= target else "MISSED")
        shown_cpu = "-" if by_cpu is None else f"{by_cpu:.3f}{unit}"
        lines.append(f"{label:<24}{shown:<22}{shown_cpu:<20}≥ {target:g}{unit}")
    return "\n".join(lines)


def no_nan(value: Any) -> Any:
    """NaN (no latency measured) is not JSON: null instead."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [no_nan(v) for v in value]
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--chargers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per server")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--mode", choices=("closed", "rate", "idle"), default="closed",
                        help="idle: the chargers boot, then only heartbeat; the server's memory is the figure")  # fmt: skip
    parser.add_argument("--rate", type=float, default=2000.0, help="total MeterValues/s in rate mode")
    parser.add_argument("--servers", default=",".join(s.name for s in SERVERS), help="comma-separated subset")
    parser.add_argument("--repeat", type=int, default=1, help="runs per server (interleaved); the median is shown")
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--load-core", type=int, default=1)
    parser.add_argument("--profile", metavar="DIR", help="run the servers under cProfile, writing DIR/<server>.prof")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    parser.add_argument(
        "--ocpp", choices=("1.6", "2.0.1"), default="1.6", help="1.6: MeterValues; 2.0.1: TransactionEvent"
    )
    parser.add_argument("--recorder", action="store_true", help="ha: with HA's recorder (SQLite), as default_config")
    parser.add_argument("--backend", choices=("embedded", "remote"), default="embedded",
                        help="ha: its own central system, or a remote entry on the add-on's app (on the load core)")  # fmt: skip
    parser.add_argument("--idle-seconds", type=float, default=0.0,
                        help="ha: first a window with the chargers connected and silent (HA's background), "
                        "then the load's warm-up and window; adds the idle CPU per second and the marginal per message")  # fmt: skip
    parser.add_argument("--stall-stacks", metavar="DIR",
                        help="ha: sample the event loop's stack while it stalls (bench/stall_stacks.py), DIR/ha-*.txt")  # fmt: skip
    parser.add_argument("--addon-database-url", help="addon: its --database-url (default: SQLite in a fresh data dir)")
    opts = parser.parse_args(argv)
    known = {s.name for s in ALL_SERVERS}
    opts.servers = [name for name in opts.servers.split(",") if name]
    if opts.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not opts.servers or set(opts.servers) - known:
        parser.error(f"--servers takes names among {', '.join(sorted(known))}")
    cores = os.sched_getaffinity(0)
    if not {opts.server_core, opts.load_core} <= cores:
        parser.error(f"cores {opts.server_core} and {opts.load_core} are not both available (have {sorted(cores)})")
    if opts.server_core == opts.load_core:
        print("warning: server and load generator share one core; the numbers will be low", file=sys.stderr)
    opts.revision = revision()
    if opts.stall_stacks:
        Path(opts.stall_stacks).mkdir(parents=True, exist_ok=True)
        opts.stall_stacks = str(Path(opts.stall_stacks).resolve())
    if opts.profile:
        Path(opts.profile).mkdir(parents=True, exist_ok=True)
        opts.profile = str(Path(opts.profile).resolve())
    return opts


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in opts.servers}
    for round_ in range(opts.repeat):
        for server in ALL_SERVERS:  # interleaved, so a slow drift of the machine touches every server alike
            if server.name in opts.servers:
                if not opts.json:
                    print(f"running {server.name} ({round_ + 1}/{opts.repeat}) ...", file=sys.stderr, flush=True)
                runs[server.name].append(run_server(server, opts))
                time.sleep(0.5)  # let the port and the core go quiet
    results = {name: representative(server_runs) for name, server_runs in runs.items()}
    if opts.json:
        config = {k: v for k, v in vars(opts).items() if k != "json"}
        targets = {"core_vs_raw": TARGET_VS_RAW, "core_vs_lib": TARGET_VS_LIB}
        document = {"config": config, "servers": results, "ratios": ratios(results), "targets": targets}
        print(json.dumps(no_nan(document), indent=2))
    else:
        print(report(opts, results))
    return 0 if all(r["status"] == "ok" for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
