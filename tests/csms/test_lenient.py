"""Lenient-mode repairs, on the real 1.6 schemas."""

from __future__ import annotations

import pytest

from custom_components.ocpp_core.csms.rpc_types import ErrorKind, OcppError, OcppVersion
from custom_components.ocpp_core.csms.validation import SchemaRegistry, SchemaSet


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
