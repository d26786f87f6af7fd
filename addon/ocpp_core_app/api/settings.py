"""Per-charger settings and passwords: what the integration's options flow edits in remote mode (and the web UI's
charger pages edit too); and forgetting a charger (the integration's device removal).  Each change is stored at once (csms saves before it answers) and announced on the event
stream (SETTINGS_CHANGED carries the charger's mirror, its settings with it).

Passwords are write-only: set (stored hashed, optionally sent to the charger first), cleared, and whether one is
set; no answer ever carries a hash or a password.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..central_import import csms
from .errors import ApiError
from .routes import _dumps, json_body, station_of

# the answers that mean the charger took the password (1.6 ChangeConfiguration, 2.x SetVariables)
_PASSWORD_TAKEN = frozenset({"Accepted", "RebootRequired"})
_NUMBERS = {"max_current": float, "phases": int, "meter_interval": int}


def _invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_settings", message)


def settings_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The ChargerSettings changes a body gives (null clears a setting); 400 invalid_settings names a bad one."""
    known = set(csms.ChargerSettings.__dataclass_fields__)
    unknown = sorted(set(body) - known)
    if unknown:
        raise _invalid(f"unknown setting(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    changes: dict[str, Any] = {}
    for name, value in body.items():
        if name in _NUMBERS and value is not None:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise _invalid(f"{name}: a number")
            try:
                value = _NUMBERS[name](float(value)) if _NUMBERS[name] is float else int(str(value))
            except ValueError:
                raise _invalid(f"{name}: a number, not {value!r}") from None
        elif name == "friendly_name" and value is not None:
            value = str(value).strip() or None
        elif name == "push_local_list":
            if not isinstance(value, bool):
                raise _invalid("push_local_list: true or false")
        elif name == "limit_profile":
            if not isinstance(value, str):
                raise _invalid("limit_profile: a text")
        elif name == "connector_names":
            value = _connector_names(value)
        changes[name] = value
    return changes


def _connector_names(value: Any) -> dict[int, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid("connector_names: an object of connector number → name")
    names: dict[int, str] = {}
    for key, name in value.items():
        try:
            number = int(key)
        except ValueError:
            raise _invalid(f"connector_names: {key!r} is no connector number") from None
        if name is not None and str(name).strip():
            names[number] = str(name).strip()
    return names


def settings_view(central: Any, station: Any) -> dict[str, Any]:
    station_id = station.station_id
    return {"settings": station.settings.to_dict(), "has_password": central.credentials.has_password(station_id)}


async def list_settings(request: web.Request) -> web.Response:
    """Every charger's settings and whether it has a password, and whether new chargers have one."""
    central = request.app["central"]
    chargers = {sid: settings_view(central, s) for sid, s in sorted(central.stations.items())}
    body = {"chargers": chargers, "new_charger_password": central.credentials.has_new_charger_password}
    return web.json_response(body, dumps=_dumps)


async def get_settings(request: web.Request) -> web.Response:
    return web.json_response(settings_view(request.app["central"], station_of(request)), dumps=_dumps)


async def update_settings(request: web.Request) -> web.Response:
    """The settings given change (the others stay); 400 invalid_settings, nothing changed, for a bad one."""
    central = request.app["central"]
    station = station_of(request)
    changes = settings_changes(await json_body(request))
    try:
        await central.update_settings(station.station_id, changes)
    except csms.InvalidSettings as err:
        raise _invalid(str(err)) from None
    return web.json_response(settings_view(central, station), dumps=_dumps)


def _checked_password(body: dict[str, Any], push: bool) -> str:
    password = body.get("password")
    if not isinstance(password, str) or not password:
        raise ApiError(400, "password_required", "password: required, a text")
    try:
        csms.validate_password(password, push=push)
    except csms.InvalidPassword as err:
        short_or_long = not csms.PUSH_MIN_LENGTH <= len(password) <= csms.PUSH_MAX_LENGTH
        code = "password_length" if push and short_or_long else "password_invalid"
        raise ApiError(400, code, f"password: {err}") from None
    return password


async def set_password(request: web.Request) -> web.Response:
    """{password, send_to_charger (default false)}: stored hashed; sent first, a refusal changes nothing."""
    central = request.app["central"]
    station_id = station_of(request).station_id
    body = await json_body(request)
    push = body.get("send_to_charger", False)
    if not isinstance(push, bool):
        raise ApiError(400, "bad_request", "send_to_charger: true or false")
    password = _checked_password(body, push)
    if not push:
        await central.credentials.set_password(station_id, password)
        return web.json_response({"stored": True, "has_password": True})
    if not central.is_connected(station_id):
        raise ApiError(503, "offline", f"charger {station_id} is not connected")
    status = await central.credentials.set_password(station_id, password, push=True)
    if status not in _PASSWORD_TAKEN:
        raise ApiError(502, "refused", f"{station_id} answered {status}", answer={"status": status})
    return web.json_response({"stored": True, "has_password": True, "status": status})


async def clear_password(request: web.Request) -> web.Response:
    """The charger's own password removed (it then connects as a new charger does)."""
    central = request.app["central"]
    station_id = station_of(request).station_id
    await central.credentials.set_password(station_id, None)
    return web.json_response({"removed": True, "has_password": False})


async def set_new_charger_password(request: web.Request) -> web.Response:
    """{password}: what chargers without a password of their own connect with."""
    password = _checked_password(await json_body(request), False)
    await request.app["central"].credentials.set_new_charger_password(password)
    return web.json_response({"new_charger_password": True})


async def clear_new_charger_password(request: web.Request) -> web.Response:
    await request.app["central"].credentials.set_new_charger_password(None)
    return web.json_response({"new_charger_password": False})


async def forget_charger(request: web.Request) -> web.Response:
    """Everything kept about a charger removed (its settings, password, sessions, limits, tariffs); 409
    charger_connected, nothing removed, while it is connected."""
    central = request.app["central"]
    station_id = station_of(request).station_id
    if not await central.forget_station(station_id):
        raise ApiError(409, "charger_connected", f"charger {station_id} is connected: disconnect it first")
    return web.json_response({"forgotten": station_id})


def add_routes(app: web.Application, prefix: str) -> None:
    app.router.add_get(f"{prefix}/settings", list_settings)
    app.router.add_delete(f"{prefix}/chargers/{{charger_id}}", forget_charger)
    app.router.add_get(f"{prefix}/chargers/{{charger_id}}/settings", get_settings)
    app.router.add_put(f"{prefix}/chargers/{{charger_id}}/settings", update_settings)
    app.router.add_put(f"{prefix}/chargers/{{charger_id}}/password", set_password)
    app.router.add_delete(f"{prefix}/chargers/{{charger_id}}/password", clear_password)
    app.router.add_put(f"{prefix}/new_charger_password", set_new_charger_password)
    app.router.add_delete(f"{prefix}/new_charger_password", clear_new_charger_password)
