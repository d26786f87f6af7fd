"""The inbox: unknown chargers that tried to connect and unknown tags that tried to charge, and the admin's answer.

A charger lands here when the boot policy keeps it out (ask: Pending, reject: Rejected) or the socket refuses
an id nobody knows (no password for it, the max_stations cap); a tag when a charger presents one the tag book does
not hold (Authorize, a session's start), whatever the answer was.  Entries are in the store (`inbox` table),
written a moment after they change; a decision is written before it is acted on and kept:

- accepting a charger makes it Accepted (at once when it waits connected: it is asked to boot again; else at
  its next boot), optionally with the password it is to connect with; one the max_stations cap refused is let
  in past the cap from then on (the admin's decision, not a flood of made-up ids);
- refusing a charger keeps it out: every boot of it is answered Rejected;
- accepting a tag adds it to the tag book (or makes a blocked one Accepted); refusing it adds it Blocked.

A flood of made-up ids cannot fill memory or the disk: past `MAX_WAITING` undecided entries of a kind the
oldest goes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from ..central_import import csms
from ..store import RowStore, StoreError, sql

_LOGGER = logging.getLogger(__name__)

CHARGER, TAG = "charger", "tag"
ACCEPTED, REFUSED = "accepted", "refused"
# undecided entries kept per kind (the oldest goes first)
MAX_WAITING = 200
WRITE_DELAY = 1.0  # s between a new attempt and its write
# why a charger is here (the pages translate these)
PENDING, REJECTED = "pending", "rejected"
# the socket's refusals of an id nobody knows
SOCKET_REASONS = frozenset({"no_password_set", "not_admitted", "missing_credentials", "wrong_password"})
# refused because max_stations chargers are known already
MAX_STATIONS = "max_stations"


class InboxError(Exception):
    """An action that cannot be done; `code` says why (the pages translate it)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(slots=True)
class InboxEntry:
    kind: str
    key: str  # the charger id, or the tag's key (tags match without regard to case)
    shown: str  # as it came
    first_seen: datetime
    last_seen: datetime
    attempts: int = 1
    # charger: reason, remote, vendor, model; tag: station, action, status (what it was answered)
    detail: dict[str, Any] = field(default_factory=dict)
    decision: str | None = None

    def row(self) -> tuple[Any, ...]:
        return (
            self.kind,
            self.key,
            self.shown,
            self.first_seen.isoformat(),
            self.last_seen.isoformat(),
            self.attempts,
            json.dumps(self.detail, sort_keys=True),
            self.decision,
        )

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> InboxEntry:
        kind, key, shown, first, last, attempts, detail, decision = row
        return cls(
            str(kind),
            str(key),
            str(shown),
            datetime.fromisoformat(first),
            datetime.fromisoformat(last),
            int(attempts),
            json.loads(detail),
            decision,
        )


def _key(kind: str, shown: str) -> str:
    return csms.TagRecord(shown).key if kind == TAG else shown


