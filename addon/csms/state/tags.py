"""The id tags the central system knows: who they are, whether and where they may charge.

An id tag (OCPP 1.6 idTag, 2.x idToken) is matched without regard to case, as
OCPP 1.6 defines idTags as case-insensitive (CiString20); it is shown as it was
entered.  A tag has a status (Accepted, Blocked, Expired, Invalid), an optional
expiry date (an Accepted tag past it answers Expired), an optional parent id
(1.6 parentIdTag, 2.x groupIdToken) and may be limited to some chargers.  Every
change bumps the book's version, which the local authorization lists follow
(see local_list.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..rpc.timeutil import parse_timestamp

_LOGGER = logging.getLogger(__name__)

ACCEPTED = "Accepted"
BLOCKED = "Blocked"
EXPIRED = "Expired"
INVALID = "Invalid"
TAG_STATUSES = (ACCEPTED, BLOCKED, EXPIRED, INVALID)
# OCPP 2.0.1 idToken is at most 36 characters (1.6 idTag: 20; longer ones stay out of 1.6 local lists)
MAX_ID_LENGTH = 36
MAX_ID_LENGTH_V16 = 20
MAX_NAME_LENGTH = 100


class TagError(ValueError):
    """A tag change that cannot be made; `code` says why (for translated messages), `tag` names it."""

    def __init__(self, code: str, tag: str, detail: str = "") -> None:
        super().__init__(f"{code}: {tag}{f' ({detail})' if detail else ''}")
        self.code = code
        self.tag = tag
        self.detail = detail


def tag_key(id_tag: str) -> str:
    """How tags are matched: case-insensitive, surrounding blanks ignored."""
    return id_tag.strip().casefold()


@dataclass(slots=True, frozen=True)
class TagRecord:
    id_tag: str
    name: str | None = None
    status: str = ACCEPTED
    expiry: datetime | None = None
    parent_id: str | None = None
    # the charger (station) ids it may charge at; empty: every charger
    chargers: frozenset[str] = field(default_factory=frozenset)

    @property
    def key(self) -> str:
        return tag_key(self.id_tag)

    def status_at(self, now: datetime) -> str:
        """The status now: an Accepted tag past its expiry date is Expired."""
        if self.status == ACCEPTED and self.expiry is not None and self.expiry <= now:
            return EXPIRED
        return self.status

    def allowed_at(self, station_id: str) -> bool:
        return not self.chargers or station_id in self.chargers

    def check(self) -> None:
        """TagError (bad_id, bad_status, bad_name, bad_parent) when the record cannot be kept."""
        if not self.id_tag.strip() or len(self.id_tag) > MAX_ID_LENGTH:
            raise TagError("bad_id", self.id_tag, f"1 to {MAX_ID_LENGTH} characters")
        if self.status not in TAG_STATUSES:
            raise TagError("bad_status", self.id_tag, self.status)
        if self.name is not None and len(self.name) > MAX_NAME_LENGTH:
            raise TagError("bad_name", self.id_tag, f"at most {MAX_NAME_LENGTH} characters")
        if self.parent_id is not None and (not self.parent_id.strip() or len(self.parent_id) > MAX_ID_LENGTH):
            raise TagError("bad_parent", self.id_tag, f"1 to {MAX_ID_LENGTH} characters")
        if self.expiry is not None and self.expiry.tzinfo is None:
            raise TagError("bad_date", self.id_tag, "no time zone")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id_tag": self.id_tag,
            "name": self.name,
            "status": self.status,
            "expiry_date": self.expiry.isoformat() if self.expiry is not None else None,
            "parent_id_tag": self.parent_id,
            "chargers": sorted(self.chargers),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TagRecord:
        expiry = data.get("expiry_date")
        return cls(
            id_tag=str(data["id_tag"]),
            name=data.get("name"),
            status=str(data.get("status") or ACCEPTED),
            expiry=parse_timestamp(expiry) if isinstance(expiry, str) and expiry else None,
            parent_id=data.get("parent_id_tag"),
            chargers=frozenset(str(c) for c in data.get("chargers") or ()),
        )


TagListener = Callable[[], None]
_FIELDS = frozenset({"name", "status", "expiry", "parent_id", "chargers"})


class TagBook:
    """The known tags by key, and a version bumped on every change."""

    def __init__(self) -> None:
        self._tags: dict[str, TagRecord] = {}
        self.version = 0
        self._listeners: list[TagListener] = []

    def __len__(self) -> int:
        return len(self._tags)

    def __iter__(self) -> Iterator[TagRecord]:
        """The tags sorted by id (case-insensitive)."""
        return iter(sorted(self._tags.values(), key=lambda record: record.key))

    def get(self, id_tag: str) -> TagRecord | None:
        return self._tags.get(tag_key(id_tag))

    def subscribe(self, listener: TagListener) -> Callable[[], None]:
        """`listener()` after every change (it must be quick and must not raise)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # ---- changes -----------------------------------------------------------------------

    def add(self, record: TagRecord) -> TagRecord:
        """A new tag; TagError duplicate_tag when one with that id (in any case) is known."""
        record = replace(record, id_tag=record.id_tag.strip())
        record.check()
        if record.key in self._tags:
            raise TagError("duplicate_tag", record.id_tag)
        self._tags[record.key] = record
        self._changed()
        return record

    def update(self, id_tag: str, changes: dict[str, Any]) -> TagRecord:
        """Change some fields (name, status, expiry, parent_id, chargers); TagError unknown_tag / bad_…."""
        known = self.get(id_tag)
        if known is None:
            raise TagError("unknown_tag", id_tag)
        unknown_fields = set(changes) - _FIELDS
        if unknown_fields:
            raise TagError("bad_field", id_tag, ", ".join(sorted(unknown_fields)))
        if "chargers" in changes:
            changes = {**changes, "chargers": frozenset(changes["chargers"] or ())}
        updated = replace(known, **changes)
        updated.check()
        if updated != known:
            self._tags[updated.key] = updated
            self._changed()
        return updated

    def remove(self, id_tags: Iterable[str]) -> list[TagRecord]:
        """Remove tags (all or none: TagError unknown_tag names the first unknown one)."""
        names = list(id_tags)
        for id_tag in names:
            if tag_key(id_tag) not in self._tags:
                raise TagError("unknown_tag", id_tag)
        removed = [self._tags.pop(key) for key in dict.fromkeys(tag_key(id_tag) for id_tag in names)]
        if removed:
            self._changed()
        return removed

    def _changed(self) -> None:
        self.version += 1
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                _LOGGER.exception("A tag listener failed")

    # ---- persistence -------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        return {"version": self.version, "tags": [record.to_dict() for record in self]}

    def load(self, data: Any) -> None:
        """The stored book (None: nothing stored); an unreadable tag is skipped, logged, not fatal."""
        self._tags.clear()
        if not isinstance(data, dict):
            return
        self.version = int(data.get("version") or 0)
        for item in data.get("tags") or ():
            try:
                record = TagRecord.from_dict(item)
                record.check()
            except (KeyError, TypeError, ValueError) as err:
                _LOGGER.warning("A stored tag could not be read and is skipped (%s): %r", err, item)
                continue
            self._tags[record.key] = record
