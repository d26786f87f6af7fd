"""The HA services' send_local_list (1.6 and 2.x) and set_display_message (2.x)."""

from __future__ import annotations

from typing import Any

from . import fields as f
from .command_types import Answer, Body, CentralSystem, Command, Station, answer_of, charger, command
from .errors import bad_request

# the tokens of 1.6-form entries sent to a 2.x charger when no id_token_type is given
_CARD_TOKEN_TYPE = "ISO14443"


async def _send_local_list(central: CentralSystem, station: Station, body: Body) -> Answer:
    """Entries in 1.6's form {idTag, idTagInfo} (any charger) or in the charger's own version's form."""
    version = f.integer(body, "list_version")
    if version is None:
        raise bad_request("list_version: required")
    entries = body.get("local_authorization_list") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise bad_request("local_authorization_list: a list of objects")
    update_type = f.text(body, "update_type") or "Full"
    token_type = f.text(body, "id_token_type") or _CARD_TOKEN_TYPE
    return answer_of(
        await charger(central, station).send_local_list_as_given(version, update_type, entries, token_type)
    )


async def _set_display_message(central: CentralSystem, station: Station, body: Body) -> Answer:
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
    answer = await charger(central, station).set_display_message(message)
    return answer_of(answer, messageId=message_id)  # what clear_display_message needs


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
