"""The HA services' send_local_list (1.6 and 2.x) and set_display_message (2.x)."""

from __future__ import annotations

from typing import Any

from . import fields as f
from .command_types import Answer, Command, command
from .errors import bad_request

_CARD_TOKEN_TYPE = "ISO14443"
_REMOTE_TOKEN_TYPE = "Central"


def _v2_entry(entry: dict[str, Any], token_type: str) -> dict[str, Any]:
    """A local list entry in 2.x's form: as given, or made from 1.6's {idTag, idTagInfo}."""
    if "idTag" not in entry:
        return entry
    converted: dict[str, Any] = {"idToken": {"idToken": entry["idTag"], "type": token_type}}
    info = entry.get("idTagInfo")
    if isinstance(info, dict):
        token_info: dict[str, Any] = {"status": info.get("status")}
        if "expiryDate" in info:
            token_info["cacheExpiryDateTime"] = info["expiryDate"]
        if "parentIdTag" in info:
            token_info["groupIdToken"] = {"idToken": info["parentIdTag"], "type": _REMOTE_TOKEN_TYPE}
        converted["idTokenInfo"] = token_info
    return converted


async def _send_local_list(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    version = f.integer(body, "list_version")
    if version is None:
        raise bad_request("list_version: required")
    entries = body.get("local_authorization_list") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise bad_request("local_authorization_list: a list of objects")
    update_type = f.text(body, "update_type") or "Full"
    if not station.is_v2:
        if any("idTag" not in entry for entry in entries):
            raise bad_request("OCPP 1.6 list entries are {idTag, idTagInfo}")
        answer: Answer = await central.v16(station.station_id).send_local_list(version, update_type, entries or None)
        return answer
    token_type = f.text(body, "id_token_type") or _CARD_TOKEN_TYPE
    answer = await central.v201(station.station_id).send_local_list(
        version, update_type, [_v2_entry(entry, token_type) for entry in entries]
    )
    return answer


async def _set_display_message(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    message_id = f.integer(body, "message_id")
    if message_id is None:
        message_id = central.next_request_id()
    content: dict[str, Any] = {"format": f.text(body, "format") or "UTF8", "content": f.required_text(body, "message")}
    if (language := f.text(body, "language")) is not None:
        content["language"] = language
    message: dict[str, Any] = {
        "id": message_id,
        "priority": f.text(body, "priority") or "NormalCycle",
        "message": content,
    }
    for field, key in (
        ("state", "state"),
        ("start_time", "startDateTime"),
        ("end_time", "endDateTime"),
        ("transaction_id", "transactionId"),
    ):
        if body.get(field) is not None:
            message[key] = str(body[field])
    answer: Answer = await central.v201(station.station_id).set_display_message(message)
    return {**answer, "messageId": message_id}  # what clear_display_message needs


LIST_COMMANDS: dict[str, Command] = {
    "send_local_list": command(
        _send_local_list,
        frozenset({"Failed", "NotSupported", "VersionMismatch"}),
        "list_version",
        "update_type",
        "local_authorization_list",
        "id_token_type",
    ),
    "set_display_message": command(
        _set_display_message,
        None,
        "message",
        "message_id",
        "priority",
        "state",
        "format",
        "language",
        "start_time",
        "end_time",
        "transaction_id",
    ),
}
