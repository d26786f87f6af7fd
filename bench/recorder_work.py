"""What Home Assistant's recorder does, counted: the bench's load-independent view of the recorder's thread.

The recorder's thread CPU per message swings with the machine's load (the GIL, shared caches, other processes);
what it is asked to do does not.  `RecorderWork` counts, from inside HA's process, the events the recorder
takes (by event type; state writes by entity id), the tasks it runs (by class: commits, keep-alives …), the
SQL statements it sends to the database (by verb and table, with the rows of each executemany) and its
commits, and the thread CPU time (`time.thread_time()`, the recorder's own thread) spent on the events, on
the commits and on the other tasks.  bench.ha_server puts a snapshot in each mark; bench.ha_marks'
`recorder_work` is the window's share per message.  Costs a few µs per event (two clock reads and a dict update).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event
from sqlalchemy import event as sa_event

_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def statement_kind(statement: str) -> str:
    """`INSERT states`, `SELECT state_attributes`, `UPDATE states`…: the verb and the first table named."""
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
    table = _TABLE.search(statement)
    return f"{verb} {table.group(1)}" if table else verb


class RecorderWork:
    """Counters filled in the recorder's thread, read (copied) in the event loop's at each mark."""

    def __init__(self) -> None:
        self.events: Counter[str] = Counter()  # event type → events the recorder took
        self.entities: Counter[str] = Counter()  # entity id → its state_changed events
        self.tasks: Counter[str] = Counter()  # task class → how many ran
        self.statements: Counter[str] = Counter()  # `VERB table` → statements executed
        self.rows: Counter[str] = Counter()  # `VERB table` → parameter sets (an executemany's rows)
        self.cpu_s: defaultdict[str, float] = defaultdict(float)  # "events", "commits", "tasks" → its thread's CPU s
        self.commits = 0
        self.idle_after = 0  # items after which its queue was empty: it then waits for the loop's next event
        self._native_id: int | None = None

    def install(self, recorder: Any) -> None:
        """Wrap the recorder's per-item and commit methods (on the instance: its thread looks them up each time)
        and listen to its engine's statements."""
        take_event: Callable[[Event[Any]], None] = recorder._process_one_event
        run_item: Callable[[Any], None] = recorder._process_one_task_or_event_or_recover
        commit: Callable[[], None] = recorder._commit_event_session

        def process_one_event(event: Event[Any]) -> None:
            started = time.thread_time()
            try:
                take_event(event)
            finally:
                self.cpu_s["events"] += time.thread_time() - started
                self.events[str(event.event_type)] += 1
                if event.event_type == EVENT_STATE_CHANGED:
                    self.entities[event.data["entity_id"]] += 1

        queue = recorder._queue

        def process_item(item: Any) -> None:
            started = time.thread_time()
            try:
                run_item(item)
            finally:
                if type(item) is not Event:
                    self.cpu_s["tasks"] += time.thread_time() - started
                    self.tasks[type(item).__name__] += 1
                if queue.empty():
                    self.idle_after += 1

        def commit_session() -> None:
            started = time.thread_time()
            try:
                commit()
            finally:
                self.cpu_s["commits"] += time.thread_time() - started
                self.commits += 1

        recorder._process_one_event = process_one_event
        recorder._process_one_task_or_event_or_recover = process_item
        recorder._commit_event_session = commit_session
        self._native_id = recorder.native_id
        sa_event.listen(recorder.engine, "before_cursor_execute", self._on_statement)

    def _on_statement(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        kind = statement_kind(statement)
        self.statements[kind] += 1
        self.rows[kind] += len(parameters) if executemany and isinstance(parameters, list) else 1

    def snapshot(self) -> dict[str, Any]:
        """The counters so far (copies: the recorder's thread goes on filling them)."""
        return {
            "events": dict(self.events.copy()),
            "entities": dict(self.entities.copy()),
            "tasks": dict(self.tasks.copy()),
            "statements": dict(self.statements.copy()),
            "rows": dict(self.rows.copy()),
            "cpu_s": dict(self.cpu_s.copy()),
            "commits": self.commits,
            "idle_after": self.idle_after,
            "switches": self._switches(),
        }

    def _switches(self) -> dict[str, int]:
        """The recorder thread's voluntary (it waited: for its queue, the GIL, the disk) and involuntary
        (preempted) context switches so far."""
        switches: dict[str, int] = {}
        with (
            contextlib.suppress(OSError),
            open(f"/proc/self/task/{self._native_id}/status", encoding="ascii") as status,
        ):
            for line in status:
                name, _, value = line.partition(":")
                if name in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                    switches[name.split("_", 1)[0]] = int(value)
        return switches
