"""The tag book's fields as HA's add_tag / update_tag / remove_tag services take them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ..central_import import csms
from .errors import ApiError, bad_request

# the fields of add_tag / update_tag besides id_tag
TAG_FIELDS = ("name", "status", "expiry_date", "parent_id_tag", "chargers")
# TagError codes → HTTP status (the rest: 400)
_STATUS = {"duplicate_tag": 409, "unknown_tag": 404}


def tag_api_error(err: Any) -> ApiError:
    detail = f" ({err.detail})" if err.detail else ""
    return ApiError(
        _STATUS.get(err.code, 400), err.code, f"{err.code}: {err.tag}{detail}", tag=err.tag, detail=err.detail
    )


def parse_expiry(value: Any) -> datetime | None:
    """Empty: none; a date alone: valid through that day (UTC); a time without zone: UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(), UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise csms.TagError("bad_date", text) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _status(value: Any) -> str:
    for status in csms.TAG_STATUSES:
        if str(value).strip().lower() == status.lower():
            return str(status)
    raise csms.TagError("bad_status", str(value))


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def tag_changes(body: dict[str, Any], known_chargers: set[str]) -> dict[str, Any]:
    """The TagRecord fields given; TagError for a bad one, ApiError for a field that is none of them."""
    unknown = sorted(set(body) - {"id_tag", *TAG_FIELDS})
    if unknown:
        raise bad_request(f"unknown fields: {', '.join(unknown)} (known: id_tag, {', '.join(TAG_FIELDS)})")
    changes: dict[str, Any] = {}
    if "name" in body:
        changes["name"] = _text(body["name"])
    if body.get("status") is not None:
        changes["status"] = _status(body["status"])
    if "expiry_date" in body:
        changes["expiry"] = parse_expiry(body["expiry_date"])
    if "parent_id_tag" in body:
        changes["parent_id"] = _text(body["parent_id_tag"])
    if "chargers" in body:
        given = body["chargers"] or []
        if isinstance(given, str):
            given = [given]
        if not isinstance(given, list):
            raise bad_request("chargers: a list of charger ids")
        chargers = {str(c).strip() for c in given if str(c).strip()}
        missing = sorted(chargers - known_chargers)
        if missing:
            raise csms.TagError("unknown_charger", ", ".join(missing))
        changes["chargers"] = frozenset(chargers)
    return changes
