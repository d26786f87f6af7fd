"""Home Assistant mode: the figures of bench.ha_server's marks (`BENCH_MARK {json}` at each window edge).

The measured window is the last two marks.  With --idle-seconds, two marks come first: a window with every
charger connected, in its session and silent (HA's background: its timers, the recorder's idle commits, the
integration's keepalive and timers).  Then each thread's background per second is known, and the cost a
message adds is the window's CPU less that background over the window's length: *marginal* beside *total*.
"""

from __future__ import annotations

from typing import Any


def _cpu(mark: dict[str, Any], thread: str) -> float:
    return float(mark["thread_cpu_s"][thread])


def _process_cpu(mark: dict[str, Any]) -> float:
    """HA's threads (not the bench's stall watchdog)."""
    return float(sum(seconds for thread, seconds in mark["thread_cpu_s"].items() if thread != "watchdog"))


def window_figures(marks: list[dict[str, Any]], answered: int) -> dict[str, Any]:
    """State writes, each thread's CPU, the flushes' and the pauses per message of the last two marks' window."""
    first, last = marks[-2], marks[-1]
    result: dict[str, Any] = {"state_writes_per_msg": (last["state_writes"] - first["state_writes"]) / answered}
    if "thread_cpu_s" in first:  # HA's CPU per message split: the event loop's thread, the recorder's
        for thread in ("loop", "recorder"):
            result[f"{thread}_cpu_us_per_msg"] = (_cpu(last, thread) - _cpu(first, thread)) * 1e6 / answered
    if "loop_kernel_s" in first:  # of the loop's: in the kernel (bench.ha_server loop_kernel_seconds)
        result["loop_kernel_us_per_msg"] = (last["loop_kernel_s"] - first["loop_kernel_s"]) * 1e6 / answered
    if "flush_cpu_s" in first:  # of the loop's: the HA side (bench.ha_server FlushClock)
        result["flush_cpu_us_per_msg"] = (last["flush_cpu_s"] - first["flush_cpu_s"]) * 1e6 / answered
    if "addon_cpu_s" in first:  # remote: the add-on's app, apart from HA's process
        result["addon_cpu_us_per_msg"] = (last["addon_cpu_s"] - first["addon_cpu_s"]) * 1e6 / answered
    if "recorder_backlog" in first:
        result["recorder_backlog_at_start"] = first["recorder_backlog"]
    if "pauses" in last:  # what held HA's event loop up in the window (bench.ha_server PauseWatch)
        before, after = first["pauses"], last["pauses"]
        counts = [b - a for a, b in zip(before["gc_count"], after["gc_count"], strict=True)]
        took_ms = [(b - a) * 1000.0 for a, b in zip(before["gc_s"], after["gc_s"], strict=True)]
        result["gc_full_in_window"] = counts[2]
        result["gc_collections"] = " / ".join(f"{n} ({ms:.0f} ms)" for n, ms in zip(counts, took_ms, strict=True))
        result["gc_us_per_msg"] = (sum(after["gc_s"]) - sum(before["gc_s"])) * 1e6 / answered
        result["gc_max_ms"] = after["gc_max_ms"]
        if "gc_thread_s" in after:  # of it, paid in the recorder's thread (its CPU per message holds that)
            paid = after["gc_thread_s"]["recorder"] - before["gc_thread_s"]["recorder"]
            result["recorder_gc_us_per_msg"] = paid * 1e6 / answered
        result["stall_max_ms"] = after["stall_max_ms"]
    return result


def idle_figures(marks: list[dict[str, Any]], idle_s: float, window_s: float, answered: int) -> dict[str, Any]:
    """With an idle window (the first two of four marks): the background per second, by thread, and what a
    message costs on top of it (the window's CPU less the background over the window's length)."""
    if len(marks) < 4 or "thread_cpu_s" not in marks[0] or idle_s <= 0:
        return {}
    idle_start, idle_end, first, last = marks[-4:]
    result: dict[str, Any] = {}
    for name, used in (("process", _process_cpu), ("loop", lambda m: _cpu(m, "loop"))):
        background_s = (used(idle_end) - used(idle_start)) / idle_s  # CPU seconds per second, silent chargers
        result[f"idle_{name}_cpu_ms_per_s"] = background_s * 1000.0
        load_s = used(last) - used(first)
        result[f"marginal_{name}_cpu_us_per_msg"] = (load_s - background_s * window_s) * 1e6 / answered
    result["idle_stall_max_ms"] = idle_end.get("pauses", {}).get("stall_max_ms")
    return result


def _delta(before: dict[str, float], after: dict[str, float], per: float) -> dict[str, float]:
    keys = sorted(set(before) | set(after))
    changes = {key: (after.get(key, 0) - before.get(key, 0)) / per for key in keys}
    return {key: value for key, value in changes.items() if value}


def recorder_work(first: dict[str, Any], last: dict[str, Any], answered: int) -> dict[str, Any]:
    """The window's recorder work per message: events by type, tasks, statements and rows by kind, commits,
    the recorder thread's CPU (µs) on events, commits and other tasks, and which entities were written (the
    number of distinct entity ids and the most written ten); the tasks other than its commits (the five-minute
    statistics compile, the LRU's adjustment …) by count."""
    entities = _delta(first["entities"], last["entities"], 1)
    tasks = _delta(first["tasks"], last["tasks"], 1)
    return {
        "tasks_in_window": {name: int(count) for name, count in tasks.items() if name != "CommitTask"},
        "events_per_msg": _delta(first["events"], last["events"], answered),
        "tasks_per_msg": _delta(first["tasks"], last["tasks"], answered),
        "statements_per_msg": _delta(first["statements"], last["statements"], answered),
        "rows_per_msg": _delta(first["rows"], last["rows"], answered),
        "commits": last["commits"] - first["commits"],
        "idle_after_per_msg": (last["idle_after"] - first["idle_after"]) / answered,
        "switches_per_msg": _delta(first["switches"], last["switches"], answered),
        "cpu_us_per_msg": {key: value * 1e6 for key, value in _delta(first["cpu_s"], last["cpu_s"], answered).items()},
        "entities_written": len(entities),
        "most_written": dict(sorted(entities.items(), key=lambda item: -item[1])[:10]),
    }


def recorder_figures(work: dict[str, Any]) -> dict[str, Any]:
    """The report's rows of `recorder_work`: SQL statements and events per message, the thread's CPU on the events
    and on the commits, and how many tasks other than commits ran in the window."""
    cpu = work["cpu_us_per_msg"]
    return {
        "recorder_sql_per_msg": sum(work["statements_per_msg"].values()),
        "recorder_events_per_msg": sum(work["events_per_msg"].values()),
        "recorder_events_cpu_us_per_msg": cpu.get("events", 0.0),
        "recorder_commits_cpu_us_per_msg": cpu.get("commits", 0.0),
        "recorder_tasks_in_window": sum(work["tasks_in_window"].values()),
    }
