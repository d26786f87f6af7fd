"""POST /api/v1/chargers/{id}/commands/{name}: the HA services' charger commands (the same names and fields),
carried out through the central system's version-neutral and typed calls; the answer is the charger's."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..central_import import csms
from . import fields as f
from .command_types import (
    NO_REFUSALS,
    Answer,
    Body,
    CentralSystem,
    Command,
    Station,
    answer_of,
    charger,
    command,
    open_transaction,
)
from .commands_admin import ADMIN_COMMANDS
from .commands_lists import LIST_COMMANDS
from .commands_more import MORE_COMMANDS
from .commands_security import SECURITY_COMMANDS
from .errors import ApiError, bad_request
from .routes import _dumps, json_body, station_of

# the reset types of either version: (hard, once idle); 1.6's Soft and Hard are 2.x's Immediate
_RESETS = {"Soft": (False, False), "Immediate": (False, False), "Hard": (True, False), "OnIdle": (False, True)}
_AVAILABILITIES = {"Operative": True, "Inoperative": False}


def _one_of[T](body: Body, name: str, choices: dict[str, T], default: str | None = None) -> T:
    value = f.text(body, name) or default
    if value is None:
        raise bad_request(f"{name}: required")
    if value not in choices:
        raise bad_request(f"{name}: one of {', '.join(choices)}")
    return choices[value]


async def _start(central: CentralSystem, station: Station, body: Body) -> Answer:
    request = csms.RemoteStart(
        f.required_text(body, "id_tag"),
        f.integer(body, "connector_id", minimum=1),
        charging_profile=f.obj(body, "charging_profile"),
        id_token_type=f.text(body, "id_token_type"),
    )
    answer = await charger(central, station).remote_start(request)
    return answer_of(answer) if answer.value is None else answer_of(answer, remoteStartId=answer.value)


async def _stop(central: CentralSystem, station: Station, body: Body) -> Answer:
    given = body.get("transaction_id")
    tx = str(given) if given is not None else open_transaction(station, f.integer(body, "connector_id", minimum=1))
    return answer_of(await charger(central, station).remote_stop(tx))


async def _unlock(central: CentralSystem, station: Station, body: Body) -> Answer:
    connector = f.integer(body, "connector_id", minimum=1) or 1
    evse_connector = f.integer(body, "evse_connector_id", minimum=1)
    return answer_of(await charger(central, station).unlock(connector, evse_connector))


async def _reset(central: CentralSystem, station: Station, body: Body) -> Answer:
    hard, on_idle = _one_of(body, "type", _RESETS, "Soft")
    connector = f.integer(body, "connector_id", minimum=1)
    return answer_of(await charger(central, station).restart(hard, evse_id=connector, on_idle=on_idle))


async def _availability(central: CentralSystem, station: Station, body: Body) -> Answer:
    operative = _one_of(body, "type", _AVAILABILITIES)
    connector, evse_connector = f.integer(body, "connector_id"), f.integer(body, "evse_connector_id", minimum=1)
    return answer_of(await charger(central, station).change_availability(connector, operative, evse_connector))


async def _trigger(central: CentralSystem, station: Station, body: Body) -> Answer:
    message = f.required_text(body, "requested_message")
    connector, evse_connector = f.integer(body, "connector_id"), f.integer(body, "evse_connector_id", minimum=1)
    return answer_of(await charger(central, station).trigger_message(message, connector, evse_connector))


async def _get_configuration(central: CentralSystem, station: Station, body: Body) -> Answer:
    keys = body.get("keys")
    if isinstance(keys, str):
        keys = [keys]
    if keys is not None and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
        raise bad_request("keys: a list of configuration keys")
    return answer_of(await charger(central, station).get_configuration(keys))


async def _change_configuration(central: CentralSystem, station: Station, body: Body) -> Answer:
    key = f.required_text(body, "key")
    if "value" not in body:
        raise bad_request("value: required")
    return answer_of(await charger(central, station).change_configuration(key, f.config_value(body["value"])))


def _with_attribute(entries: list[dict[str, Any]], body: Body) -> list[dict[str, Any]]:
    kind = f.text(body, "attribute_type")
    return [{"attributeType": kind, **entry} if kind else entry for entry in entries]


async def _get_variables(central: CentralSystem, station: Station, body: Body) -> Answer:
    entries = _with_attribute(f.variables(body), body)
    return answer_of(await charger(central, station).get_variables(entries))


async def _set_variables(central: CentralSystem, station: Station, body: Body) -> Answer:
    entries = _with_attribute(f.variable_values(body), body)
    answer = answer_of(await charger(central, station).set_variables(entries))
    results = answer.get("setVariableResult")
    if any(r.get("attributeStatus") not in ("Accepted", "RebootRequired") for r in results or ()):
        raise ApiError(502, "refused", "the charger refused some of the variables (the others were set)", answer=answer)
    return answer


async def _clear_cache(central: CentralSystem, station: Station, body: Body) -> Answer:
    return answer_of(await charger(central, station).clear_cache())


async def _send_call(central: CentralSystem, station: Station, body: Body) -> Answer:
    """Any action, its payload in the charger's version (a raw CALL: the one command that is not neutral)."""
    action = f.required_text(body, "action")
    return dict(await central.call(station.station_id, action, f.obj(body, "payload") or {}))


