"""The tag book: case-insensitive ids, statuses, expiry, parent ids, charger limits, versions, persistence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence
from custom_components.ocpp_core.csms.state.authorization import (
    Authorization,
    TokenDecision,
    id_tag_info_v16,
    id_token_info_v2,
)
from custom_components.ocpp_core.csms.state.tags import TagBook, TagError, TagRecord

PAST = datetime(2020, 1, 1, tzinfo=UTC)
FUTURE = datetime.now(UTC) + timedelta(days=365)


def test_ids_match_without_regard_to_case() -> None:
    book = TagBook()
    book.add(TagRecord(" Card-A ", name="Anna"))
    assert book.get("CARD-a") == TagRecord("Card-A", name="Anna")  # kept as entered, blanks trimmed
    with pytest.raises(TagError) as duplicate:
        book.add(TagRecord("card-a"))
    assert duplicate.value.code == "duplicate_tag"


def test_every_change_bumps_the_version_and_tells_the_listeners() -> None:
    book = TagBook()
    told: list[int] = []
    book.subscribe(lambda: told.append(book.version))
    book.add(TagRecord("A"))
    book.add(TagRecord("B"))
    book.update("a", {"status": "Blocked"})
    book.update("A", {"status": "Blocked"})  # no change: no new version
    book.remove(["b"])
    assert told == [1, 2, 3, 4]
    assert [record.id_tag for record in book] == ["A"]


def test_bad_changes_are_refused_and_change_nothing() -> None:
    book = TagBook()
    book.add(TagRecord("A"))
    cases = [
        (lambda: book.add(TagRecord("B", status="Lost")), "bad_status"),
        (lambda: book.add(TagRecord("")), "bad_id"),
        (lambda: book.add(TagRecord("X" * 37)), "bad_id"),
        (lambda: book.add(TagRecord("C", expiry=datetime(2030, 1, 1))), "bad_date"),  # no time zone
        (lambda: book.update("nobody", {"status": "Blocked"}), "unknown_tag"),
        (lambda: book.update("A", {"status": "Stolen"}), "bad_status"),
        (lambda: book.remove(["A", "nobody"]), "unknown_tag"),
    ]
    for change, code in cases:
        with pytest.raises(TagError) as refused:
            change()
        assert refused.value.code == code
    assert [record.id_tag for record in book] == ["A"]
    assert book.get("A") == TagRecord("A")
    assert book.version == 1


def test_status_expiry_and_place() -> None:
    record = TagRecord("A", expiry=PAST, chargers=frozenset({"garage"}))
    now = datetime.now(UTC)
    assert record.status_at(now) == "Expired"
    assert TagRecord("A", expiry=FUTURE).status_at(now) == "Accepted"
    assert TagRecord("A", status="Blocked", expiry=PAST).status_at(now) == "Blocked"
    assert record.allowed_at("garage") and not record.allowed_at("street")
    assert TagRecord("A").allowed_at("anywhere")


def test_decisions_without_chargers() -> None:
    auth = Authorization({})
    auth.tags.add(TagRecord("OK", parent_id="FAMILY", expiry=FUTURE))
    auth.tags.add(TagRecord("HOME", chargers=frozenset({"garage"})))
    assert auth.decide("garage", "ok") == TokenDecision("Accepted", group_id_token="FAMILY", cache_expiry=FUTURE)
    assert auth.decide("street", "home").status == "NotAtThisLocation"
    assert auth.decide("garage", "stranger").status == "Accepted"  # the library's default policy
    auth.policy.accept_unknown = False
    assert auth.decide("garage", "stranger").status == "Invalid"
    assert auth.decide("garage", "stranger", "NoAuthorization").status == "Accepted"


def test_remote_start_only_tag() -> None:
    auth = Authorization({})
    auth.set_remote_only(["HomeAssistant"])
    auth.tags.add(TagRecord("homeassistant"))  # even a tag in the book with that id is remote-start only
    assert auth.decide("garage", "HomeAssistant").status == "Invalid"
    auth.expect_remote_start("garage", "HOMEASSISTANT")
    assert auth.decide("street", "HomeAssistant").status == "Invalid"  # asked of another charger
    assert auth.decide("garage", "HomeAssistant").status == "Accepted"  # e.g. its Authorize
    assert auth.decide("garage", "HomeAssistant", starting=True, transaction_id="7").status == "Accepted"
    assert auth.decide("garage", "HomeAssistant", transaction_id="7").status == "Accepted"  # that session again
    assert auth.decide("garage", "HomeAssistant", starting=True, transaction_id="8").status == "Invalid"  # used up
    auth.expect_remote_start("garage", "HomeAssistant")  # two connectors started remotely at once
    auth.expect_remote_start("garage", "HomeAssistant")
    assert auth.decide("garage", "HomeAssistant", starting=True, transaction_id="9").status == "Accepted"
    assert auth.decide("garage", "HomeAssistant", starting=True, transaction_id="10").status == "Accepted"
    assert auth.decide("garage", "HomeAssistant", starting=True, transaction_id="11").status == "Invalid"
    auth.expect_remote_start("garage", "HomeAssistant")
    auth.remote_start_refused("garage", "HomeAssistant")  # the charger said no
    assert auth.decide("garage", "HomeAssistant").status == "Invalid"
    auth.remote_start_window = -1.0
    auth.expect_remote_start("garage", "HomeAssistant")
    assert auth.decide("garage", "HomeAssistant").status == "Invalid"  # too long ago


def test_answers_in_each_version() -> None:
    decision = TokenDecision("NotAtThisLocation", group_id_token="FAMILY", cache_expiry=FUTURE)
    assert id_tag_info_v16(decision)["status"] == "Invalid"  # 1.6 has no such status
    assert id_tag_info_v16(TokenDecision("Blocked", group_id_token="P" * 21)) == {"status": "Blocked"}
    assert id_tag_info_v16(TokenDecision("Accepted", group_id_token="FAMILY", cache_expiry=PAST)) == {
        "status": "Accepted",
        "expiryDate": "2020-01-01T00:00:00.000Z",
        "parentIdTag": "FAMILY",
    }
    assert id_token_info_v2(decision)["status"] == "NotAtThisLocation"


async def test_tags_survive_a_restart() -> None:
    persistence = MemoryPersistence()
    config = CentralSystemConfig(host="127.0.0.1", port=0)
    first = CentralSystem(config, persistence)
    await first.start()
    first.tags.add(TagRecord("Card-A", name="Anna", status="Blocked", expiry=FUTURE, parent_id="FAM"))
    first.tags.add(TagRecord("Card-B", chargers=frozenset({"garage", "street"})))
    await first.stop()

    second = CentralSystem(config, persistence)
    await second.start()
    assert list(second.tags) == list(first.tags)
    assert second.tags.version == first.tags.version == 2
    await second.stop()


def test_an_unreadable_stored_tag_is_skipped() -> None:
    book = TagBook()
    book.load({"version": 5, "tags": [{"id_tag": "A"}, {"name": "no id"}, {"id_tag": "B", "status": "Lost"}]})
    assert [record.id_tag for record in book] == ["A"]
    assert book.version == 5


async def test_a_tag_edit_through_the_api_is_saved_before_it_returns() -> None:
    """add_tag / update_tag / remove_tags write the store themselves: a central system that never stopped
    (a crash) leaves them saved for the next one."""
    persistence = MemoryPersistence()
    config = CentralSystemConfig(host="127.0.0.1", port=0)
    first = CentralSystem(config, persistence)
    await first.load()
    await first.add_tag(TagRecord("Card-A", name="Anna"))
    await first.add_tag(TagRecord("Card-B"))
    await first.update_tag("card-a", {"status": "Blocked"})
    await first.remove_tags(["CARD-B"])

    second = CentralSystem(config, persistence)  # the first one never stopped: nothing flushed at a stop
    await second.load()
    assert [(record.id_tag, record.name, record.status) for record in second.tags] == [("Card-A", "Anna", "Blocked")]
    assert second.tags.version == 4
