"""The msgspec translation of the schemas accepts and refuses exactly what the JSON schemas do."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
import msgspec
import pytest

from custom_components.ocpp_core.csms.rpc.typed_schema import Unsupported, make_validator
from custom_components.ocpp_core.csms.rpc.types import OcppVersion
from custom_components.ocpp_core.csms.rpc.validation import _read_schemas

TRACES = Path(__file__).resolve().parent.parent / "fixtures" / "traces"
SCHEMAS = _read_schemas(OcppVersion.V16)


def _examples() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every 1.6 CALL payload real chargers sent, plus the simulator's kind of messages."""
    for path in sorted(TRACES.glob("*-1.6-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            frame = json.loads(line)["frame"]
            if frame[0] == 2:
                yield f"{frame[2]}.json", frame[3]
    yield (
        "StartTransaction.json",
        {"connectorId": 1, "idTag": "T", "meterStart": 5, "timestamp": "2024-01-01T00:00:00Z"},
    )
    yield "StopTransaction.json", {"meterStop": 9, "timestamp": "2024-01-01T00:00:00+01:00", "transactionId": 3}


def _mutations(payload: Any) -> Iterator[Any]:
    """Small, schema-relevant changes: drop a key, retype a value, add a key, lengthen a string."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            dropped = {k: v for k, v in payload.items() if k != key}
            yield dropped
            for replacement in (None, 7, 7.5, "7", True, [], {}, "x" * 600, "NotAnEnumValue", "2024-01-01T00:00:00"):
                if replacement != value:
                    yield {**payload, key: replacement}
            for inner in _mutations(value):
                yield {**payload, key: inner}
        yield {**payload, "unexpectedKey": 1}
    elif isinstance(payload, list) and payload:
        yield []
        for inner in _mutations(payload[0]):
            yield [inner, *copy.deepcopy(payload[1:])]


def _accepts(validator: Any, payload: Any, errors: tuple[type[Exception], ...]) -> bool:
    try:
        validator(payload)
    except errors:
        return False
    return True


def test_typed_and_json_schema_agree() -> None:
    checked = 0
    for name, payload in _examples():
        schema = SCHEMAS[name]
        try:
            typed = make_validator(schema)
        except Unsupported:
            continue
        reference = fastjsonschema.compile(schema)
        for candidate in (payload, *_mutations(payload)):
            expected = _accepts(reference, candidate, (fastjsonschema.JsonSchemaValueException,))
            assert _accepts(typed, candidate, (msgspec.ValidationError,)) == expected, (name, candidate)
            checked += 1
    assert checked > 2000


def test_every_16_schema_is_typed() -> None:
    for schema in SCHEMAS.values():
        make_validator(schema)  # raises Unsupported otherwise
    assert make_validator(SCHEMAS["SetChargingProfile.json"]) is not None


def test_float_limits_need_not_be_exact_multiples() -> None:
    validate = make_validator(SCHEMAS["SetChargingProfile.json"])
    profile = {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.1}]},
    }
    validate({"connectorId": 1, "csChargingProfiles": profile})


@pytest.mark.parametrize("version", [OcppVersion.V201, OcppVersion.V21])
def test_2x_schemas_typed_without_surprises(version: OcppVersion) -> None:
    """Every 2.x schema is typed (or left to fastjsonschema) and refuses a bad payload as a validation error,
    never with another exception (the 2.1 schemas give integer limits as floats, e.g. "minimum": 0.0)."""
    typed = 0
    for name, schema in _read_schemas(version).items():
        try:
            validate = make_validator(schema)
        except Unsupported:
            continue
        typed += 1
        reference = fastjsonschema.compile(schema)
        for bad in ({}, {"unexpected": [1]}, []):
            assert _accepts(validate, bad, (msgspec.ValidationError,)) == _accepts(
                reference, bad, (fastjsonschema.JsonSchemaValueException,)
            ), name
    assert typed > 100
    status = make_validator(_read_schemas(version)["StatusNotificationRequest.json"])
    status({"timestamp": "2025-01-01T00:00:00Z", "connectorStatus": "Available", "evseId": 1, "connectorId": 1})
    if version is OcppVersion.V21:  # "minimum": 0.0 on an integer
        with pytest.raises(msgspec.ValidationError):
            status(
                {"timestamp": "2025-01-01T00:00:00Z", "connectorStatus": "Available", "evseId": -1, "connectorId": 1}
            )