async def _set_limit(central: CentralSystem, station: Station, body: Body) -> Answer:
    """csms's load management: keep the charger (connector_id 0 or none) or one connector / EVSE at a limit."""
    amps, watts = f.number(body, "amps"), f.number(body, "watts")
    if (amps is None) == (watts is None):
        raise bad_request("give exactly one of amps, watts")
    state = await central.limits.set_limit(
        station.station_id, f.integer(body, "connector_id") or 0, amps=amps, watts=watts
    )
    result: Answer = state.to_dict()
    return result


async def _clear_limit(central: CentralSystem, station: Station, body: Body) -> Answer:
    cleared = await central.limits.clear_limit(station.station_id, f.integer(body, "connector_id") or 0)
    return {"cleared": cleared}


async def _pause(central: CentralSystem, station: Station, body: Body) -> Answer:
    """A limit of 0 A (the session goes on, the EV waits); resume_charging goes back to the limit before."""
    result: Answer = (await central.limits.pause(station.station_id, f.integer(body, "connector_id") or 0)).to_dict()
    return result


async def _resume(central: CentralSystem, station: Station, body: Body) -> Answer:
    state = await central.limits.resume(station.station_id, f.integer(body, "connector_id") or 0)
    return state.to_dict() if state is not None else {"cleared": True}


COMMANDS: dict[str, Command] = {
    "start_transaction": command(
        _start, frozenset({"Rejected"}), "connector_id", "id_tag", "charging_profile", "id_token_type"
    ),
    "stop_transaction": command(_stop, frozenset({"Rejected"}), "connector_id", "transaction_id"),
    "unlock_connector": command(
        _unlock,
        frozenset({"UnlockFailed", "NotSupported", "OngoingAuthorizedTransaction", "UnknownConnector"}),
        "connector_id",
        "evse_connector_id",
    ),
    "reset": command(_reset, frozenset({"Rejected"}), "type", "connector_id"),
    "change_availability": command(_availability, frozenset({"Rejected"}), "type", "connector_id", "evse_connector_id"),
    "trigger_message": command(
        _trigger, frozenset({"Rejected", "NotImplemented"}), "requested_message", "connector_id", "evse_connector_id"
    ),
    "clear_cache": command(_clear_cache, frozenset({"Rejected"})),
    "get_configuration": command(_get_configuration, NO_REFUSALS, "keys"),
    "change_configuration": command(_change_configuration, frozenset({"Rejected", "NotSupported"}), "key", "value"),
    "get_variables": command(_get_variables, NO_REFUSALS, "variables", "attribute_type"),
    "set_variables": command(_set_variables, NO_REFUSALS, "variables", "attribute_type"),
    "send_call": command(_send_call, NO_REFUSALS, "action", "payload"),
    "set_current_limit": command(_set_limit, NO_REFUSALS, "connector_id", "amps", "watts"),
    "clear_current_limit": command(_clear_limit, NO_REFUSALS, "connector_id"),
    "pause_charging": command(_pause, NO_REFUSALS, "connector_id"),
    "resume_charging": command(_resume, NO_REFUSALS, "connector_id"),
    **MORE_COMMANDS,
    **SECURITY_COMMANDS,
    **LIST_COMMANDS,
    **ADMIN_COMMANDS,
}


async def run_command(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    command = COMMANDS.get(name)
    if command is None:
        raise ApiError(404, "unknown_command", f"no command {name!r} (known: {', '.join(sorted(COMMANDS))})")
    station = station_of(request)
    body = await json_body(request)
    unknown = sorted(set(body) - command.fields)
    if unknown:
        raise bad_request(f"{name} has no field {', '.join(unknown)} (its fields: {', '.join(sorted(command.fields))})")
    answer = await command.run(request.app["central"], station, body)
    status = answer.get("status") if isinstance(answer, dict) else None
    refused = command.refused
    if isinstance(status, str) and (status in refused if refused is not None else status != "Accepted"):
        raise ApiError(502, "refused", f"{station.station_id} answered {status}", answer=answer)
    return web.json_response({"answer": answer}, dumps=_dumps)


__all__ = ["COMMANDS", "run_command"]