class Inbox:
    """Held in memory, written to the store; subscribe `on_event` to the central system's events."""

    def __init__(self, central: Any, store: RowStore | None) -> None:
        self._central = central
        self._store = store
        self._entries: dict[tuple[str, str], InboxEntry] = {}
        self._dirty: set[tuple[str, str]] = set()
        self._removed: set[tuple[str, str]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None

    async def load(self) -> None:
        if self._store is not None:
            for row in await self._store.select(sql.SELECT_INBOX):
                entry = InboxEntry.from_row(row)
                self._entries[(entry.kind, entry.key)] = entry

    # ---- queries -------------------------------------------------------------------------

    def entries(self, kind: str, *, decided: bool | None = None) -> list[InboxEntry]:
        """Newest attempt first; `decided` False: the waiting ones only, True: the decided ones only."""
        found = [
            e
            for e in self._entries.values()
            if e.kind == kind and (decided is None or (e.decision is not None) == decided)
        ]
        return sorted(found, key=lambda e: e.last_seen, reverse=True)

    def get(self, kind: str, shown: str) -> InboxEntry | None:
        return self._entries.get((kind, _key(kind, shown)))

    def decision(self, kind: str, shown: str) -> str | None:
        entry = self.get(kind, shown)
        return entry.decision if entry is not None else None

    # ---- what happened -----------------------------------------------------------------------

    def note_charger(self, station_id: str, reason: str, **detail: Any) -> None:
        """An unknown charger kept out (boot policy) or refused at the socket."""
        self._note(CHARGER, station_id, {"reason": reason, **{k: v for k, v in detail.items() if v is not None}})

    def over_max_stations(self, station_id: str) -> bool:
        """csms asks about a new id its max_stations cap would refuse: an accepted one gets in, any other is noted
        (once a second written at most; a flood of made-up ids keeps MAX_WAITING entries)."""
        if self.decision(CHARGER, station_id) == ACCEPTED:
            return True
        self.note_charger(station_id, MAX_STATIONS)
        return False

    def note_tag(self, id_tag: str, station_id: str, action: str, status: str) -> None:
        """A tag the tag book does not hold, presented at a charger."""
        self._note(TAG, id_tag, {"station": station_id, "action": action, "status": status})

    def on_event(self, event: Any) -> None:
        if event.type == csms.EventType.AUTHORIZE:
            id_tag = event.data.get("id_tag")
            if isinstance(id_tag, str) and id_tag.strip() and self._central.tags.get(id_tag) is None:
                action = str(event.data.get("action") or "Authorize")
                self.note_tag(id_tag, event.station_id, action, str(event.data.get("status") or ""))
        elif event.type == csms.EventType.AUTHENTICATION and not event.data.get("ok"):
            reason = str(event.data.get("reason"))
            if reason in SOCKET_REASONS and event.station_id not in self._central.stations:
                self.note_charger(event.station_id, reason, remote=event.data.get("remote"))

    def _note(self, kind: str, shown: str, detail: dict[str, Any]) -> None:
        now = datetime.now(UTC)
        key = (kind, _key(kind, shown))
        entry = self._entries.get(key)
        if entry is None:
            self._make_room(kind)
            entry = self._entries[key] = InboxEntry(kind, key[1], shown, now, now, 0, {})
        entry.attempts += 1
        entry.last_seen = now
        entry.shown = shown
        entry.detail = {**entry.detail, **detail}
        self._dirty.add(key)
        self._schedule()

    def _make_room(self, kind: str) -> None:
        waiting = self.entries(kind, decided=False)
        for entry in waiting[MAX_WAITING - 1 :]:
            key = (entry.kind, entry.key)
            del self._entries[key]
            self._dirty.discard(key)
            self._removed.add(key)

    def boot_policy(self, unknown_chargers: str | Callable[[], str]) -> Any:
        """csms's boot policy: a refused charger Rejected, an accepted one (or one accepted before) Accepted, an
        unknown one as the option says (accept / reject / ask: Pending; a callable: the option now, which may
        change while the central system runs) and, kept out, into the inbox."""

        def option() -> str:
            return unknown_chargers if isinstance(unknown_chargers, str) else unknown_chargers()

        def policy(station_id: str, boot: dict[str, Any]) -> str:
            chosen = option()
            decided = self.decision(CHARGER, station_id)
            if decided == REFUSED:
                return str(csms.RegistrationStatus.REJECTED)
            station = self._central.stations.get(station_id)
            known = station is not None and station.registration_status == csms.RegistrationStatus.ACCEPTED
            if known or decided == ACCEPTED or chosen == "accept":
                return str(csms.RegistrationStatus.ACCEPTED)
            nested = boot.get("chargingStation")  # 2.x nests what 1.6 sends at the top
            identity: dict[str, Any] = nested if isinstance(nested, dict) else boot
            rejected = chosen == "reject"
            self.note_charger(
                station_id,
                REJECTED if rejected else PENDING,
                vendor=identity.get("chargePointVendor") or identity.get("vendorName"),
                model=identity.get("chargePointModel") or identity.get("model"),
            )
            return str(csms.RegistrationStatus.REJECTED if rejected else csms.RegistrationStatus.PENDING)

        return policy

    # ---- the admin's decisions ---------------------------------------------------------------

    async def accept_charger(self, station_id: str, password: str | None = None) -> dict[str, Any] | None:
        """Accepted from now on (see the module); the charger's answer to the new boot request, if asked."""
        if password:
            try:
                csms.validate_password(password, push=False)
            except csms.InvalidPassword as err:
                raise InboxError("bad_password", str(err)) from err
        await self._decide(CHARGER, station_id, ACCEPTED)
        if password:
            await self._central.credentials.set_password(station_id, password)
        if station_id in self._central.stations:
            answer: dict[str, Any] | None = await self._central.accept_station(station_id)
            return answer
        return None

    async def refuse_charger(self, station_id: str) -> None:
        await self._decide(CHARGER, station_id, REFUSED)
        station = self._central.stations.get(station_id)
        if station is not None and station.registration_status != csms.RegistrationStatus.ACCEPTED:
            self._central.state.activity.set_registration(station_id, csms.RegistrationStatus.REJECTED)

    async def accept_tag(self, id_tag: str, name: str | None = None) -> None:
        """Into the tag book, Accepted (a known tag: made Accepted)."""
        await self._tag_status(id_tag, csms.ACCEPTED, name)
        await self._decide(TAG, id_tag, ACCEPTED)

    async def refuse_tag(self, id_tag: str) -> None:
        """Into the tag book, Blocked: refused at every charger (and in their local lists)."""
        await self._tag_status(id_tag, "Blocked", None)
        await self._decide(TAG, id_tag, REFUSED)

    async def forget(self, kind: str, shown: str) -> None:
        """Remove the entry (its decision too: an id that comes again is asked about again)."""
        key = (kind, _key(kind, shown))
        if key not in self._entries:
            raise InboxError("unknown_entry", shown)
        if self._store is not None:
            await self._store.write([(sql.DELETE_INBOX, key)])
        del self._entries[key]
        self._dirty.discard(key)

    async def _tag_status(self, id_tag: str, status: str, name: str | None) -> None:
        central = self._central
        try:
            if central.tags.get(id_tag) is None:
                await central.add_tag(csms.TagRecord(id_tag.strip(), name=(name or "").strip() or None, status=status))
            else:
                await central.update_tag(id_tag, {"status": status})
        except csms.TagError as err:
            raise InboxError(err.code, err.tag) from err

    async def _decide(self, kind: str, shown: str, decision: str) -> None:
        """Written before anything is done; a failed write changes nothing (StoreError)."""
        key = (kind, _key(kind, shown))
        entry = self._entries.get(key)
        if entry is None:
            now = datetime.now(UTC)
            entry = InboxEntry(kind, key[1], shown.strip(), now, now, 0, {})
        decided = replace(entry, decision=decision)
        if self._store is not None:
            await self._store.write([(sql.UPSERT_INBOX, decided.row())])
        self._entries[key] = decided
        self._dirty.discard(key)
        _LOGGER.info("Inbox: %s %s %s", kind, shown, decision)

    # ---- writing -------------------------------------------------------------------------

    def _schedule(self) -> None:
        if self._store is None or self._timer is not None or (self._task is not None and not self._task.done()):
            return
        self._timer = asyncio.get_running_loop().call_later(WRITE_DELAY, self._start_write)

    def _start_write(self) -> None:
        self._timer = None
        self._task = asyncio.get_running_loop().create_task(self.flush(), name="ocpp-inbox-write")

    async def flush(self) -> None:
        """Write what changed (also at the stop); a failed write is kept for the next one."""
        if self._store is None or not (self._dirty or self._removed):
            return
        dirty, removed = set(self._dirty), set(self._removed)
        statements: list[tuple[str, Any]] = [(sql.DELETE_INBOX, key) for key in removed]
        statements += [(sql.UPSERT_INBOX, self._entries[key].row()) for key in dirty if key in self._entries]
        try:
            await self._store.write(statements)
        except StoreError as err:
            _LOGGER.warning("The inbox could not be written (%s); kept for the next try", err)
            return
        self._dirty -= dirty
        self._removed -= removed

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None and not self._task.done():
            await self._task
        await self.flush()
