"""Keeping chargers' local authorization lists in step with the tag book (SendLocalList).

Only for chargers whose `Station.settings.push_local_list` is on, that are
Accepted and connected, and that support it: 1.6 the LocalAuthListManagement
feature profile with LocalAuthListEnabled not false (GetLocalListVersion -1:
not supported), 2.x LocalAuthListCtrlr Enabled / Available not false.

A sync happens when the tags change, when such a charger boots (1.6: once its
configuration is read, so its limits are known; 2.x: on an Accepted boot), when
it reconnects without booting, and when the setting is switched on.  A boot asks
the charger for its list version first.  The list each charger gets holds the
tags valid there (not those limited to other chargers), Accepted first when it
is longer than the charger's LocalAuthListMaxLength / LocalAuthListCtrlr.Entries
allows, 1.6 ids of at most 20 characters.  When the charger has exactly the
version last pushed to it, only the differences are sent (Differential),
otherwise the whole list (Full); more entries than the charger takes in one
message (SendLocalListMaxLength / LocalAuthListCtrlr.ItemsPerMessage) go as a
Full message followed by Differential ones.  Each message carries a version
above the charger's (the tag book's version when that is higher).

The outcome is kept per charger (`result`) and announced as a LOCAL_LIST event
with a `status`; a refusal or failure is logged and never breaks anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model.events import Event, EventType, booted_and_read
from ..model.station import RegistrationStatus, Station
from ..rpc.timeutil import format_timestamp, parse_timestamp, utcnow
from ..rpc.types import CallError, CallTimeout, InvalidCall, NotConnected
from ..state.authorization import TokenDecision
from ..state.tags import ACCEPTED, TagRecord
from .charger import LocalListLimits as Limits

if TYPE_CHECKING:
    from .port import Central

_LOGGER = logging.getLogger(__name__)

# the events this module acts on (the steady stream of meter values never reaches it)
_EVENTS = (
    EventType.CONNECTED,
    EventType.DISCONNECTED,
    EventType.SETTINGS_CHANGED,
    EventType.CONFIGURATION,
    EventType.BOOTED,
)


# how long a charger that reconnected may take to boot before its list is brought up to date anyway
BOOT_GRACE = 10.0
# a sync asked for while one runs is done after it; a bounded number of times in a row
_MAX_ROUNDS = 5
# the token type of the 2.x list entries (an RFID card, as presented at a home charger)
TOKEN_TYPE_V2 = "ISO14443"
# list versions (and the charger's limits) are int32
_VERSION_MAX = 2_147_483_647

# one list entry, version-neutral: id_tag, status, expiry (ISO or None), parent (or None)
Entry = dict[str, Any]


class NotSupported(Exception):
    """The charger does not take local lists (the reason is the message)."""


@dataclass(slots=True)
class PushedList:
    """What a charger was last sent and accepted: its version and entries by tag key."""

    version: int
    entries: dict[str, Entry] = field(default_factory=dict)


class LocalListPusher:
    """Pushes the tag book to the chargers that want it (see the module's docstring)."""

    def __init__(self, central: Central) -> None:
        self._central = central
        self.boot_grace = BOOT_GRACE
        self._pushed: dict[str, PushedList] = {}
        # per charger, the outcome of the last push: status, list_version, update_type, entries, time, detail
        self.results: dict[str, dict[str, Any]] = {}
        self._wanted: dict[str, bool] = {}  # station id -> ask the charger's version first
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._booted: dict[str, asyncio.Event] = {}
        self._waiting: dict[str, asyncio.Task[None]] = {}
        central.state.store.register_section("local_lists", self._load, self._dump)
        central.events.subscribe(self._on_event, _EVENTS)
        central.state.authorization.tags.subscribe(self._on_tags_changed)

    def close(self) -> None:
        for task in (*self._tasks.values(), *self._waiting.values()):
            task.cancel()
        self._tasks.clear()
        self._waiting.clear()

    def pushed_version(self, station_id: str) -> int | None:
        pushed = self._pushed.get(station_id)
        return pushed.version if pushed is not None else None

    async def sync_now(self, station_id: str, check_version: bool = True) -> dict[str, Any] | None:
        """Bring one charger's list up to date now (whatever its setting); its result, None when nothing was done."""
        await self._sync(station_id, check_version, forced=True)
        return self.results.get(station_id)

    # ---- triggers ----------------------------------------------------------------------

    def _wants_list(self, station: Station | None) -> bool:
        return (
            station is not None
            and station.settings.push_local_list
            and station.registration_status == RegistrationStatus.ACCEPTED
            and self._central.is_connected(station.station_id)
        )

    def _on_tags_changed(self) -> None:
        for station_id, station in self._central.stations.items():
            if self._wants_list(station):
                self._schedule(station_id, check_version=False)

    def _on_event(self, event: Event) -> None:
        station_id, kind = event.station_id, event.type
        station = self._central.stations.get(station_id)
        if kind in (EventType.DISCONNECTED, EventType.CONNECTED):
            # a connection that replaced another comes without DISCONNECTED: its wait ends here too
            waiting = self._waiting.pop(station_id, None)
            if waiting is not None:
                waiting.cancel()
        if kind is EventType.DISCONNECTED or station is None or not station.settings.push_local_list:
            return
        if kind is EventType.CONNECTED:
            self._booted[station_id] = asyncio.Event()
            self._waiting[station_id] = asyncio.get_running_loop().create_task(self._after_reconnect(station_id))
        elif booted_and_read(event, station.ocpp_version):
            self._booted.setdefault(station_id, asyncio.Event()).set()
            self._schedule(station_id, check_version=True)
        elif kind is EventType.SETTINGS_CHANGED and "push_local_list" in event.data.get("changed", ()):
            self._schedule(station_id, check_version=True)

    async def _after_reconnect(self, station_id: str) -> None:
        """A charger that reconnects without booting gets the changes it missed."""
        booted = self._booted[station_id]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(booted.wait(), self.boot_grace)
        self._waiting.pop(station_id, None)
        if not booted.is_set():
            self._schedule(station_id, check_version=False)

    def _schedule(self, station_id: str, check_version: bool) -> None:
        self._wanted[station_id] = self._wanted.get(station_id, False) or check_version
        task = self._tasks.get(station_id)
        if task is None or task.done():
            self._tasks[station_id] = asyncio.get_running_loop().create_task(self._run(station_id))

    async def _run(self, station_id: str) -> None:
        for _ in range(_MAX_ROUNDS):
            if station_id not in self._wanted:
                return
            check_version = self._wanted.pop(station_id)
            try:
                await self._sync(station_id, check_version)
            except Exception as err:  # a bug here must not stop the pusher
                self._central.state.logs.log(
                    _LOGGER,
                    logging.ERROR,
                    station_id,
                    "%s: pushing the local authorization list failed",
                    station_id,
                    exc_info=err,
                )

    # ---- one sync ----------------------------------------------------------------------

    async def _sync(self, station_id: str, check_version: bool, forced: bool = False) -> None:
        station = self._central.stations.get(station_id)
        if station is None or not (forced or self._wants_list(station)):
            return
        try:
            limits = self._central.charger(station_id).local_list_limits
            if limits.refused is not None:
                raise NotSupported(limits.refused)
            charger_version = station.local_list_version
            if check_version:
                charger_version = await self._charger_version(station)
            await self._push(station, limits, charger_version)
        except NotSupported as err:
            self._result(station_id, "NotSupported", None, None, 0, str(err))
        except (CallError, CallTimeout, NotConnected, InvalidCall) as err:
            self._result(station_id, "Error", None, None, 0, f"{type(err).__name__}: {err}")

    async def _charger_version(self, station: Station) -> int | None:
        version = (await self._central.charger(station.station_id).local_list_version()).value
        if version == -1:
            raise NotSupported("GetLocalListVersion answered -1")
        # a version beyond int32 is none we could go above (nor save): as unknown, a Full list follows
        return version if isinstance(version, int) and 0 <= version < _VERSION_MAX else None

    async def _push(self, station: Station, limits: Limits, charger_version: int | None) -> None:
        station_id = station.station_id
        desired = self._desired(station, limits.max_length, limits.max_id_length)
        pushed = self._pushed.get(station_id)
        base = pushed if pushed is not None and charger_version == pushed.version else None
        if base is not None and base.entries == desired:
            return  # up to date
        version = max(
            self._central.state.authorization.tags.version,
            (charger_version or 0) + 1,
            (pushed.version if pushed is not None else 0) + 1,
        )
        if base is None:
            update_type = "Full"
            changes = [desired[key] for key in _ordered(desired)]
            removals: list[Entry] = []
        else:
            update_type = "Differential"
            changes = [desired[key] for key in _ordered(desired) if base.entries.get(key) != desired[key]]
            removals = [entry for key, entry in base.entries.items() if key not in desired]
        messages = _split(changes + [{**entry, "remove": True} for entry in removals], limits.per_message)
        current = dict(base.entries) if base is not None else {}
        sent = 0
        for index, part in enumerate(messages):
            kind = update_type if index == 0 else "Differential"
            status = await self._send(station, version, kind, part)
            if status != "Accepted":
                self._result(station_id, status, version, kind, sent, "refused by the charger")
                return
            if kind == "Full":
                current = {}
            for entry in part:
                key = _key(entry)
                if entry.get("remove"):
                    current.pop(key, None)
                else:
                    current[key] = entry
            sent += len(part)
            self._pushed[station_id] = PushedList(version, dict(current))
            self._central.state.store.save_soon()
            version += 1
        self._result(station_id, "Accepted", version - 1, update_type, sent, self._truncation(station, limits))

    async def _send(self, station: Station, version: int, update_type: str, part: list[Entry]) -> str:
        answer = await self._central.charger(station.station_id).send_local_list(version, update_type, part)
        return str(answer.status)

    def _desired(self, station: Station, max_length: int | None, max_id: int | None) -> dict[str, Entry]:
        """The entries this charger is to hold: the tags valid there (ids it takes), Accepted first, at most
        `max_length`."""
        now = utcnow()
        records = [
            record
            for record in self._central.state.authorization.tags
            if record.allowed_at(station.station_id) and (max_id is None or len(record.id_tag) <= max_id)
        ]
        entries = {record.key: _entry(record, now) for record in records}
        if max_length is not None and len(entries) > max_length:
            keep = _ordered(entries)[: max(max_length, 0)]
            entries = {key: entries[key] for key in keep}
        return entries

    def _truncation(self, station: Station, limits: Limits) -> str:
        if limits.max_length is None:
            return ""
        tags = self._central.state.authorization.tags
        wanted = sum(1 for record in tags if record.allowed_at(station.station_id))
        if wanted <= limits.max_length:
            return ""
        return f"{wanted - limits.max_length} tags left out (the list holds {limits.max_length})"

    def _result(
        self, station_id: str, status: str, version: int | None, update_type: str | None, entries: int, detail: str
    ) -> None:
        result = {
            "status": status,
            "list_version": version,
            "update_type": update_type,
            "entries": entries,
            "time": format_timestamp(utcnow()),
            "detail": detail or None,
        }
        self.results[station_id] = result
        self._central.state.store.save_soon()
        if status != "Accepted":
            self._central.state.logs.log(
                _LOGGER,
                logging.WARNING,
                station_id,
                "%s: local authorization list not pushed (%s: %s)",
                station_id,
                status,
                detail,
            )
        self._central.events.emit(Event(EventType.LOCAL_LIST, station_id, data={"push": True, **result}))

    # ---- persistence -------------------------------------------------------------------

    def forget(self, station_id: str) -> None:
        """Drop what was pushed to the charger and the outcome (its device was removed)."""
        self._pushed.pop(station_id, None)
        self.results.pop(station_id, None)
        self._wanted.pop(station_id, None)

    def _dump(self) -> dict[str, Any]:
        return {
            "pushed": {
                station_id: {"version": pushed.version, "entries": list(pushed.entries.values())}
                for station_id, pushed in self._pushed.items()
            },
            "results": self.results,
        }

    def _load(self, data: Any) -> None:
        self._pushed.clear()
        self.results.clear()
        if not isinstance(data, dict):
            return
        for station_id, item in (data.get("pushed") or {}).items():
            with contextlib.suppress(KeyError, TypeError, ValueError):
                entries = {_key(entry): dict(entry) for entry in item["entries"]}
                self._pushed[station_id] = PushedList(int(item["version"]), entries)
        results = data.get("results")
        if isinstance(results, dict):
            self.results.update({k: v for k, v in results.items() if isinstance(v, dict)})


# ---- entries -----------------------------------------------------------------------------


def _key(entry: Entry) -> str:
    return str(entry["id_tag"]).strip().casefold()


def _entry(record: TagRecord, now: Any) -> Entry:
    return {
        "id_tag": record.id_tag,
        "status": record.status_at(now),
        "expiry": format_timestamp(record.expiry) if record.expiry is not None else None,
        "parent": record.parent_id,
    }


def _ordered(entries: dict[str, Entry]) -> list[str]:
    """Accepted tags first (they are what a full list must not lose), then by id."""
    return sorted(entries, key=lambda key: (entries[key]["status"] != ACCEPTED, key))


def _split(entries: list[Entry], per_message: int | None) -> list[list[Entry]]:
    if not entries:
        return [[]]  # a Full update with no entries empties the list
    size = per_message if per_message is not None and per_message > 0 else len(entries)
    return [entries[start : start + size] for start in range(0, len(entries), size)]


def entry_decision(entry: Entry) -> TokenDecision:
    """A neutral entry's authorization (the version chargers spell it in their form)."""
    expiry = entry.get("expiry")
    return TokenDecision(
        entry["status"],
        group_id_token=entry.get("parent"),
        cache_expiry=parse_timestamp(expiry) if expiry else None,
    )
