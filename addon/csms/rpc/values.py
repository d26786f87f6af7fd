"""Reading numbers from JSON values and configuration text, the same way everywhere."""

from __future__ import annotations

INT32_LIMIT = 2_147_483_647


def json_int(value: object) -> int | None:
    """A JSON integer as it came (a bool is not one), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def text_int(value: str | None) -> int | None:
    """An integer written as text ("5", "5.0"; OCPP configuration values), within int32, else None."""
    if not value:
        return None
    try:
        number = int(float(value))
    except (ValueError, OverflowError):  # "x", "inf", "1e999"
        return None
    # a number no configuration means (and a saved configuration must always load again)
    return number if -INT32_LIMIT <= number <= INT32_LIMIT else None
