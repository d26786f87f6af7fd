"""A schema-aware fuzzer: real OCPP actions with their values turned hostile.

Payloads are the charger-sent frames of /work/shared/traces (copied here as far
as they are charger calls) and instances built from the `ocpp` package's
schemas, with every property present.  A mutation replaces one to three of
their values by the hostile set: integers at and beyond 2^31, 2^53, 2^63 and
2^64 (and -1), numbers too big for a double, numeric strings of 5,000 digits
(beyond Python's int max_str_digits), lone UTF-16 surrogates (as JSON
escapes: a WebSocket text frame is valid UTF-8, its JSON need not be),
timestamps at the ends of the calendar, and long lists.

Everything is drawn from one `random.Random(seed)`: a failure names its seed
and frame, and replays.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

TRACES = Path("/work/shared/traces")
_PACKAGE_DIR = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}

# integers a charger may choose (seqNo, ids, lengths): at and beyond the int32, double, int64 and uint64 ends
HOSTILE_INTEGERS = (2**31 - 1, 2**31, 2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64 + 1, -1, -(2**63) - 1)
# a JSON number with this many digits: beyond int max_str_digits (4,300) and beyond a double
LONG_DIGITS = 5000
_BIG = "\u0000BIG{}\u0000"  # stands for a raw JSON number of LONG_DIGITS digits (json.dumps cannot write one)
HOSTILE_STRINGS = (
    "\ud800",  # lone high surrogate
    "x\udfffy",  # lone low surrogate inside text
    "\udc00\ud800",  # a pair in the wrong order
    "9" * LONG_DIGITS,
    "-" + "1" * LONG_DIGITS,
    " " + "7" * LONG_DIGITS + " ",
    "1" * LONG_DIGITS + ".5",
    "1e400",
    str(2**64 + 1),
    "9999-12-31T23:59:59-23:59",  # the last moment of the calendar, in a zone whose UTC is beyond it
    "0001-01-01T00:00:00+23:59",  # the first one, the other way round
    "9999-12-31T23:59:59.999999",  # no zone: lenient mode adds one
    "",
)


@dataclass(slots=True)
class HostileFrame:
    action: str
    message_id: str
    text: str
    what: str  # the mutations, for failure messages
    unanswered: bool = False  # a 2.1 SEND: handled, never answered


def schemas(version: str) -> dict[str, dict[str, Any]]:
    """The request schemas of one version, by action (a 2.1 SEND message's has no "Request" in its name)."""
    folder = resources.files("ocpp").joinpath(_PACKAGE_DIR[version], "schemas")
    found: dict[str, dict[str, Any]] = {}
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".json") and not name.endswith("Response.json"):
            found[name.removesuffix(".json").removesuffix("Request")] = json.loads(entry.read_text(encoding="utf-8"))
    return found


