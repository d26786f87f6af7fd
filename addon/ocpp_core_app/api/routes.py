"""The state endpoints: chargers, transactions, tags (read, and the tag book's changes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .. import __version__
from ..central_import import csms
from .errors import ApiError, bad_request
from .state import charger_view, mirror_view, tag_view
from .tags import tag_api_error, tag_changes


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object (an empty body is {})."""
    text = await request.text()
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except ValueError as err:
        raise bad_request(f"the body is no JSON: {err}") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return body


def station_of(request: web.Request) -> Any:
    charger_id = request.match_info["charger_id"]
    station = request.app["central"].stations.get(charger_id)
    if station is None:
        raise ApiError(404, "unknown_charger", f"no charger {charger_id!r}")
    return station


async def list_chargers(request: web.Request) -> web.Response:
    central = request.app["central"]
    stations = sorted(central.stations.values(), key=lambda s: s.station_id)
    return web.json_response({"chargers": [charger_view(central, s) for s in stations]}, dumps=_dumps)


async def snapshot(request: web.Request) -> web.Response:
    """The whole state and the journal's seq it is consistent with (made at one instant: nothing in between), so a
    client reads this, then the event stream from `seq` (GET /events?since=<seq>&stream=<stream>)."""
    central, journal = request.app["central"], request.app["journal"]
    stations = sorted(central.stations.values(), key=lambda s: s.station_id)
    tags = central.tags
    body = {
        "version": __version__,
        "stream": journal.stream,
        "seq": journal.last_seq,
        "chargers": [{**charger_view(central, s), "mirror": mirror_view(central, s)} for s in stations],
        "tags": {"version": tags.version, "tags": [tag_view(r) for r in tags]},
    }
    return web.json_response(body, dumps=_dumps)


async def get_charger(request: web.Request) -> web.Response:
    return web.json_response(charger_view(request.app["central"], station_of(request)), dumps=_dumps)


def _bound(request: web.Request, name: str) -> datetime | None:
    text = request.query.get(name)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{name}: not an ISO 8601 time: {text!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


async def list_transactions(request: web.Request) -> web.Response:
    """csms's transactions query (open and recent), filtered by charger, tag, since, until."""
    central = request.app["central"]
    charger = request.query.get("charger") or None
    if charger is not None and charger not in central.stations:
        raise ApiError(404, "unknown_charger", f"no charger {charger!r}")
    found = central.transactions(charger, _bound(request, "since"), _bound(request, "until"))
    tag = request.query.get("tag")
    if tag:
        wanted = tag.strip().casefold()
        found = [tx for tx in found if (tx.get("id_tag") or "").strip().casefold() == wanted]
    return web.json_response({"transactions": found}, dumps=_dumps)


async def list_tags(request: web.Request) -> web.Response:
    tags = request.app["central"].tags
    return web.json_response({"version": tags.version, "tags": [tag_view(r) for r in tags]}, dumps=_dumps)


async def add_tag(request: web.Request) -> web.Response:
    central = request.app["central"]
    body = await json_body(request)
    id_tag = body.get("id_tag")
    if not isinstance(id_tag, str) or not id_tag.strip():
        raise bad_request("id_tag: required, a text")
    try:
        record = await central.add_tag(csms.TagRecord(id_tag, **tag_changes(body, set(central.stations))))
    except csms.TagError as err:
        raise tag_api_error(err) from err
    return web.json_response({"tag": tag_view(record)}, status=201, dumps=_dumps)


async def update_tag(request: web.Request) -> web.Response:
    central = request.app["central"]
    body = await json_body(request)
    id_tag = request.match_info["id_tag"]
    if body.get("id_tag", id_tag) != id_tag:
        raise bad_request("id_tag: the path names the tag; it cannot be changed")
    body.pop("id_tag", None)
    try:
        record = await central.update_tag(id_tag, tag_changes(body, set(central.stations)))
    except csms.TagError as err:
        raise tag_api_error(err) from err
    return web.json_response({"tag": tag_view(record)}, dumps=_dumps)


async def remove_tag(request: web.Request) -> web.Response:
    central = request.app["central"]
    try:
        removed = await central.remove_tags([request.match_info["id_tag"]])
    except csms.TagError as err:
        raise tag_api_error(err) from err
    return web.json_response({"removed": [r.id_tag for r in removed]}, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str)
