"""OCPP 2.0.1 / 2.1: every tag status at Authorize and at TransactionEvent (start and late authorisation),
the tag policy, NoAuthorization and remote-start-only tags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ocpp_core.csms import CentralSystem, Event, EventType, TagRefused
from custom_components.ocpp_core.csms.state.tags import TagRecord

from .support.helpers import wait_for
from .support.helpers_v201 import VERSIONS, booted, settled
from .support.tags import with_tag_book

FUTURE = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
PAST = datetime.now(UTC) - timedelta(minutes=1)
BOOK = [
    TagRecord("OK", name="Anna", parent_id="FAMILY", expiry=FUTURE),
    TagRecord("BLOCKED", status="Blocked"),
    TagRecord("EXPIRED", status="Expired"),
    TagRecord("LAPSED", expiry=PAST),
    TagRecord("INVALID", status="Invalid"),
    TagRecord("ELSEWHERE", chargers=frozenset({"another-station"})),
]
CASES = [
    ("ok", "Accepted"),
    ("BLOCKED", "Blocked"),
    ("EXPIRED", "Expired"),
    ("LAPSED", "Expired"),
    ("INVALID", "Invalid"),
    ("ELSEWHERE", "NotAtThisLocation"),
    ("STRANGER", "Invalid"),
]


@pytest.fixture
def tag_book(central: CentralSystem) -> CentralSystem:
    return with_tag_book(central, BOOK)


def _authorize_events(central: CentralSystem) -> list[Event]:
    events: list[Event] = []
    central.events.subscribe(lambda event: events.append(event) if event.type is EventType.AUTHORIZE else None)
    return events


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("tag", "status"), CASES)
async def test_authorize(tag_book: CentralSystem, url: str, version: str, tag: str, status: str) -> None:
    events = _authorize_events(tag_book)
    station = await booted(tag_book, url, "st-auth", version)
    answer = await station.authorize(tag, "ISO14443")
    assert answer.id_token_info["status"] == status
    assert events[-1].data["status"] == status
    if status == "Accepted":
        assert answer.id_token_info == {
            "status": "Accepted",
            "cache_expiry_date_time": "2031-05-06T07:08:09.000Z",
            "group_id_token": {"id_token": "FAMILY", "type": "Central"},
        }
    await station.close()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("tag", "status"), CASES)
async def test_transaction_event(tag_book: CentralSystem, url: str, version: str, tag: str, status: str) -> None:
    """At the start and at a late authorisation; a refused session is recorded as the station reports it."""
    events = _authorize_events(tag_book)
    station = await booted(tag_book, url, "st-tx", version, evses=2)
    tx_id = await station.start_transaction(1, tag)
    assert station.event_answers[-1].id_token_info["status"] == status
    evse = tag_book.stations["st-tx"].connectors[1]
    assert evse.transaction is not None and evse.transaction.transaction_id == tx_id
    await station.start_transaction(2, None, trigger_reason="CablePluggedIn")
    await station.authorize_transaction(2, tag)
    assert station.event_answers[-1].id_token_info["status"] == status
    refused = [e.data for e in events if e.data.get("action") == "TransactionEvent"]
    assert refused == (
        []
        if status == "Accepted"
        else [
            {"id_tag": tag, "status": status, "action": "TransactionEvent", "connector_id": 1},
            {"id_tag": tag, "status": status, "action": "TransactionEvent", "connector_id": 2},
        ]
    )
    await station.close()


async def test_unknown_tags_accepted_by_policy_and_no_authorization(tag_book: CentralSystem, url: str) -> None:
    station = await booted(tag_book, url, "st-policy")
    assert (await station.authorize("STRANGER", "NoAuthorization")).id_token_info == {"status": "Accepted"}
    tag_book.state.authorization.policy.accept_unknown = True
    assert (await station.authorize("STRANGER", "KeyCode")).id_token_info == {"status": "Accepted"}
    assert (await station.authorize("BLOCKED", "ISO14443")).id_token_info["status"] == "Blocked"
    await station.close()


async def test_a_tag_in_a_session_elsewhere(tag_book: CentralSystem, url: str) -> None:
    tag_book.state.authorization.policy.refuse_concurrent = True
    first = await booted(tag_book, url, "st-one", evses=2)
    second = await booted(tag_book, url, "st-two")
    await first.start_transaction(1, "OK")
    assert first.event_answers[-1].id_token_info["status"] == "Accepted"
    await first.update_transaction(1, trigger_reason="Authorized", id_token={"id_token": "OK", "type": "ISO14443"})
    assert first.event_answers[-1].id_token_info["status"] == "Accepted"  # its own session is not elsewhere
    assert (await second.authorize("ok")).id_token_info["status"] == "ConcurrentTx"
    await first.start_transaction(2, "OK")
    assert first.event_answers[-1].id_token_info["status"] == "ConcurrentTx"
    await first.close()
    await second.close()


async def test_remote_start_tag_only_for_remote_starts(tag_book: CentralSystem, url: str) -> None:
    tag_book.state.authorization.set_remote_only(["HomeAssistant"])
    station = await booted(tag_book, url, "st-remote", evses=2)
    assert (await station.authorize("HomeAssistant", "ISO14443")).id_token_info["status"] == "Invalid"
    answer = await tag_book.remote_start("st-remote", 1, "HomeAssistant")
    assert answer["status"] == "Accepted"
    evse = tag_book.stations["st-remote"].connectors[1]
    await wait_for(lambda: evse.transaction is not None and len(station.event_answers) > 0)
    assert station.event_answers[-1].id_token_info == {"status": "Accepted"}
    await station.update_transaction(
        1, trigger_reason="Authorized", id_token={"id_token": "HomeAssistant", "type": "Central"}
    )
    assert station.event_answers[-1].id_token_info == {"status": "Accepted"}  # the same session
    await station.start_transaction(2, "HomeAssistant", "Central")  # not asked for: the remote start is used up
    assert station.event_answers[-1].id_token_info["status"] == "Invalid"
    await station.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_remote_start_with_a_refused_tag_is_not_sent(tag_book: CentralSystem, url: str, version: str) -> None:
    station = await booted(tag_book, url, "st-refused", version=version)
    for tag, status in [("BLOCKED", "Blocked"), ("ELSEWHERE", "NotAtThisLocation"), ("STRANGER", "Invalid")]:
        with pytest.raises(TagRefused) as err:
            await tag_book.remote_start("st-refused", 1, tag)
        assert err.value.status == status
    assert station.remote_starts == []
    assert (await tag_book.remote_start("st-refused", 1, "OK"))["status"] == "Accepted"
    evse = tag_book.stations["st-refused"].connectors[1]
    await wait_for(lambda: evse.transaction is not None and len(station.event_answers) > 0)  # its session started
    await settled(station)
    await station.close()