def trace_payloads(version: str) -> list[tuple[str, dict[str, Any]]]:
    """(action, payload) of every CALL a real charger of this version sent in the trace corpus."""
    corpus_version = "2.0.1" if version == "2.1" else version
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(TRACES.glob(f"*-{corpus_version}-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            record = json.loads(line)
            frame = record.get("frame")
            if record.get("dir") != "cp->csms" or not isinstance(frame, list) or len(frame) != 4:
                continue
            if frame[0] == 2 and isinstance(frame[2], str) and isinstance(frame[3], dict):
                found.append((frame[2], frame[3]))
    return found


class _Instances:
    """Valid instances of a schema with every property present (arrays of one to two items)."""

    def __init__(self, root: dict[str, Any], rng: random.Random) -> None:
        self._definitions = root.get("definitions", {})
        self._rng = rng

    def of(self, schema: dict[str, Any], depth: int = 0) -> Any:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self.of(self._definitions[ref.rsplit("/", 1)[1]], depth)
        kind = schema.get("type")
        rng = self._rng
        if "enum" in schema:
            return rng.choice(schema["enum"])
        if kind == "object":
            props: dict[str, Any] = schema.get("properties", {})
            required = set(schema.get("required", ()))
            return {
                key: self.of(child, depth + 1)
                for key, child in props.items()
                if key in required or (key != "customData" and depth < 6)
            }
        if kind == "array":
            low = schema.get("minItems", 1)
            high = min(schema.get("maxItems", 2), max(low, 2))
            return [self.of(schema.get("items", {}), depth + 1) for _ in range(rng.randint(low, high))]
        if kind == "integer":
            low, high = schema.get("minimum", 0), schema.get("maximum", 100)
            return rng.randint(int(low), int(high))
        if kind == "number":
            low, high = schema.get("minimum", 0.0), schema.get("maximum", 100.0)
            return round(rng.uniform(low, high), 1)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "string":
            if schema.get("format") == "date-time":
                return "2026-03-01T12:00:00.000Z"
            length = min(schema.get("maxLength", 20), 20)
            return "".join(rng.choice("ABCDEF0123456789") for _ in range(max(length // 2, schema.get("minLength", 1))))
        return None


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, value) of every value in a payload, containers included (a list may be made long)."""
    if path:
        yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _set(payload: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        payload = payload[step]
    payload[path[-1]] = value


class HostileFrames:
    """Draws hostile CALLs of one OCPP version from a seeded generator."""

    def __init__(self, version: str, actions: list[str], rng: random.Random, max_chars: int) -> None:
        self._rng = rng
        self._max_chars = max_chars
        # 2.1 SEND messages: their schema is named without "Request"
        folder = resources.files("ocpp").joinpath(_PACKAGE_DIR[version], "schemas")
        self._sends = {a for a in actions if version == "2.1" and folder.joinpath(f"{a}.json").is_file()}
        every = schemas(version)
        self._bases: list[tuple[str, dict[str, Any]]] = [(a, p) for a, p in trace_payloads(version) if a in actions]
        for action in actions:
            schema = every[action]
            for _ in range(2):
                self._bases.append((action, _Instances(schema, rng).of(schema)))
        self._count = 0

    def _hostile(self, value: Any, room: int) -> Any:
        """A hostile replacement for `value`; a list made long takes at most `room` characters."""
        rng = self._rng
        if isinstance(value, list) and value:
            size = len(json.dumps(value))
            return value * max(1, min(rng.choice((100, 1000, 5000)), room // size))
        draw = rng.random()
        if isinstance(value, bool):
            return rng.choice(HOSTILE_INTEGERS) if draw < 0.5 else rng.choice(HOSTILE_STRINGS)
        if isinstance(value, (int, float)):
            if draw < 0.6:
                return rng.choice(HOSTILE_INTEGERS)
            if draw < 0.7:
                return rng.choice((1.7e308, -1.7e308, 2.0**64, 5e-324))
            if draw < 0.8:
                return _BIG.format(rng.choice(("", "-")))
            return rng.choice(HOSTILE_STRINGS)
        if draw < 0.85:
            return rng.choice(HOSTILE_STRINGS)
        return rng.choice(HOSTILE_INTEGERS)

    def draw(self) -> HostileFrame:
        rng = self._rng
        action, base = rng.choice(self._bases)
        payload = copy.deepcopy(base)
        leaves = list(_leaves(payload))
        chosen: list[tuple[Any, ...]] = []
        for path, _ in rng.sample(leaves, min(len(leaves), rng.randint(1, 3))):
            # none inside another: a list made long shares its items, a change inside it would be repeated
            if not any(path[: len(p)] == p or p[: len(path)] == path for p in chosen):
                chosen.append(path)
        room = self._max_chars - len(json.dumps(payload)) - 6 * LONG_DIGITS
        mutated: list[str] = []
        for path in chosen:
            value = payload
            for step in path:
                value = value[step]
            _set(payload, path, self._hostile(value, room // len(chosen)))
            mutated.append("/".join(map(str, path)))
        self._count += 1
        message_id = f"fuzz-{self._count}"
        send = action in self._sends
        text = self._text(message_id, action, payload)
        if send:
            text = "[6" + text[2:]
        return HostileFrame(action, message_id, text, f"{action} {', '.join(mutated)}", send)

    @staticmethod
    def _text(message_id: str, action: str, payload: dict[str, Any]) -> str:
        text = json.dumps([2, message_id, action, payload])  # ensure_ascii: a lone surrogate becomes its escape
        for sign in ("", "-"):
            text = text.replace(json.dumps(_BIG.format(sign)), sign + "8" * LONG_DIGITS)
        return text
