"""The Users page's forms checked before anything changes: an account's name, password and role, the tags linked
to an account or a Home Assistant user. A FormError names the translation key and the field it is about."""

from __future__ import annotations

import re

from .accounts import AccountBook
from .passwords import MIN_LENGTH
from .registry import ROLES

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# OCPP 2.x's IdToken is up to 36 characters (1.6's idTag 20)
TAG = re.compile(r"^[^\s,;]{1,36}$")
MAX_TAGS = 100


class FormError(Exception):
    def __init__(self, key: str, field: str | None = None, **values: object) -> None:
        super().__init__(key)
        self.key, self.field, self.values = key, field, values


def account_name(book: AccountBook, text: str) -> str:
    if not NAME.match(text):
        raise FormError("users.error.name", "name")
    if any(name.casefold() == text.casefold() for name in book.accounts):
        raise FormError("users.error.name_taken", "name", name=text)
    return text


def new_password(password: str, again: str) -> str:
    if len(password) < MIN_LENGTH:
        raise FormError("users.error.password_short", "password", min=MIN_LENGTH)
    if len(password) > 1024:
        raise FormError("users.error.password_long", "password")
    if password != again:
        raise FormError("users.error.password_again", "password_again")
    return password


def role(text: str) -> str:
    if text not in ROLES:
        raise FormError("users.error.role", "role")
    return text


def tags(book: AccountBook, owner: str, text: str) -> list[str]:
    """The tags of the form's text (commas, spaces or lines between them), none linked to someone else."""
    found: list[str] = []
    for tag in re.split(r"[\s,;]+", text.strip()):
        if not tag:
            continue
        if not TAG.match(tag):
            raise FormError("users.error.tag", "tags", tag=tag[:40])
        other = book.owner_of(tag)
        if other is not None and other != owner:
            raise FormError("users.error.tag_taken", "tags", tag=tag, owner=owner_name(book, other))
        if tag.casefold() not in {t.casefold() for t in found}:
            found.append(tag)
    if len(found) > MAX_TAGS:
        raise FormError("users.error.too_many_tags", "tags", max=MAX_TAGS)
    return found


def owner_name(book: AccountBook, key: str) -> str:
    source, _, name = key.partition(":")
    return name if source == "local" else book.ha_users.get(name, name)
