"""The event journal in the store (SQLite and a real PostgreSQL server): a burst of state events is written as its
latest one, what is older than the retention is pruned and a cursor before it refused, and a reopened store goes
on with the next seq; a write that fails keeps its entries for the next one; the records are made a few at a
time, the event loop free between."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ocpp_core_app.central_import import csms
from ocpp_core_app.journal import CursorExpired, Entry, EventJournal
from ocpp_core_app.store import RowStore, SqliteStore
from ocpp_core_app.store import journal as journal_rows

from .test_store import reopened, rows, sqlite_store  # noqa: F401 (fixtures; `store` is conftest's)


async def _journal(store: RowStore, central: Any, ring_size: int = 10) -> EventJournal:
    stream, next_seq, pruned = await store.open_journal()
    journal = EventJournal(central, store, stream=stream, next_seq=next_seq, pruned_through=pruned, ring_size=ring_size)
    central.events.subscribe(journal.on_event)
    return journal


def _central(store: RowStore) -> Any:
    return csms.CentralSystem(csms.CentralSystemConfig(host="127.0.0.1", port=0), store)


async def test_coalesced_pruned_and_continued(store: RowStore) -> None:
    central = _central(store)
    journal = await _journal(store, central)
    store.journal_count = 100
    for number in range(300):
        central.events.emit(csms.Event(csms.EventType.AUTHORIZE, "CP", data={"n": number}))
    for _ in range(50):  # a burst of one connector's updates: only the last is kept
        central.events.emit(csms.Event(csms.EventType.CONNECTOR_UPDATED, "CP", 1))
    await store.flush()
    assert journal.last_seq == 350
    kept = rows(store, "SELECT seq FROM journal ORDER BY seq")
    assert [seq for (seq,) in kept] == [*range(251, 301), 350]  # pruned to the last 100 seq numbers, coalesced
    replayed = await journal.replay(260)
    assert [e.seq for e in replayed] == [*range(261, 301), 350]
    assert [e.record["data"]["n"] for e in replayed[:2]] == [260, 261]
    with pytest.raises(CursorExpired):
        await journal.replay(100)  # those are gone
    with pytest.raises(CursorExpired):
        await journal.replay(351)  # ahead of the stream
    with pytest.raises(CursorExpired):
        await journal.replay(300, "another-stream")
    await store.close()

    again = reopened(store)
    await again.open()
    try:
        journal2 = await _journal(again, _central(again))
        assert (journal2.stream, journal2.last_seq) == (journal.stream, 350)  # a clean stop: no gap
        assert [e.seq for e in await journal2.replay(299)] == [300, 350]
        with pytest.raises(CursorExpired):
            await journal2.replay(200)
    finally:
        await again.close()


async def test_a_failed_write_keeps_its_entries(sqlite_store: SqliteStore) -> None:  # noqa: F811
    central = _central(sqlite_store)
    journal = await _journal(sqlite_store, central)
    await sqlite_store.set_max_page_count(int(rows(sqlite_store, "PRAGMA page_count")[0][0]))  # the disk is full
    for number in range(200):
        central.events.emit(csms.Event(csms.EventType.AUTHORIZE, "CP", data={"n": number, "pad": "x" * 200}))
    with pytest.raises(Exception, match="full"):
        await sqlite_store.flush()
    await sqlite_store.set_max_page_count(1_000_000)
    await sqlite_store.flush()
    assert rows(sqlite_store, "SELECT count(*) FROM journal") == [(200,)]
    assert [e.seq for e in await journal.replay(0)] == list(range(1, 201))


async def test_records_are_made_a_few_at_a_time_with_the_loop_free_between() -> None:
    """Issue 15's p99: a hundred connectors' records made in one step held the loop ~10 ms every second."""
    order: list[str] = []

    def make(seq: int, _event: Any) -> dict[str, Any]:
        order.append(f"record {seq}")
        return {"seq": seq}

    entries = [Entry(seq, 0.0, f"connector/{seq}", make) for seq in range(1, 101)]
    entries.append(Entry(101, 0.0, "connector/1", make))  # replaces seq 1's: its record is never made
    asyncio.get_running_loop().call_soon(order.append, "the loop's other work")
    made = await journal_rows.rows_of(entries)
    assert [row[0] for row in made] == list(range(2, 102))
    first_wait = order.index("the loop's other work")
    assert 0 < first_wait <= journal_rows.ROWS_PER_STEP
    assert len(order) == 101 and "record 1" not in order


def test_a_record_is_json_whatever_its_data_holds() -> None:
    """Encoded with msgspec; what it refuses (a lone surrogate a charger's text may carry) by the stdlib's json."""
    data = {"name": "Zähler", "odd": "\ud800", "when": datetime(2026, 1, 1, 10, tzinfo=UTC), "count": 2**70}
    record = json.loads(Entry(1, 0.0, None, {"seq": 1, "data": data}).text)["data"]
    assert record["name"] == "Zähler" and record["odd"] == "\ud800" and record["count"] == 2**70
    assert datetime.fromisoformat(record["when"]) == data["when"]
    plain = json.loads(Entry(2, 0.0, None, {"seq": 2, "data": {"name": "Zähler", "ids": {1, 2}}}).text)["data"]
    assert plain == {"name": "Zähler", "ids": [1, 2]}
