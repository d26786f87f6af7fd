"""Issue 17: a meter message makes the recorder write the same rows whichever central system is behind HA.

HA's recorder on a real SQLite file, with its default commit interval (5 s; the harness's is 0), and a 1.6
charger or a 2.0.1 station in a session on either back end.  After the warm-up readings, each further reading
costs exactly three `states` rows (energy register, session energy, power) and nothing else: no new
`state_attributes` row (an attribute changing with every message would add one per write), no `events` /
`event_data` / `event_types` / `states_meta` row, no other event on the bus for the recorder to take (nor a
`state_reported`: an unchanged state written again).  The
remote mode's recorder thread, measured higher on a busy machine (bench/README.md, remote mode), is asked to
do what the embedded mode's is.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from contextlib import closing
from typing import Any

import pytest
from homeassistant.components.recorder import Recorder
from homeassistant.const import EVENT_STATE_REPORTED, MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done

from .helpers_readings import CHARGERS, STEADY, WARM_UP
from .helpers_remote import both_backends

TABLES = ("states", "state_attributes", "events", "event_data", "event_types", "states_meta")


@pytest.fixture
def recorder_config() -> dict[str, Any]:
    """HA's own commit interval (the recorder then writes as it does in a real installation)."""
    return {"commit_interval": 5}


def recorded(recorder: Recorder) -> dict[str, Any]:
    """The rows of each table, and the state rows by entity id, as the database file holds them."""
    path = recorder.db_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as db:
        rows: dict[str, Any] = {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}
        by_entity = "SELECT m.entity_id, COUNT(*) FROM states JOIN states_meta m USING (metadata_id) GROUP BY 1"
        rows["by_entity"] = Counter(dict(db.execute(by_entity).fetchall()))
    return rows


async def settled(recorder: Recorder, hass: HomeAssistant) -> dict[str, Any]:
    """`recorded` once the recorder has written every state so far: two reads alike, a commit apart.  (On a loaded
    machine the recorder, still setting up its database file, once returned from a wait with nothing written.)"""
    rows: dict[str, Any] | None = None
    for _ in range(50):
        await async_wait_recording_done(hass)
        now = await recorder.async_add_executor_job(recorded, recorder)
        if now == rows and now["states"]:
            return now
        rows = now
        await asyncio.sleep(0.2)
    raise AssertionError(f"the recorder's rows did not settle: {rows}")


@pytest.mark.parametrize("persistent_database", [True])  # a real SQLite file, not the harness's in-memory one
@pytest.mark.parametrize("version", list(CHARGERS))
@both_backends
async def test_a_meter_message_records_three_state_rows_and_nothing_else(
    recorder_mock: Recorder, hass: HomeAssistant, entry: MockConfigEntry, version: str
) -> None:
    cp_id, charging = CHARGERS[version]
    fired: Counter[str] = Counter()

    @callback
    def count(event: Event[Any]) -> None:
        fired[event.event_type] += 1

    async with charging(hass, entry) as send:
        for reading in STEADY[:WARM_UP]:
            await send(*reading)
        before = await settled(recorder_mock, hass)
        hass.bus.async_listen(MATCH_ALL, count)
        # a write of an unchanged state: MATCH_ALL leaves it out, and HA takes its listeners only with a filter
        hass.bus.async_listen(EVENT_STATE_REPORTED, count, event_filter=callback(lambda data: True))
        for reading in STEADY[WARM_UP:]:
            await send(*reading)
        after = await settled(recorder_mock, hass)

    messages = len(STEADY) - WARM_UP
    written = {f"sensor.{cp_id}_{key}": messages for key in ("energy_meter", "session_energy", "power")}
    assert after["by_entity"] - before["by_entity"] == written
    assert {table: after[table] - before[table] for table in TABLES} == {
        "states": 3 * messages,
        "state_attributes": 0,
        "events": 0,
        "event_data": 0,
        "event_types": 0,
        "states_meta": 0,
    }
    # what the bus carried while the readings came (the recorder takes every event but its excluded types)
    assert {event_type: n for event_type, n in fired.items() if event_type in recorder_mock.exclude_event_types} == {}
    assert dict(fired) == {"state_changed": 3 * messages}
