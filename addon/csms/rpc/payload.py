"""Building outgoing payloads from Python values, for every OCPP version's typed commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .endpoint import Payload
from .timeutil import format_timestamp


def wire(value: Any) -> Any:
    """A value as it goes on the wire: datetimes as OCPP timestamps, at any depth."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, dict):
        return {key: wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [wire(item) for item in value]
    return value


def payload(**fields: Any) -> Payload:
    """A payload without the fields left out (None), datetimes as OCPP timestamps."""
    return {key: wire(value) for key, value in fields.items() if value is not None}
