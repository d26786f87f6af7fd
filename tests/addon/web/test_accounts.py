"""The account book on its own: a change is saved all or nothing, tags have one owner, the forms' checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ocpp_core_app.web import user_forms
from ocpp_core_app.web.accounts import Account, AccountBook
from ocpp_core_app.web.passwords import hash_password


def test_a_change_that_cannot_be_saved_leaves_the_book_as_it_was(tmp_path: Path) -> None:
    book = AccountBook(tmp_path)
    assert book.ensure_first_admin() is not None
    before = book.path.read_text()
    (tmp_path / "web_accounts.tmp").mkdir()  # the save's temporary file cannot be written

    def add_carla() -> None:
        with book.change():
            book.accounts["carla"] = Account("carla", "user", hash_password("carla-secret-1"), ["C1"])
            book.set_tags("ha:ben-id", ["B1"])

    with pytest.raises(OSError):
        add_carla()
    assert sorted(book.accounts) == ["admin"] and book.ha_user_tags == {}
    assert book.path.read_text() == before
    # a Home Assistant user seen while the disk fails: logged, the book unchanged
    book.seen_ha_user("ben-id", "Ben")
    assert book.ha_users == {}
    (tmp_path / "web_accounts.tmp").rmdir()
    book.seen_ha_user("ben-id", "Ben")
    again = AccountBook(tmp_path)
    again.load()
    assert again.ha_users == {"ben-id": "Ben"} and sorted(again.accounts) == ["admin"]


def test_a_tag_has_one_owner_and_the_forms_say_what_is_wrong(tmp_path: Path) -> None:
    book = AccountBook(tmp_path)
    book.accounts["carla"] = Account("carla", "user", {}, ["CARLA-TAG"])
    book.ha_users["ben-id"] = "Ben"
    assert book.owner_of("carla-tag") == "local:carla"
    with pytest.raises(user_forms.FormError) as err:
        user_forms.tags(book, "ha:ben-id", "B1, carla-tag")
    assert (err.value.key, err.value.values) == ("users.error.tag_taken", {"tag": "carla-tag", "owner": "carla"})
    assert user_forms.tags(book, "local:carla", "CARLA-TAG c2;c2\nC2") == ["CARLA-TAG", "c2"]
    assert user_forms.tags(book, "ha:ben-id", "  ") == []
    with pytest.raises(user_forms.FormError, match=r"^users\.error\.tag$"):
        user_forms.tags(book, "ha:ben-id", "x" * 37)
    with pytest.raises(user_forms.FormError, match=r"^users\.error\.name_taken$"):
        user_forms.account_name(book, "Carla")
    with pytest.raises(user_forms.FormError, match=r"^users\.error\.name$"):
        user_forms.account_name(book, "-bad name")
    with pytest.raises(user_forms.FormError, match=r"^users\.error\.password_short$"):
        user_forms.new_password("short", "short")
    with pytest.raises(user_forms.FormError, match=r"^users\.error\.password_again$"):
        user_forms.new_password("long enough 1", "long enough 2")
    assert json.loads(json.dumps(book.accounts["carla"].to_dict()))["tags"] == ["CARLA-TAG"]
