"""Payload validation against the `ocpp` package's JSON schemas.

Schemas are read from disk once per OCPP version, in a worker thread (never
on the event loop), and compiled on first use of each action, into msgspec
types where the schema allows (else fastjsonschema, up to 60 ms a schema: too
slow for the event loop, where this runs).  Every payload goes through the strict validator first — the
fast path.  Only when it fails, and lenient mode is on, the payload is repaired
(`lenient.coerce`) and checked again against a relaxed copy of the schema
that tolerates what real chargers get wrong.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import fastjsonschema
import msgspec

from . import lenient, typed_schema
from .types import ErrorKind, OcppError, OcppVersion

_LOGGER = logging.getLogger(__name__)

Validator = Callable[[Any], Any]

_PACKAGE_DIR = {OcppVersion.V16: "v16", OcppVersion.V201: "v201", OcppVersion.V21: "v21"}

# fastjsonschema rule → the CALLERROR kind OCPP prescribes for it
_RULE_KIND = {
    "required": ErrorKind.OCCURRENCE,
    "minItems": ErrorKind.OCCURRENCE,
    "maxItems": ErrorKind.OCCURRENCE,
    "type": ErrorKind.TYPE,
    "enum": ErrorKind.PROPERTY,
    "maxLength": ErrorKind.PROPERTY,
    "minLength": ErrorKind.PROPERTY,
    "minimum": ErrorKind.PROPERTY,
    "maximum": ErrorKind.PROPERTY,
    "multipleOf": ErrorKind.PROPERTY,
    "format": ErrorKind.PROPERTY,  # also string enums, checked as formats (see _speed_up)
    "additionalProperties": ErrorKind.FORMAT,
}


def _schema_file(version: OcppVersion, action: str, response: bool) -> str:
    if version is OcppVersion.V16:
        return f"{action}Response.json" if response else f"{action}.json"
    return f"{action}{'Response' if response else 'Request'}.json"


def _send_schema_file(action: str) -> str:
    """A 2.1 SEND message (NotifyPeriodicEventStream) has one schema, named without "Request"."""
    return f"{action}.json"


def _read_schemas(version: OcppVersion) -> dict[str, dict[str, Any]]:
    """Read every schema of one version (blocking: run in a thread)."""
    folder = resources.files("ocpp").joinpath(_PACKAGE_DIR[version], "schemas")
    schemas: dict[str, dict[str, Any]] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            schemas[entry.name] = json.loads(entry.read_text(encoding="utf-8"))
    return schemas


@dataclass(slots=True)
class _Compiled:
    strict: Validator
    relaxed: Validator
    schema: dict[str, Any]


class SchemaSet:
    """The compiled schemas of one OCPP version."""

    def __init__(self, version: OcppVersion, schemas: dict[str, dict[str, Any]]) -> None:
        self.version = version
        self._schemas = schemas
        self._compiled: dict[str, _Compiled | None] = {}
        # by action, one dict per direction: every message looks its validator up here (the file name of
        # its schema, an f-string and two look-ups, was a third of the cost of checking a MeterValues)
        self._by_action: tuple[dict[str, _Compiled | None], dict[str, _Compiled | None]] = ({}, {})

    def has_action(self, action: str) -> bool:
        return self._name(action, False) in self._schemas

    def _name(self, action: str, response: bool) -> str:
        name = _schema_file(self.version, action, response)
        if name not in self._schemas and not response and self.version is not OcppVersion.V16:
            send = _send_schema_file(action)
            if send in self._schemas:
                return send
        return name

    def _get(self, action: str, response: bool) -> _Compiled | None:
        by_action = self._by_action[response]
        try:
            return by_action[action]
        except KeyError:
            pass
        compiled = by_action[action] = self._compile(action, response)
        return compiled

    def _compile(self, action: str, response: bool) -> _Compiled | None:
        name = self._name(action, response)
        try:
            return self._compiled[name]
        except KeyError:
            pass
        schema = self._schemas.get(name)
        compiled = None
        if schema is not None:
            relaxed = _relaxed_validator(lenient.relax_schema(copy.deepcopy(schema)))
            compiled = _Compiled(_strict_validator(schema), relaxed, schema)
        self._compiled[name] = compiled
        return compiled

    def validate(
        self,
        action: str,
        payload: Any,
        *,
        response: bool,
        lenient_mode: bool,
        on_quirk: Callable[[str, str], None] | None = None,
    ) -> Any:
        """Return the payload (repaired in lenient mode) or raise OcppError."""
        compiled = self._get(action, response)
        if compiled is None:
            # No schema (unknown action): the caller decides what that means.
            return payload
        try:
            compiled.strict(payload)
            return payload
        except (msgspec.ValidationError, fastjsonschema.JsonSchemaValueException) as strict_error:
            kind, description = _explain(strict_error)
        if lenient_mode:
            repaired = lenient.coerce(payload, compiled.schema)
            try:
                compiled.relaxed(repaired)
            except (msgspec.ValidationError, fastjsonschema.JsonSchemaValueException):
                pass
            else:
                if on_quirk is not None:
                    on_quirk(f"{action}Response" if response else action, description)
                return repaired
        raise OcppError(kind, description)


def _strict_validator(schema: dict[str, Any]) -> Validator:
    """msgspec where the schema allows (several times faster), else fastjsonschema."""
    try:
        return typed_schema.make_validator(schema)
    except typed_schema.Unsupported:
        formats: dict[str, Callable[[str], bool]] = {}
        return fastjsonschema.compile(_speed_up(copy.deepcopy(schema), formats), formats=formats)


def _relaxed_validator(relaxed: dict[str, Any]) -> Validator:
    """msgspec here too: fastjsonschema takes up to 60 ms to compile one 2.1 schema, on the event loop,
    the first time a charger's message needs repairing (msgspec: 5 ms at most)."""
    try:
        return typed_schema.make_validator(relaxed)
    except typed_schema.Unsupported:
        return fastjsonschema.compile(relaxed, use_formats=False)


