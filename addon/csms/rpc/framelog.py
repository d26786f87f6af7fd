"""The most recent frames of one charger, both directions, for diagnostics; secrets never kept."""

from __future__ import annotations

import functools
import time
from array import array
from typing import Any

from .codec import dumps, loads

_KEPT_CHARS = 4000
# MeterValues frames, the steady stream, are kept cut to this (an ASCII str under 512 bytes): those come from Python's
# own allocator; keeping thousands of ~1 kB ones alive made the C allocator grow and shrink the
# heap on nearly every message (measured: +15 µs per MeterValues at 100 chargers)
_KEPT_METER_CHARS = 400

REDACTED = "**REDACTED**"
# names (keys, configuration keys, device-model variables) whose value is a secret
_SECRET_WORDS = ("password", "authorizationkey", "privatekey", "private_key", "secret", "passphrase")
# where a 2.x device-model entry keeps its value
_VARIABLE_VALUES = ("attributeValue", "actualValue", "value")


def _may_name_a_secret(text: str) -> bool:
    """Plain substring tests (a regular expression is slower): what a frame naming a secret contains."""
    return (
        "assword" in text
        or "ASSWORD" in text
        or "uthorizationKey" in text
        or "rivateKey" in text
        or "rivate_key" in text
        or "ecret" in text
        or "ECRET" in text
        or "assphrase" in text
    )


# names this long (OCPP's keys and variable names are at most 50 characters) are checked, not remembered
_REMEMBERED_NAME_CHARS = 64


def _secret_name(name: object) -> bool:
    if not isinstance(name, str):
        return False
    return _remembered_secret_name(name) if len(name) <= _REMEMBERED_NAME_CHARS else _has_secret_word(name)


def _has_secret_word(name: str) -> bool:
    return any(word in name.lower() for word in _SECRET_WORDS)


# every save checks each charger's configuration keys again, the same few hundred names: a third of the add-on's
# snapshot of 100 chargers went there (issue 15); bounded, as the names come from chargers
_remembered_secret_name = functools.lru_cache(maxsize=4096)(_has_secret_word)


def _scrub(value: Any) -> Any:
    """A copy of a parsed frame with every secret value replaced."""
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if not isinstance(value, dict):
        return value
    variable = value.get("variable")
    secret_entry = _secret_name(value.get("key")) or (isinstance(variable, dict) and _secret_name(variable.get("name")))
    scrubbed: dict[str, Any] = {}
    for key, item in value.items():
        secret_value = _secret_name(key) and not isinstance(item, (dict, list))
        if secret_value or (secret_entry and key in _VARIABLE_VALUES):
            scrubbed[key] = REDACTED
        elif secret_entry and key == "variableAttribute" and isinstance(item, list):
            scrubbed[key] = [
                {**attribute, "value": REDACTED} if isinstance(attribute, dict) and "value" in attribute else attribute
                for attribute in item
            ]
        else:
            scrubbed[key] = _scrub(item)
    return scrubbed


def _names_a_secret(entry: object) -> bool:
    """A 2.x device-model entry or device event about a secret variable (BasicAuthPassword …)."""
    if not isinstance(entry, dict):
        return False
    variable = entry.get("variable")
    return isinstance(variable, dict) and (_secret_name(variable.get("name")) or _secret_name(variable.get("instance")))


def scrub_stored_station(data: dict[str, Any]) -> dict[str, Any]:
    """A station's persisted data (`Station.to_dict()`) without secret values; the parts that change are copies
    (to_dict shares the live configuration), `data` itself gets them.

    Chargers that report their write-only secrets anyway (a 1.6 AuthorizationKey in GetConfiguration, a 2.x
    BasicAuthPassword in a report or an event) must not put the password in the store file in the clear.
    """
    configuration = data.get("configuration")
    if isinstance(configuration, dict) and any(_secret_name(key) for key in configuration):
        data["configuration"] = {
            key: {**entry, "value": REDACTED}
            if _secret_name(key) and isinstance(entry, dict) and entry.get("value") is not None
            else entry
            for key, entry in configuration.items()
        }
    v2 = data.get("v2")
    if isinstance(v2, dict):
        model = v2.get("device_model")
        if isinstance(model, list):
            v2["device_model"] = [_scrub(entry) if _names_a_secret(entry) else entry for entry in model]
        events = v2.get("device_events")
        if isinstance(events, list):
            v2["device_events"] = [
                {**event, "actual_value": REDACTED} if _names_a_secret(event) and "actual_value" in event else event
                for event in events
            ]
    return data


