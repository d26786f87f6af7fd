"""OCPP JSON schemas as msgspec types, for strict validation at C speed.

The OCPP schemas use a small part of JSON Schema (objects, arrays, string
enums, length and range limits, date-time).  Each one becomes a msgspec
type once; `msgspec.convert` then checks a payload against it in a few
microseconds.  A schema using anything else raises `Unsupported`, and the
caller keeps fastjsonschema for that action.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from .types import ErrorKind

_HANDLED = {
    "$schema", "$id", "id", "title", "description", "comment", "javaType", "definitions", "$ref", "tsEnumNames",
    "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
    "enum", "maxLength", "minLength", "format", "minimum", "maximum", "multipleOf", "default",
    "additionalItems",  # meaningless (and ignored by JSON Schema) when items is a single schema
}  # fmt: skip
_NAMES = itertools.count()


class Unsupported(Exception):
    """The schema uses something this translation does not cover."""


def build_type(schema: dict[str, Any]) -> Any:
    """The msgspec type equivalent to a whole OCPP message schema."""
    return _Builder(schema).type_of(schema)


class _Builder:
    def __init__(self, root: dict[str, Any]) -> None:
        self._definitions: dict[str, Any] = root.get("definitions", {})
        self._built: dict[str, Any] = {}

    def type_of(self, schema: dict[str, Any]) -> Any:
        ref = schema.get("$ref")
        if ref is not None:
            return self._ref(ref)
        unknown = set(schema) - _HANDLED
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)}")
        kind = schema.get("type")
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            return self._number(int, schema)
        if kind == "number":
            # multipleOf on floats (0.1 for charging limits) is not checked: with binary floats
            # 16.1 is no exact multiple of 0.1, so the check would refuse good values.
            return _annotate(float, ge=schema.get("minimum"), le=schema.get("maximum"))
        if kind == "boolean":
            return bool
        if kind == "array":
            items = schema.get("items")
            if not isinstance(items, dict):
                raise Unsupported("array without a single items schema")
            item_type = self.type_of(items)
            return _annotate(
                list.__class_getitem__(item_type), min_length=schema.get("minItems"), max_length=schema.get("maxItems")
            )
        if kind == "object":
            return self._object(schema)
        raise Unsupported(f"type {kind!r}")

    def _ref(self, ref: str) -> Any:
        if not ref.startswith("#/definitions/"):
            raise Unsupported(f"$ref {ref}")
        name = ref.rsplit("/", 1)[1]
        if name not in self._built:
            self._built[name] = None  # guards against recursion
            self._built[name] = self.type_of(self._definitions[name])
        elif self._built[name] is None:
            raise Unsupported(f"recursive definition {name}")
        return self._built[name]

    def _string(self, schema: dict[str, Any]) -> Any:
        enum = schema.get("enum")
        fmt = schema.get("format")
        if enum is not None:
            if not all(isinstance(v, str) for v in enum) or fmt is not None:
                raise Unsupported("enum of non-strings")
            return Literal[tuple(enum)]
        if fmt == "date-time":
            return Annotated[datetime, msgspec.Meta(tz=True)]
        if fmt not in (None, "uri"):
            raise Unsupported(f"format {fmt}")
        return _annotate(str, min_length=schema.get("minLength"), max_length=schema.get("maxLength"))

    @staticmethod
    def _number(base: type, schema: dict[str, Any]) -> Any:
        minimum, maximum, multiple_of = schema.get("minimum"), schema.get("maximum"), schema.get("multipleOf")
        # the 2.1 schemas give integer limits as floats ("minimum": 0.0), which msgspec refuses for ints
        if minimum is not None:
            minimum = math.ceil(minimum)
        if maximum is not None:
            maximum = math.floor(maximum)
        if multiple_of is not None and multiple_of != int(multiple_of):
            raise Unsupported("fractional multipleOf on an integer")
        return _annotate(
            base, ge=minimum, le=maximum, multiple_of=int(multiple_of) if multiple_of is not None else None
        )

    def _object(self, schema: dict[str, Any]) -> Any:
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", ()))
        if not required <= set(properties):
            raise Unsupported("required property without a schema")
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        rename: dict[str, str] = {}
        for index, (key, child) in enumerate(properties.items()):
            name = f"f{index}"  # JSON keys need not be Python identifiers
            rename[name] = key
            child_type = self.type_of(child)
            fields.append((name, child_type) if key in required else (name, child_type, msgspec.UNSET))
        return msgspec.defstruct(
            f"{schema.get('title') or schema.get('javaType') or 'Object'}{next(_NAMES)}",
            fields,
            kw_only=True,
            rename=rename,
            forbid_unknown_fields=schema.get("additionalProperties") is False,
            # a validated payload is a tree made from JSON, thrown away at once: it can hold no cycle, and
            # untracked it costs the collector nothing (a MeterValues makes a dozen: 1.84 -> 1.51 microseconds)
            gc=False,
        )


def _annotate(base: Any, **limits: Any) -> Any:
    meta = {key: value for key, value in limits.items() if value is not None}
    return Annotated[base, msgspec.Meta(**meta)] if meta else base


_ERROR_KINDS: tuple[tuple[re.Pattern[str], ErrorKind], ...] = (
    (re.compile(r"^Object missing required field"), ErrorKind.OCCURRENCE),
    (re.compile(r"^Expected `array` of length"), ErrorKind.OCCURRENCE),
    (re.compile(r"^Object contains unknown field"), ErrorKind.FORMAT),
    (re.compile(r"^Expected `\w+`, got"), ErrorKind.TYPE),
)


def error_kind(message: str) -> ErrorKind:
    """The CALLERROR kind for a msgspec validation message."""
    for pattern, kind in _ERROR_KINDS:
        if pattern.search(message):
            return kind
    return ErrorKind.PROPERTY  # enum values, lengths, ranges, timestamps


def make_validator(schema: dict[str, Any]) -> Callable[[Any], None]:
    """A strict validator raising msgspec.ValidationError; Unsupported when the schema is out of reach."""
    message_type = build_type(schema)

    def validate(payload: Any) -> None:
        msgspec.convert(payload, message_type)

    return validate
