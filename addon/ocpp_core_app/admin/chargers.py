"""What the admin keeps about a charger beyond csms's settings: a comment and its client certificate's thumbprint.

Kept in the store's `charger_notes` table (written before the page says it is saved).  The thumbprint is the
SHA-1 or SHA-256 fingerprint of the certificate the charger presents (security profile 3), written as hex with
or without colons; kept as lowercase hex, shown with colons.  It is a record for the admin: the TLS check itself
is the CA's (the add-on's cafile).
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from typing import Any

from ..store import RowStore, sql

MAX_COMMENT = 500
_HEX = frozenset(string.hexdigits)


class NoteError(ValueError):
    """A bad field; `code` names what is wrong (the pages translate it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class ChargerNotes:
    comment: str | None = None
    thumbprint: str | None = None  # lowercase hex, 40 or 64 digits

    @property
    def thumbprint_shown(self) -> str:
        text = self.thumbprint or ""
        return ":".join(text[i : i + 2] for i in range(0, len(text), 2)).upper()


def parse_thumbprint(text: str | None) -> str | None:
    """Hex of 40 (SHA-1) or 64 (SHA-256) digits, colons and blanks ignored; NoteError bad_thumbprint."""
    digits = "".join(c for c in (text or "") if c not in ": \t").lower()
    if not digits:
        return None
    if len(digits) not in (40, 64) or not set(digits) <= _HEX:
        raise NoteError("bad_thumbprint")
    return digits


def parse_comment(text: str | None) -> str | None:
    comment = (text or "").strip()
    if len(comment) > MAX_COMMENT:
        raise NoteError("bad_comment")
    return comment or None


class NoteBook:
    """The notes by charger id, loaded once; `save` writes before it changes what the pages show."""

    def __init__(self, store: RowStore | None) -> None:
        self._store = store
        self._notes: dict[str, ChargerNotes] = {}

    async def load(self) -> None:
        if self._store is None:
            return
        for station_id, data in await self._store.select(sql.SELECT_NOTES):
            value: dict[str, Any] = json.loads(data)
            self._notes[str(station_id)] = ChargerNotes(value.get("comment"), value.get("thumbprint"))

    def get(self, station_id: str) -> ChargerNotes:
        return self._notes.get(station_id) or ChargerNotes()

    async def save(self, station_id: str, notes: ChargerNotes) -> None:
        """Written durably first (StoreError: nothing changed)."""
        if self._store is not None:
            if notes == ChargerNotes():
                await self._store.write([(sql.DELETE_NOTES, (station_id,))])
            else:
                data = json.dumps({"comment": notes.comment, "thumbprint": notes.thumbprint}, sort_keys=True)
                await self._store.write([(sql.UPSERT_NOTES, (station_id, data))])
        if notes == ChargerNotes():
            self._notes.pop(station_id, None)
        else:
            self._notes[station_id] = notes