def _explain(error: Exception) -> tuple[ErrorKind, str]:
    if isinstance(error, msgspec.ValidationError):
        message = str(error)
        return typed_schema.error_kind(message), message
    assert isinstance(error, fastjsonschema.JsonSchemaValueException)
    return _RULE_KIND.get(error.rule or "", ErrorKind.FORMAT), _describe(error)


def _speed_up(schema: dict[str, Any], formats: dict[str, Callable[[str], bool]]) -> dict[str, Any]:
    """Rewrite a schema so fastjsonschema generates faster code for the same rules.

    fastjsonschema checks a string enum value by value (two calls per allowed
    value); as a custom format it is one set lookup.  The 1.6 schemas also put
    `additionalProperties` on strings, where it means nothing but costs a check.
    """
    if schema.get("type") != "object":
        schema.pop("additionalProperties", None)
    enum = schema.get("enum")
    if (
        schema.get("type") == "string"
        and "format" not in schema
        and isinstance(enum, list)
        and all(isinstance(v, str) for v in enum)
    ):
        name = "one of " + ", ".join(enum)
        formats[name] = frozenset(enum).__contains__
        del schema["enum"]
        schema["format"] = name
    for key in ("properties", "definitions"):
        for child in schema.get(key, {}).values():
            if isinstance(child, dict):
                _speed_up(child, formats)
    items = schema.get("items")
    if isinstance(items, dict):
        _speed_up(items, formats)
    return schema


def _describe(error: fastjsonschema.JsonSchemaValueException) -> str:
    # "data.meterValue[0].timestamp must be date-time" → without the "data." prefix
    message = str(error.message)
    return message[5:] if message.startswith("data.") else message


class SchemaRegistry:
    """Loads each version's schemas once, off the event loop."""

    def __init__(self) -> None:
        self._sets: dict[OcppVersion, SchemaSet] = {}
        self._loading: dict[OcppVersion, asyncio.Future[dict[str, dict[str, Any]]]] = {}

    async def get(self, version: OcppVersion) -> SchemaSet:
        if (loaded := self._sets.get(version)) is not None:
            return loaded
        future = self._loading.get(version)
        if future is None:
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(None, _read_schemas, version)
            self._loading[version] = future
        schemas = await future
        schema_set = self._sets.setdefault(version, SchemaSet(version, schemas))
        return schema_set

    def load_blocking(self, version: OcppVersion) -> SchemaSet:
        """For tools and benchmarks that run outside an event loop."""
        return self._sets.setdefault(version, SchemaSet(version, _read_schemas(version)))
