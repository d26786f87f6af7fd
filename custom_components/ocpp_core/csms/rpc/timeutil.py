"""Timestamps as chargers send them, read forgivingly."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


# the last text read and its value: a 2.x meter message carries the same stamp twice (the event's and its meter
# value's), and chargers sampling on the clock send the same second one after another; a datetime is immutable,
# so handing out the same one is safe (one tuple, replaced whole: no reader sees half of it)
_last_read: tuple[str, datetime] = ("", datetime.min.replace(tzinfo=UTC))


def parse_timestamp(value: object, default: datetime | None = None) -> datetime:
    """Parse an OCPP timestamp; no timezone means UTC; unreadable means `default` (or now)."""
    global _last_read
    if isinstance(value, str) and value:
        last = _last_read
        if value == last[0]:
            return last[1]
        try:  # as the spec wants it (every meter value passes here: the forgiving text only when needed)
            parsed = datetime.fromisoformat(value)
        except ValueError:
            # forgiving: a space for the T, a lower-case z
            try:
                parsed = datetime.fromisoformat(
                    value.strip().replace(" ", "T").removesuffix("z").removesuffix("Z") + "+00:00"
                )
            except ValueError:
                return default if default is not None else utcnow()
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        _last_read = (value, parsed)
        return parsed
    return default if default is not None else utcnow()


def format_timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with a Z, which every charger parses."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
