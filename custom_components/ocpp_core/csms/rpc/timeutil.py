"""Timestamps as chargers send them, read forgivingly."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_timestamp(value: object, default: datetime | None = None) -> datetime:
    """Parse an OCPP timestamp; no timezone means UTC; unreadable means `default` (or now)."""
    if isinstance(value, str) and value:
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
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return default if default is not None else utcnow()


def format_timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with a Z, which every charger parses."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
