"""The central system's options changed while it runs: the integration's general options, tag policy and default
tag in remote mode (api/options.py: GET / PUT /options), put in force at once (CentralSystem.apply_options, the
boot policy) and kept in the store (its meta table: SQLite and PostgreSQL alike), so they hold across restarts.

The add-on's configuration (its flags) gives the options it starts with.  A value set here wins over it until the
configuration's own value changes: each kept value remembers the configured one it replaced, and a configuration
edited since is the newer choice (the kept value is then dropped).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..central_import import csms
from ..options import MAX_MESSAGE_RATE
from ..store import RowStore

_LOGGER = logging.getLogger(__name__)

_KEY: Final = "central_options"
_SELECT: Final = "SELECT value FROM meta WHERE key = ?"
_UPSERT: Final = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"

UNKNOWN_CHARGERS: Final = ("accept", "reject", "ask")
UNKNOWN_TAGS: Final = ("accept", "reject")
# the longest default tag the integration's options flow takes (OCPP 1.6's idTag)
MAX_TAG_LENGTH: Final = 20
# Home Assistant's tag for its remote starts (the integration's default_id_tag, told by a remote entry): accepted
# only for the remote starts asked with it, beside the add-on's own (app.py HOME_ASSISTANT_TAG); null: only that
REMOTE_START_TAG: Final = "remote_start_tag"


class InvalidOptions(ValueError):
    """An option that cannot be set (the message names it and says why); nothing was changed."""


def _number(kind: type, low: float, high: float) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("a number")
        number = kind(float(value)) if kind is float else int(str(value))
        if not low <= number <= high:
            raise ValueError(f"from {low:g} to {high:g}")
        return number

    return parse


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else parse(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _tag(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TAG_LENGTH:
        raise ValueError(f"an id tag of 1 to {MAX_TAG_LENGTH} characters (not only spaces)")
    return value


def _one_of(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"one of {', '.join(choices)}")
        return str(value)

    return parse


# the options (the integration's option keys), each with its check (the bounds of its options flow)
FIELDS: Final[dict[str, Callable[[Any], Any]]] = {
    "heartbeat_interval": _number(int, 10, 86400),
    "strict_validation": _flag,
    "history_size": _number(int, 0, 100000),
    "unknown_chargers": _one_of(*UNKNOWN_CHARGERS),
    "limit_interval": _number(float, 0, 600),
    "meter_interval": _optional(_number(int, 0, csms.MAX_METER_INTERVAL)),
    "max_message_rate": _number(float, 0, MAX_MESSAGE_RATE),
    "unknown_tags": _one_of(*UNKNOWN_TAGS),
    "refuse_concurrent_tags": _flag,
    REMOTE_START_TAG: _optional(_tag),
}


def checked(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes, each checked; InvalidOptions names the first bad (or unknown) one."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidOptions(f"unknown option(s): {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    values: dict[str, Any] = {}
    for name, value in changes.items():
        try:
            values[name] = FIELDS[name](value)
        except ValueError as err:
            raise InvalidOptions(f"{name}: {err}") from None
    return values


def central_system_options(values: Mapping[str, Any], remote_only_tags: tuple[str, ...]) -> Any:
    """The options (FIELDS' names) as csms's CentralSystemOptions; the remote-only tags are the add-on's own and
    Home Assistant's remote-start tag (when it told one)."""
    told = values.get(REMOTE_START_TAG)
    return csms.CentralSystemOptions(
        heartbeat_interval=values["heartbeat_interval"],
        lenient=not values["strict_validation"],
        max_message_rate=values["max_message_rate"],
        limit_interval=values["limit_interval"],
        history_size=values["history_size"],
        meter_interval=values["meter_interval"],
        accept_unknown_tags=values["unknown_tags"] == "accept",
        refuse_concurrent_tags=values["refuse_concurrent_tags"],
        remote_only_tags=(*remote_only_tags, told) if told else remote_only_tags,
    )


@dataclass(slots=True)
class _Kept:
    value: Any
    configured: Any  # the configuration's value it replaced


class CentralOptions:
    """The options in force: the configured ones, and those set over the API (kept in the store)."""

    def __init__(
        self, central: Any, store: RowStore | None, configured: Mapping[str, Any], remote_only_tags: tuple[str, ...]
    ) -> None:
        self._central = central
        self._store = store
        self._configured = dict(configured)
        self._remote_only_tags = remote_only_tags
        self._kept: dict[str, _Kept] = {}

    @classmethod
    def in_memory(cls, central: Any) -> CentralOptions:
        """The central system's options in force now, kept nowhere (the API without the app, in tests)."""
        running = central.options
        configured = {
            "heartbeat_interval": running.heartbeat_interval,
            "strict_validation": not running.lenient,
            "history_size": running.history_size,
            "unknown_chargers": "accept",  # (csms's own boot policy: every charger)
            "limit_interval": running.limit_interval,
            "meter_interval": running.meter_interval,
            "max_message_rate": running.max_message_rate,
            "unknown_tags": "accept" if running.accept_unknown_tags else "reject",
            "refuse_concurrent_tags": running.refuse_concurrent_tags,
            REMOTE_START_TAG: None,
        }
        return cls(central, None, configured, running.remote_only_tags)

    @property
    def values(self) -> dict[str, Any]:
        return {**self._configured, **{name: kept.value for name, kept in self._kept.items()}}

    @property
    def unknown_chargers(self) -> str:
        """The boot policy's option now (read at each boot of an unknown charger)."""
        return str(self.values["unknown_chargers"])

    def central_system_options(self) -> Any:
        return central_system_options(self.values, self._remote_only_tags)

    async def load(self) -> None:
        """The kept values, but those whose configured value changed since (the configuration is newer)."""
        if self._store is None:
            return
        rows = await self._store.select(_SELECT, (_KEY,))
        data: Any = json.loads(rows[0][0]) if rows else {}
        for name, kept in (data if isinstance(data, dict) else {}).items():
            if name not in FIELDS or not isinstance(kept, dict) or "value" not in kept:
                continue
            if kept.get("configured") != self._configured.get(name):
                _LOGGER.info("Option %s: the add-on's configuration changed since it was set, so it applies", name)
                continue
            self._kept[name] = _Kept(kept["value"], kept.get("configured"))
        self._central.apply_options(self.central_system_options())

    async def update(self, changes: Mapping[str, Any]) -> frozenset[str]:
        """Check, store (before anything changes), put in force; the names that changed.  InvalidOptions."""
        given = checked(changes)
        kept = dict(self._kept)
        for name, value in given.items():
            if value == self._configured.get(name):
                kept.pop(name, None)  # the configuration's own value again: nothing to keep
            else:
                kept[name] = _Kept(value, self._configured.get(name))
        if self._store is not None:
            text = json.dumps({name: {"value": k.value, "configured": k.configured} for name, k in kept.items()})
            await self._store.write([(_UPSERT, (_KEY, text))])
        self._kept = kept
        changed: frozenset[str] = self._central.apply_options(self.central_system_options())
        return changed
