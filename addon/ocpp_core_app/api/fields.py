"""Reading a command's fields from its JSON body: the same names as the HA services' fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..central_import import csms
from .errors import bad_request


def integer(body: dict[str, Any], name: str, *, minimum: int = 0) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise bad_request(f"{name}: a whole number of at least {minimum}")
    return value


def text(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise bad_request(f"{name}: required")
        return None
    if not isinstance(value, str) or not value:
        raise bad_request(f"{name}: a text")
    return value


def required_text(body: dict[str, Any], name: str) -> str:
    value = text(body, name, required=True)
    assert value is not None  # text(required=True) raised otherwise
    return value


def boolean(body: dict[str, Any], name: str, *, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise bad_request(f"{name}: true or false")
    return value


def time(body: dict[str, Any], name: str) -> datetime | None:
    """An ISO 8601 time (UTC when it names no zone); None when not given."""
    given = text(body, name)
    if given is None:
        return None
    try:
        parsed = datetime.fromisoformat(given.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{name}: not an ISO 8601 time: {given!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def required_time(body: dict[str, Any], name: str) -> datetime:
    required_text(body, name)
    parsed = time(body, name)
    assert parsed is not None  # the text is there
    return parsed


def log_upload(body: dict[str, Any], oldest: str, latest: str) -> csms.LogUpload:
    """location, retries, retry_interval and the log's window (its fields' names: 1.6 GetDiagnostics'
    start_time / stop_time, GetLog's oldest_timestamp / latest_timestamp)."""
    return csms.LogUpload(
        required_text(body, "location"),
        time(body, oldest),
        time(body, latest),
        integer(body, "retries"),
        integer(body, "retry_interval"),
    )


def obj(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise bad_request(f"{name}: a JSON object")
    return value


def number(body: dict[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(f"{name}: a number")
    return float(value)


def variable(value: Any) -> dict[str, Any]:
    """One 2.x variable: "Component/Variable", or {"component", "variable", …} (names or objects)."""
    if isinstance(value, str):
        component, slash, name = (part.strip() for part in value.partition("/"))
        if slash and component and name:
            return {"component": {"name": component}, "variable": {"name": name}}
    if isinstance(value, dict) and "component" in value and "variable" in value:
        entry = dict(value)
        for key in ("component", "variable"):
            if isinstance(entry[key], str):
                entry[key] = {"name": entry[key]}
        return entry
    raise bad_request("variables: each is Component/Variable (e.g. OCPPCommCtrlr/HeartbeatInterval) or an object")


def variables(body: dict[str, Any]) -> list[dict[str, Any]]:
    given = body.get("variables")
    if isinstance(given, str):
        given = [given]
    if not isinstance(given, list) or not given:
        raise bad_request("variables: one or more")
    return [variable(item) for item in given]


def variable_values(body: dict[str, Any]) -> list[dict[str, Any]]:
    """{"Component/Variable": value, …}, or [{"component", "variable", "attributeValue", …}]."""
    given = body.get("variables")
    if isinstance(given, dict) and given:
        return [{**variable(name), "attributeValue": config_value(value)} for name, value in given.items()]
    if isinstance(given, list) and given and all(isinstance(i, dict) and "attributeValue" in i for i in given):
        return [{**variable(item), "attributeValue": config_value(item["attributeValue"])} for item in given]
    raise bad_request('variables: {"Component/Variable": value, …} or a list of objects with attributeValue')


def config_value(value: Any) -> str:
    """A configuration value as OCPP sends it: a text (true/false for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise bad_request("a configuration value is a text, number or boolean")
