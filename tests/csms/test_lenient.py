"""Lenient-mode repairs, on the real 1.6 schemas."""

from __future__ import annotations

import pytest

from custom_components.ocpp_core.csms.rpc import lenient
from custom_components.ocpp_core.csms.rpc.types import ErrorKind, OcppError, OcppVersion
from custom_components.ocpp_core.csms.rpc.validation import SchemaRegistry, SchemaSet


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaRegistry().load_blocking(OcppVersion.V16)


def validate(schemas: SchemaSet, action: str, payload: dict[str, object], lenient: bool = True) -> object:
    quirks: list[str] = []
    result = schemas.validate(
        action, payload, response=False, lenient_mode=lenient, on_quirk=lambda action, quirk: quirks.append(quirk)
    )
    return result, quirks


def test_valid_payload_untouched(schemas: SchemaSet) -> None:
    payload = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
    result, quirks = validate(schemas, "StatusNotification", payload)
    assert result is payload and quirks == []


def test_numbers_as_strings(schemas: SchemaSet) -> None:
    result, quirks = validate(
        schemas,
        "StartTransaction",
        {"connectorId": "1", "idTag": "T", "meterStart": "100", "timestamp": "2024-01-01T00:00:00Z"},
    )
    assert result == {"connectorId": 1, "idTag": "T", "meterStart": 100, "timestamp": "2024-01-01T00:00:00Z"}
    assert len(quirks) == 1


def test_timestamp_without_timezone(schemas: SchemaSet) -> None:
    result, _ = validate(
        schemas,
        "StatusNotification",
        {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": "2024-01-01 10:00:00"},
    )
    assert result["timestamp"] == "2024-01-01T10:00:00Z"  # type: ignore[index]


def test_unknown_enum_and_long_string_kept(schemas: SchemaSet) -> None:
    result, _ = validate(
        schemas,
        "StatusNotification",
        {"connectorId": 1, "errorCode": "NoError", "status": "Occupied", "info": "x" * 80},
    )
    assert result["status"] == "Occupied"  # type: ignore[index]
    assert len(result["info"]) == 80  # type: ignore[index]


def test_empty_optional_object_and_enum_dropped(schemas: SchemaSet) -> None:
    payload = {
        "connectorId": 1,
        "meterValue": [
            {"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [{"value": "1", "phase": "", "unit": "Wh"}]}
        ],
    }
    result, _ = validate(schemas, "MeterValues", payload)
    assert result["meterValue"][0]["sampledValue"][0] == {"value": "1", "unit": "Wh"}  # type: ignore[index]


def test_missing_required_still_refused(schemas: SchemaSet) -> None:
    with pytest.raises(OcppError) as err:
        validate(schemas, "StatusNotification", {"connectorId": 1, "status": "Available"})
    assert err.value.kind is ErrorKind.OCCURRENCE


def test_strict_refuses(schemas: SchemaSet) -> None:
    with pytest.raises(OcppError) as err:
        validate(
            schemas,
            "StatusNotification",
            {"connectorId": "1", "errorCode": "NoError", "status": "Available"},
            lenient=False,
        )
    assert err.value.kind is ErrorKind.TYPE


@pytest.mark.parametrize(
    "value",
    [
        "18446744073709551617",  # beyond 64 bits
        "99999999999999999999",
        "9223372036854775808",  # one above signed 64 bits
        "1" * 5000,  # more digits than Python converts at all
        1.8446744073709552e19,  # what orjson makes of 18446744073709551617
    ],
)
def test_no_repair_makes_an_integer_the_store_cannot_hold(schemas: SchemaSet, value: object) -> None:
    with pytest.raises(OcppError) as err:
        validate(schemas, "StatusNotification", {"connectorId": value, "errorCode": "NoError", "status": "Available"})
    assert err.value.kind is ErrorKind.TYPE


def test_the_largest_signed_64_bit_integer_is_still_repaired(schemas: SchemaSet) -> None:
    sample = {"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [{"value": "1"}]}
    payload = {"connectorId": 1, "transactionId": "9223372036854775807", "meterValue": [sample]}
    result, _ = validate(schemas, "MeterValues", payload)
    assert result["transactionId"] == 9_223_372_036_854_775_807  # type: ignore[index]


def test_a_repair_keeps_within_the_schema_bounds() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0, "maximum": 10}}}
    assert lenient.coerce({"n": "7"}, schema) == {"n": 7}
    assert lenient.coerce({"n": "11"}, schema) == {"n": "11"}  # left for the schema check to refuse
    assert lenient.coerce({"n": -1.0}, schema) == {"n": -1.0}
    number = {"type": "object", "properties": {"x": {"type": "number"}}}
    assert lenient.coerce({"x": "1e999"}, number) == {"x": "1e999"}  # no infinity made
    assert lenient.coerce({"x": "99999999999999999999"}, number) == {"x": 1e20}  # a float, as it cannot be an int