def redact_secrets(text: str) -> str:
    """The frame with the values of passwords, authorization keys and private keys replaced.

    Frames that name none are returned as they are (the common case costs a few substring tests);
    one that names a secret but does not parse is cut before the name.
    """
    if not _may_name_a_secret(text):
        return text
    try:
        return dumps(_scrub(loads(text)))
    except (ValueError, RecursionError, TypeError):
        lowered = text.lower()
        cut = min((i for i in (lowered.find(w) for w in _SECRET_WORDS) if i >= 0), default=0)
        return f"{text[:cut]}{REDACTED}"


class FrameLog:
    """A ring of (time, direction, text), kept as three arrays of plain values (nothing for the GC to walk): the
    times as C doubles, the directions as bytes, the texts in a list, each only as long as what it holds (an
    idle charger's few frames cost a few hundred bytes, where three empty bounded deques took 2.3 KiB)."""

    __slots__ = ("_inbound", "_next", "_size", "_texts", "_times", "added")

    def __init__(self, size: int) -> None:
        # frames ever added (a reader that keeps it takes only the new ones: `since`)
        self.added = 0
        self._size = max(size, 0)
        self._times = array("d")
        self._inbound = bytearray()
        self._texts: list[str] = []
        # once the ring is full: the slot of the oldest entry, the next to be replaced
        self._next = 0

    def resize(self, size: int) -> None:
        """Keep at most `size` frames from now on (the newest of those kept so far stay)."""
        size = max(size, 0)
        if size == self._size:
            return
        held = len(self._texts)
        order = [(self._next + i) % held for i in range(max(held - size, 0), held)] if held else []
        self._times = array("d", (self._times[i] for i in order))
        self._inbound = bytearray(self._inbound[i] for i in order)
        self._texts = [self._texts[i] for i in order]
        self._next = 0
        self._size = size

    def add(self, inbound: bool, text: str | bytes) -> None:
        self.added += 1
        if self._size == 0:
            return
        kept = _kept_text(inbound, text)
        when = time.time()
        if len(self._texts) < self._size:
            self._times.append(when)
            self._inbound.append(inbound)
            self._texts.append(kept)
            return
        slot = self._next
        self._times[slot] = when
        self._inbound[slot] = inbound
        self._texts[slot] = kept
        self._next = (slot + 1) % self._size

    def entries(self) -> list[tuple[float, str, str]]:
        """(unix time, "in" / "out", text), oldest first."""
        return self._entries(len(self._texts))

    def since(self, mark: int) -> list[tuple[float, str, str]]:
        """The entries added after the first `mark` ever added (those the ring still holds), oldest first."""
        # only the new ones are made (a reader every second takes a few of a ring of hundreds)
        return self._entries(min(self.added - mark, len(self._texts)))

    def _entries(self, newest: int) -> list[tuple[float, str, str]]:
        """The `newest` entries, oldest first."""
        held = len(self._texts)
        if newest <= 0:
            return []
        times, inbound, texts, first = self._times, self._inbound, self._texts, self._next
        slots = ((first + i) % held for i in range(held - newest, held))
        return [(times[i], "in" if inbound[i] else "out", texts[i]) for i in slots]


def _kept_text(inbound: bool, text: str | bytes) -> str:
    """What the log keeps of a frame: cut short, secrets redacted (our answers and meter frames are not scanned)."""
    if not isinstance(text, str):
        return redact_secrets(repr(text[:_KEPT_CHARS]))
    head = text[:80]
    if not inbound and head.startswith("[3,"):  # our own answers never carry a secret: no scan
        return text[:_KEPT_CHARS]
    if '"MeterValues"' in head:  # the steady stream carries readings, never a secret: no scan for one
        return text[:_KEPT_METER_CHARS] + "..." if len(text) > _KEPT_METER_CHARS else text
    if '"TransactionEvent"' in head:
        return text[:_KEPT_CHARS]
    return redact_secrets(text)[:_KEPT_CHARS]
