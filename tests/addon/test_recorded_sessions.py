"""Every session the store recorded, read back by the web UI's query (store/recorded.py), on SQLite and on a real
PostgreSQL server: more sessions than csms's history keeps, filtered by charger, connector, tag and time, newest
first, a page at a time; a charger the user removes takes its sessions along."""

from __future__ import annotations

from datetime import UTC, datetime

from ocpp_core_app.central_import import csms
from ocpp_core_app.store import RowStore
from ocpp_core_app.store.recorded import SessionQuery

from tests.csms.support.helpers import BOOT, RawCharger

HISTORY = 3


async def _sessions(central: csms.CentralSystem, cp_id: str, starts: list[tuple[int, str, str]]) -> list[str]:
    """Charge once per (connector, tag, start time) — an hour each — through a raw 1.6 charger."""
    cp = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", cp_id)
    await cp.call("BootNotification", BOOT)
    ids = []
    for n, (connector, tag, stamp) in enumerate(starts):
        start = {"connectorId": connector, "idTag": tag, "meterStart": n * 1000, "timestamp": stamp}
        tx_id = (await cp.call("StartTransaction", start, f"s{n}"))[2]["transactionId"]
        end = stamp.replace("T10:", "T11:")
        await cp.call("StopTransaction", {"transactionId": tx_id, "meterStop": n * 1000 + 500, "timestamp": end})
        ids.append(str(tx_id))
    await cp.close()
    return ids


async def test_every_recorded_session_newest_first_by_filters_and_pages(store: RowStore) -> None:
    config = csms.CentralSystemConfig(host="127.0.0.1", port=0, history_size=HISTORY)
    central = csms.CentralSystem(config, store)
    await central.start()
    # ten sessions on CP-A (one a day, connector 1 and 2, tags A / b), two on CP-B: more than csms keeps
    days = [(1 + n % 2, "A" if n % 3 else "b", f"2026-03-{n + 1:02d}T10:00:00Z") for n in range(10)]
    a_ids = await _sessions(central, "CP-A", days)
    # CP-B's charger writes its own offset: 10:00+02:00 is 08:00 UTC, before CP-A's 10:00Z of the same day
    b_ids = await _sessions(central, "CP-B", [(1, "A", "2026-03-05T10:00:00+02:00"), (1, "A", "2026-03-20T10:00:00Z")])
    assert len(central.transactions()) == HISTORY  # csms keeps the last few only
    await central.stop()

    found, more = await store.recorded_sessions(SessionQuery("CP-A"))
    assert [tx["transaction_id"] for tx in found] == a_ids[::-1] and not more
    assert found[0]["energy_wh"] == 500 and found[0]["id_tag"] == "b" and found[0]["stop_time"]
    # pages of four, newest first; the last page says nothing follows
    pages = [await store.recorded_sessions(SessionQuery("CP-A", page=n, size=4)) for n in range(3)]
    assert [[tx["transaction_id"] for tx in page] for page, _ in pages] == [
        a_ids[::-1][0:4], a_ids[::-1][4:8], a_ids[::-1][8:]
    ]  # fmt: skip
    assert [more for _, more in pages] == [True, True, False]
    # connector and tag (tags are case-insensitive)
    found, _ = await store.recorded_sessions(SessionQuery("CP-A", connector_id=2))
    assert [tx["transaction_id"] for tx in found] == a_ids[1::2][::-1]
    found, _ = await store.recorded_sessions(SessionQuery("CP-A", id_tag="B"))
    assert [tx["transaction_id"] for tx in found] == [a_ids[n] for n in (9, 6, 3, 0)]
    # a time range: the sessions meeting it (10:00-11:00 each day)
    march = lambda day, hour: datetime(2026, 3, day, hour, tzinfo=UTC)  # noqa: E731
    found, _ = await store.recorded_sessions(SessionQuery("CP-A", since=march(3, 0), until=march(5, 0)))
    assert [tx["transaction_id"] for tx in found] == [a_ids[3], a_ids[2]]
    found, _ = await store.recorded_sessions(SessionQuery("CP-A", since=march(3, 10), until=march(3, 10)))
    assert [tx["transaction_id"] for tx in found] == [a_ids[2]]
    # every charger: CP-B's +02:00 start sorts as the time it is (08:00 UTC), not as its text
    found, _ = await store.recorded_sessions(SessionQuery(since=march(5, 0), until=march(6, 0)))
    assert [(tx["station_id"], tx["transaction_id"]) for tx in found] == [("CP-A", a_ids[4]), ("CP-B", b_ids[0])]
    found, _ = await store.recorded_sessions(SessionQuery(since=march(5, 10), until=march(6, 0)))
    assert [tx["transaction_id"] for tx in found] == [a_ids[4]]

    # after a restart csms again keeps only its history; the store still has every session
    again = csms.CentralSystem(csms.CentralSystemConfig(host="127.0.0.1", port=0, history_size=HISTORY), store)
    await again.load()
    assert [tx["transaction_id"] for tx in again.transactions()] == [b_ids[0], a_ids[9], b_ids[1]]
    found, _ = await store.recorded_sessions(SessionQuery())
    assert len(found) == 12
    # a charger the user removes: its sessions go with it
    assert await again.forget_station("CP-A")
    await store.flush()
    found, _ = await store.recorded_sessions(SessionQuery())
    assert [tx["transaction_id"] for tx in found] == b_ids[::-1]
