"""POST /api/v1/chargers/{id}/commands/{name}: the HA services' charger commands (the same names and fields),
carried out through the central system's version-neutral and typed calls; the answer is the charger's."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import fields as f
from .command_types import NO_REFUSALS, Answer, Command, command, open_transaction
from .commands_admin import ADMIN_COMMANDS
from .commands_lists import LIST_COMMANDS
from .commands_more import MORE_COMMANDS
from .commands_security import SECURITY_COMMANDS
from .errors import ApiError, bad_request
from .routes import _dumps, json_body, station_of

# 2.x's Immediate is 1.6's Soft; 1.6's Soft and Hard are 2.x's Immediate
_V16_RESET = {"Immediate": "Soft"}
_V2_RESET = {"Soft": "Immediate", "Hard": "Immediate"}


async def _start(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    id_tag = f.required_text(body, "id_tag")
    connector = f.integer(body, "connector_id", minimum=1)
    profile = f.obj(body, "charging_profile")
    sid = station.station_id
    if not station.is_v2:
        answer: Answer = await central.v16(sid).remote_start_transaction(id_tag, connector or 1, profile)
        return answer
    remote_start_id = central.next_remote_start_id()
    answer = await central.v201(sid).request_start_transaction(
        id_tag,
        remote_start_id,
        evse_id=connector,
        charging_profile=profile,
        id_token_type=f.text(body, "id_token_type") or "Central",
    )
    return {**answer, "remoteStartId": remote_start_id}


async def _stop(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    given = body.get("transaction_id")
    tx = str(given) if given is not None else open_transaction(station, f.integer(body, "connector_id", minimum=1))
    if station.is_v2:
        answer: Answer = await central.v201(station.station_id).request_stop_transaction(tx)
        return answer
    if not tx.isdigit():
        raise bad_request("transaction_id: an OCPP 1.6 transaction id is a number")
    answer = await central.v16(station.station_id).remote_stop_transaction(int(tx))
    return answer


async def _unlock(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    connector = f.integer(body, "connector_id", minimum=1) or 1
    if not station.is_v2:
        answer: Answer = await central.v16(station.station_id).unlock_connector(connector)
        return answer
    evse_connector = f.integer(body, "evse_connector_id", minimum=1) or 1
    answer = await central.v201(station.station_id).unlock_connector(connector, evse_connector)
    return answer


async def _reset(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    kind = f.text(body, "type")
    if not station.is_v2:
        answer: Answer = await central.v16(station.station_id).reset(_V16_RESET.get(kind or "Soft", kind or "Soft"))
        return answer
    kind = kind or "Immediate"
    answer = await central.v201(station.station_id).reset(
        _V2_RESET.get(kind, kind), f.integer(body, "connector_id", minimum=1)
    )
    return answer


async def _availability(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    kind = f.required_text(body, "type")
    connector = f.integer(body, "connector_id")
    if not station.is_v2:
        answer: Answer = await central.v16(station.station_id).change_availability(connector or 0, kind)
        return answer
    answer = await central.v201(station.station_id).change_availability(
        kind, connector or None, f.integer(body, "evse_connector_id", minimum=1)
    )
    return answer


async def _trigger(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    message = f.required_text(body, "requested_message")
    connector = f.integer(body, "connector_id")
    if not station.is_v2:
        answer: Answer = await central.v16(station.station_id).trigger_message(message, connector)
        return answer
    answer = await central.v201(station.station_id).trigger_message(
        message, connector or None, f.integer(body, "evse_connector_id", minimum=1)
    )
    return answer


async def _get_configuration(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    keys = body.get("keys")
    if isinstance(keys, str):
        keys = [keys]
    if keys is not None and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
        raise bad_request("keys: a list of configuration keys")
    answer: Answer = await central.v16(station.station_id).get_configuration(keys)
    return answer


async def _change_configuration(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    key = f.required_text(body, "key")
    if "value" not in body:
        raise bad_request("value: required")
    answer: Answer = await central.v16(station.station_id).change_configuration(key, f.config_value(body["value"]))
    return answer


def _with_attribute(entries: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    kind = f.text(body, "attribute_type")
    return [{"attributeType": kind, **entry} if kind else entry for entry in entries]


async def _get_variables(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    answer: Answer = await central.v201(station.station_id).get_variables(_with_attribute(f.variables(body), body))
    return answer


async def _set_variables(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    entries = _with_attribute(f.variable_values(body), body)
    answer: Answer = await central.v201(station.station_id).set_variables(entries)
    results = answer.get("setVariableResult")
    if any(r.get("attributeStatus") not in ("Accepted", "RebootRequired") for r in results or ()):
        raise ApiError(502, "refused", "the charger refused some of the variables (the others were set)", answer=answer)
    return answer


async def _clear_cache(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    commands = central.v201(station.station_id) if station.is_v2 else central.v16(station.station_id)
    answer: Answer = await commands.clear_cache()
    return answer


async def _send_call(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    action = f.required_text(body, "action")
    answer: Answer = await central.call(station.station_id, action, f.obj(body, "payload") or {})
    return answer


async def _set_limit(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    """csms's load management: keep the charger (connector_id 0 or none) or one connector / EVSE at a limit."""
    amps, watts = f.number(body, "amps"), f.number(body, "watts")
    if (amps is None) == (watts is None):
        raise bad_request("give exactly one of amps, watts")
    state = await central.limits.set_limit(
        station.station_id, f.integer(body, "connector_id") or 0, amps=amps, watts=watts
    )
    result: Answer = state.to_dict()
    return result


async def _clear_limit(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    cleared = await central.limits.clear_limit(station.station_id, f.integer(body, "connector_id") or 0)
    return {"cleared": cleared}


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
