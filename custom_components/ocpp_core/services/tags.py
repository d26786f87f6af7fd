"""Tag services: add_tag, update_tag, remove_tag, list_tags.

The tags belong to a central system (a config entry), named by `config_entry_id`;
it may be left out while only one is set up.  They live where the central system
lives: the embedded one's store, or the add-on's (over its API, `records`).  A tag is matched without regard to
case.  Each change is stored at once and, for the chargers set to keep their
local authorization list in step, pushed to them (see csms/features/local_list.py).
Bad input (an unknown or duplicate tag, a date or status that cannot be read,
an unknown charger) is a translated error and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..backend import CentralBackend, CentralRecords
from ..const import DOMAIN
from ..coordinator import OcppConfigEntry
from ..csms import TAG_STATUSES, TagError, TagRecord, utcnow
from ..errors import validation_error
from .admin import DomainService, schemas_of

SERVICE_ADD_TAG: Final = "add_tag"
SERVICE_UPDATE_TAG: Final = "update_tag"
SERVICE_REMOVE_TAG: Final = "remove_tag"
SERVICE_LIST_TAGS: Final = "list_tags"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_ID_TAG: Final = "id_tag"

_ENTRY = vol.Optional(ATTR_CONFIG_ENTRY_ID)
# statuses and dates are checked by the handlers, so that a bad one gets a translated error
_FIELDS: Final[dict[Any, Any]] = {
    vol.Optional("name"): vol.Any(None, cv.string),
    vol.Optional("status"): vol.Any(None, cv.string),
    vol.Optional("expiry_date"): vol.Any(None, cv.string),  # a datetime given in YAML becomes its text
    vol.Optional("parent_id_tag"): vol.Any(None, cv.string),
    vol.Optional("chargers"): vol.All(cv.ensure_list, [cv.string]),
}
_ADD_FIELDS: Final[dict[Any, Any]] = {_ENTRY: cv.string, vol.Required(ATTR_ID_TAG): cv.string, **_FIELDS}
ADD_SCHEMA: Final = vol.Schema(_ADD_FIELDS)
UPDATE_SCHEMA: Final = ADD_SCHEMA
REMOVE_SCHEMA: Final = vol.Schema({_ENTRY: cv.string, vol.Required(ATTR_ID_TAG): vol.All(cv.ensure_list, [cv.string])})
LIST_SCHEMA: Final = vol.Schema({_ENTRY: cv.string})


# ---- reading what was given (shared with the options flow) -------------------------------


def parse_expiry(value: Any) -> datetime | None:
    """An expiry as given: empty is none, a date alone is valid through that day (local time),
    a time without zone is local; TagError bad_date otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, date):
        parsed = datetime.combine(value + timedelta(days=1), time())
    else:
        text = str(value).strip()
        day = dt_util.parse_date(text)
        parsed = datetime.combine(day + timedelta(days=1), time()) if day is not None else dt_util.parse_datetime(text)
    if parsed is None:
        raise TagError("bad_date", str(value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(parsed)


def parse_status(value: Any) -> str:
    """One of Accepted, Blocked, Expired, Invalid (any case); TagError bad_status otherwise."""
    for status in TAG_STATUSES:
        if str(value).strip().lower() == status.lower():
            return status
    raise TagError("bad_status", str(value))


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def tag_changes(data: dict[str, Any], known_chargers: set[str]) -> dict[str, Any]:
    """The TagRecord fields given (name, status, expiry, parent_id, chargers); TagError for a bad one."""
    changes: dict[str, Any] = {}
    if "name" in data:
        changes["name"] = _text(data["name"])
    if "status" in data and data["status"] is not None:
        changes["status"] = parse_status(data["status"])
    if "expiry_date" in data:
        changes["expiry"] = parse_expiry(data["expiry_date"])
    if "parent_id_tag" in data:
        changes["parent_id"] = _text(data["parent_id_tag"])
    if "chargers" in data:
        chargers = {str(c).strip() for c in data["chargers"] or () if str(c).strip()}
        unknown = sorted(chargers - known_chargers)
        if unknown:
            raise TagError("unknown_charger", ", ".join(unknown))
        changes["chargers"] = frozenset(chargers)
    return changes


def tag_error(err: TagError) -> ServiceValidationError:
    """The translated error of a refused tag change."""
    return validation_error(f"tag_{err.code}", tag=err.tag, detail=err.detail)


def tag_view(record: TagRecord) -> dict[str, Any]:
    """A tag as list_tags shows it (with its status now: an Accepted tag past its expiry is Expired)."""
    return {**record.to_dict(), "status_now": record.status_at(utcnow())}


# ---- the services ------------------------------------------------------------------------


def central_named(hass: HomeAssistant, data: dict[str, Any]) -> CentralBackend:
    """The named entry's central system (embedded or the add-on's: its tags and tariffs live there), or the only
    one."""
    entry_id = data.get(ATTR_CONFIG_ENTRY_ID)
    loaded: list[OcppConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    if entry_id is None:
        if len(loaded) != 1:
            raise validation_error("central_system_required")
        only: CentralBackend = loaded[0].runtime_data.central
        return only
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        raise validation_error("central_system_not_found", entry_id=str(entry_id))
    central: CentralBackend = entry.runtime_data.central
    return central


TagWrite = Callable[[CentralRecords, str, dict[str, Any]], Awaitable[TagRecord]]


async def _write_tag(call: ServiceCall, write: TagWrite) -> ServiceResponse:
    """add_tag and update_tag: the fields given, checked, written by `write` (id tag, changes)."""
    central = central_named(call.hass, dict(call.data))
    try:
        changes = tag_changes(dict(call.data), set(central.stations))
        record = await write(central.records, str(call.data[ATTR_ID_TAG]), changes)
    except TagError as err:
        raise tag_error(err) from err
    return {"tag": tag_view(record)} if call.return_response else None


async def _add_tag(call: ServiceCall) -> ServiceResponse:
    return await _write_tag(call, lambda central, id_tag, changes: central.add_tag(TagRecord(id_tag, **changes)))


async def _update_tag(call: ServiceCall) -> ServiceResponse:
    return await _write_tag(call, lambda central, id_tag, changes: central.update_tag(id_tag, changes))


async def _remove_tag(call: ServiceCall) -> ServiceResponse:
    central = central_named(call.hass, dict(call.data))
    try:
        await central.records.remove_tags(call.data[ATTR_ID_TAG])
    except TagError as err:
        raise tag_error(err) from err
    return None


async def _list_tags(call: ServiceCall) -> ServiceResponse:
    tags = await central_named(call.hass, dict(call.data)).records.tag_list()
    return {"version": tags.version, "tags": [tag_view(record) for record in tags]}


# registered with the others by services/__init__.py
TAG_SERVICES: Final = (
    DomainService(SERVICE_ADD_TAG, _add_tag, ADD_SCHEMA, SupportsResponse.OPTIONAL),
    DomainService(SERVICE_UPDATE_TAG, _update_tag, UPDATE_SCHEMA, SupportsResponse.OPTIONAL),
    DomainService(SERVICE_REMOVE_TAG, _remove_tag, REMOVE_SCHEMA, SupportsResponse.NONE),
    DomainService(SERVICE_LIST_TAGS, _list_tags, LIST_SCHEMA, SupportsResponse.ONLY),
)
TAG_SCHEMAS: Final = schemas_of(TAG_SERVICES)
