"""OCPP 1.6J: every tag status at Authorize and at StartTransaction, the tag policy, remote-start-only tags."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ocpp_core.csms import CentralSystem, Event, EventType, TagRefused
from custom_components.ocpp_core.csms.state.tags import TagRecord
from sim.charger16 import SimulatedChargePoint, connect

from .support.helpers import wait_for
from .support.tags import with_tag_book

FUTURE = datetime.now(UTC) + timedelta(days=30)
PAST = datetime(2020, 1, 1, tzinfo=UTC)
BOOK = [
    TagRecord("OK", name="Anna", parent_id="FAMILY", expiry=FUTURE),
    TagRecord("BLOCKED", status="Blocked"),
    TagRecord("EXPIRED", status="Expired"),
    TagRecord("LAPSED", expiry=PAST),  # Accepted until its expiry date
    TagRecord("INVALID", status="Invalid"),
    TagRecord("ELSEWHERE", chargers=frozenset({"another-charger"})),
]
# (tag as presented, status answered)
CASES = [
    ("ok", "Accepted"),  # ids are case-insensitive
    ("BLOCKED", "Blocked"),
    ("EXPIRED", "Expired"),
    ("LAPSED", "Expired"),
    ("INVALID", "Invalid"),
    ("ELSEWHERE", "Invalid"),  # not allowed at this charger (2.x: NotAtThisLocation)
    ("STRANGER", "Invalid"),  # unknown, refused by the policy
]


@pytest.fixture
def tag_book(central: CentralSystem) -> CentralSystem:
    return with_tag_book(central, BOOK)


@pytest.fixture
async def charger(tag_book: CentralSystem, url: str) -> AsyncIterator[SimulatedChargePoint]:
    cp, task, ws = await connect(url, "cp-tags", connectors=2)
    await cp.boot()
    yield cp
    await ws.close()
    task.cancel()


def _authorize_events(central: CentralSystem) -> list[Event]:
    events: list[Event] = []
    central.events.subscribe(lambda event: events.append(event) if event.type is EventType.AUTHORIZE else None)
    return events


@pytest.mark.parametrize(("tag", "status"), CASES)
async def test_authorize(tag_book: CentralSystem, charger: SimulatedChargePoint, tag: str, status: str) -> None:
    events = _authorize_events(tag_book)
    answer = await charger.authorize(tag)
    assert answer.id_tag_info["status"] == status
    assert events[-1].data == {"id_tag": tag, "status": status}
    if status == "Accepted":
        assert answer.id_tag_info == {
            "status": "Accepted",
            "expiry_date": FUTURE.strftime("%Y-%m-%dT%H:%M:%S.") + f"{FUTURE.microsecond // 1000:03d}Z",
            "parent_id_tag": "FAMILY",
        }


@pytest.mark.parametrize(("tag", "status"), CASES)
async def test_start_transaction(tag_book: CentralSystem, charger: SimulatedChargePoint, tag: str, status: str) -> None:
    """A refused start is still recorded (the charger has started it) and the charger stops it."""
    charger.sim.configuration["StopTransactionOnInvalidId"].value = "true"
    events = _authorize_events(tag_book)
    tx_id = await charger.start_transaction(1, tag)
    assert charger.last_id_tag_info["status"] == status
    connector = tag_book.stations["cp-tags"].connectors[1]
    if status == "Accepted":
        assert connector.transaction is not None and connector.transaction.transaction_id == str(tx_id)
        assert events == []
        return
    assert connector.transaction is None
    recorded = tag_book.transactions("cp-tags")
    assert [(t["transaction_id"], t["id_tag"], t["stop_reason"]) for t in recorded] == [
        (str(tx_id), tag, "DeAuthorized")
    ]
    assert [e.data for e in events] == [
        {"id_tag": tag, "status": status, "action": "StartTransaction", "connector_id": 1}
    ]


async def test_unknown_tags_accepted_by_policy(tag_book: CentralSystem, charger: SimulatedChargePoint) -> None:
    tag_book.state.authorization.policy.accept_unknown = True
    assert (await charger.authorize("STRANGER")).id_tag_info == {"status": "Accepted"}
    await charger.start_transaction(1, "STRANGER")
    assert charger.last_id_tag_info == {"status": "Accepted"}
    assert (await charger.authorize("BLOCKED")).id_tag_info["status"] == "Blocked"  # known tags keep theirs


async def test_a_tag_in_a_session_elsewhere(tag_book: CentralSystem, url: str, charger: SimulatedChargePoint) -> None:
    other, task, ws = await connect(url, "cp-other")
    await other.boot()
    for cp in (charger, other):
        cp.sim.configuration["StopTransactionOnInvalidId"].value = "true"  # a refused session ends at once
    tag_book.state.authorization.policy.refuse_concurrent = True
    await charger.start_transaction(1, "OK")
    assert charger.last_id_tag_info["status"] == "Accepted"
    assert (await other.authorize("OK")).id_tag_info["status"] == "ConcurrentTx"
    await other.start_transaction(1, "ok")
    assert other.last_id_tag_info["status"] == "ConcurrentTx"
    # the same charger may be asked about the tag that is to end its session; another connector may not start
    assert (await charger.authorize("OK")).id_tag_info["status"] == "Accepted"
    await charger.start_transaction(2, "OK")
    assert charger.last_id_tag_info["status"] == "ConcurrentTx"
    tag_book.state.authorization.policy.refuse_concurrent = False
    assert (await other.authorize("OK")).id_tag_info["status"] == "Accepted"
    await ws.close()
    task.cancel()


async def test_remote_start_tag_only_for_remote_starts(tag_book: CentralSystem, charger: SimulatedChargePoint) -> None:
    auth = tag_book.state.authorization
    auth.set_remote_only(["HomeAssistant"])
    assert (await charger.authorize("HomeAssistant")).id_tag_info["status"] == "Invalid"  # presented at the charger
    await charger.start_transaction(2, "homeassistant")
    assert charger.last_id_tag_info["status"] == "Invalid"

    assert await tag_book.remote_start("cp-tags", 1, "HomeAssistant") == {"status": "Accepted"}
    connector = tag_book.stations["cp-tags"].connectors[1]
    # the charger has its answer (not only the central system its record)
    await wait_for(lambda: connector.transaction is not None and charger.sim.connectors[1].transaction_id is not None)
    assert charger.last_id_tag_info == {"status": "Accepted"}
    tx_id = charger.sim.connectors[1].transaction_id
    assert tx_id is not None
    # the remote start is used up by its session: the tag at the charger is refused again
    assert (await charger.authorize("HomeAssistant")).id_tag_info["status"] == "Invalid"
    await charger.stop_transaction(1, id_tag="HomeAssistant")
    assert charger.last_id_tag_info == {"status": "Accepted"}  # ending its own session is fine


@pytest.mark.parametrize(("tag", "status"), [c for c in CASES if c[1] != "Accepted"])
async def test_a_remote_start_with_a_refused_tag_is_not_sent(
    tag_book: CentralSystem, charger: SimulatedChargePoint, tag: str, status: str
) -> None:
    """Else the charger starts, is told the tag is refused and stops at once: a 0 Wh transaction."""
    with pytest.raises(TagRefused) as err:
        await tag_book.remote_start("cp-tags", 1, tag)
    # the reason as the central system decided it (1.6 would tell the charger Invalid for NotAtThisLocation)
    assert (err.value.id_tag, err.value.status) == (tag, "NotAtThisLocation" if tag == "ELSEWHERE" else status)
    assert charger.remote_starts == []
    connector = tag_book.stations["cp-tags"].connectors.get(1)
    assert connector is None or connector.transaction is None
    # a tag that would be accepted still goes out
    assert await tag_book.remote_start("cp-tags", 1, "OK") == {"status": "Accepted"}
