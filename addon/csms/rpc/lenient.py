"""Repairs for the small schema breaks real chargers make.

`relax_schema` turns a schema into the tolerant one used in lenient mode: no
string length limits, no closed enums, no formats, extra properties allowed.
`coerce` repairs what the relaxed schema still cannot take: numbers and
booleans sent as strings, timestamps without a timezone, empty optional
objects and empty-string optional enums.  A repair never makes an integer
outside the schema's bounds or a signed 64-bit range: such a value stays as
sent, and the schema check refuses it.
"""

from __future__ import annotations

import math
import re
from typing import Any

_NO_TZ = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_INT = re.compile(r"^\s*[-+]?\d+\s*$")
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
# a repaired integer fits a signed 64-bit store (orjson, Home Assistant's Store); longer strings are not read
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_MAX_DIGITS = 40


def relax_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop the constraints lenient mode tolerates (in place; returns schema)."""
    for key in ("maxLength", "format", "multipleOf"):
        schema.pop(key, None)
    if schema.get("type") == "string":
        schema.pop("enum", None)
    if schema.get("additionalProperties") is False:
        schema["additionalProperties"] = True
    for key in ("properties", "definitions"):
        for child in schema.get(key, {}).values():
            if isinstance(child, dict):
                relax_schema(child)
    items = schema.get("items")
    if isinstance(items, dict):
        relax_schema(items)
    return schema


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        target = root.get("definitions", {}).get(ref.rsplit("/", 1)[1])
        if isinstance(target, dict):
            return target
    return schema


def coerce(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """Return a repaired copy of `value`, guided by its (strict) schema."""
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    kind = schema.get("type")
    if kind == "object" and isinstance(value, dict):
        props = schema.get("properties", {})
        required = set(schema.get("required", ()))
        out: dict[str, Any] = {}
        for key, item in value.items():
            child = props.get(key)
            if child is None:
                out[key] = item
                continue
            child_schema = _resolve(child, root)
            if key not in required and _is_empty_optional(item, child_schema):
                continue
            out[key] = coerce(item, child_schema, root)
        return out
    if kind == "array" and isinstance(value, list):
        items = schema.get("items", {})
        return [coerce(item, items, root) for item in value] if isinstance(items, dict) else value
    if isinstance(value, str):
        if kind == "integer" and len(value) <= _MAX_DIGITS and _INT.match(value):
            return _bounded(int(value), schema, value)
        if kind == "number" and len(value) <= _MAX_DIGITS and _NUMBER.match(value):
            number = float(value)
            if not math.isfinite(number):
                return value  # 1e999: not a number we can keep
            if number.is_integer() and "." not in value:
                return _bounded(int(number), schema, number)
            return number
        if kind == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind == "string" and schema.get("format") == "date-time" and _NO_TZ.match(value):
            return value.replace(" ", "T") + "Z"
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return _bounded(int(value), schema, value)
    return value


def _bounded(number: int, schema: dict[str, Any], original: Any) -> Any:
    """The repaired integer, or `original` (left for the schema check to refuse) when it is outside
    the schema's own bounds or what a 64-bit store can hold: a repair never makes a value we cannot keep."""
    low, high = schema.get("minimum"), schema.get("maximum")
    if not _INT64_MIN <= number <= _INT64_MAX:
        return original
    if isinstance(low, int | float) and number < low:
        return original
    if isinstance(high, int | float) and number > high:
        return original
    return number


def _is_empty_optional(item: Any, schema: dict[str, Any]) -> bool:
    if item == {} and schema.get("required"):
        return True
    return item == "" and "enum" in schema
