"""The charger page's commands, sent through the API's own command code (api/commands.py: the version-neutral
calls of csms), each form checked first; the outcome a Notice in the user's language (a refusal shows the
charger's answer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..api.commands import COMMANDS
from ..api.errors import ApiError
from ..central_import import csms
from .context import Context

# the page's actions -> the API's commands; every user may start and stop (with their own tags), the rest is
# for admins
ACTIONS = {
    "start": "start_transaction",
    "stop": "stop_transaction",
    "unlock": "unlock_connector",
    "restart": "reset",
    "limit": "set_current_limit",
}
USER_ACTIONS = frozenset({"start", "stop"})
MAX_AMPS = 1000.0


@dataclass(frozen=True, slots=True)
class Notice:
    ok: bool
    text: str
    # the form's field the error is about (highlighted), if any
    field: str | None = None


class FormError(Exception):
    def __init__(self, key: str, field: str | None = None, **values: object) -> None:
        super().__init__(key)
        self.key, self.field, self.values = key, field, values


def _connector(ctx: Context, station: Any) -> int | None:
    text = ctx.field("connector")
    if not text:
        return None
    if not text.isdigit() or int(text) not in station.connectors or int(text) == 0:
        raise FormError("core.command.error.connector", "connector")
    return int(text)


def _amps(ctx: Context) -> float:
    text = ctx.field("amps").replace(",", ".")
    try:
        amps = float(text)
    except ValueError:
        raise FormError("core.command.error.amps", "amps", max=int(MAX_AMPS)) from None
    if not 0 <= amps <= MAX_AMPS:
        raise FormError("core.command.error.amps", "amps", max=int(MAX_AMPS))
    return amps


def _own(ctx: Context, id_tag: str | None) -> bool:
    if ctx.user is not None and ctx.user.is_admin:
        return True
    own = {t.casefold() for t in ctx.state.accounts.own_tags(ctx.user.key if ctx.user else "")}
    return id_tag is not None and id_tag.casefold() in own


def _open_tag(station: Any, connector: int | None) -> str | None:
    for number, c in station.connectors.items():
        if c.transaction is not None and connector in (None, number):
            tag: str | None = c.transaction.id_tag
            return tag
    return None


def _body(ctx: Context, station: Any, action: str) -> dict[str, Any]:
    """The API command's fields from the form; FormError when something is wrong."""
    connector = _connector(ctx, station)
    if action == "start":
        id_tag = ctx.field("id_tag")
        if not id_tag:
            raise FormError("core.command.error.tag_required", "id_tag")
        if not _own(ctx, id_tag):
            raise FormError("core.command.error.not_own_tag", "id_tag", tag=id_tag)
        return {"id_tag": id_tag, "connector_id": connector} if connector else {"id_tag": id_tag}
    if action == "stop":
        if not _own(ctx, _open_tag(station, connector)):
            raise FormError("core.command.error.not_own_session")
        return {"connector_id": connector} if connector else {}
    if action == "unlock":
        return {"connector_id": connector or 1}
    if action == "restart":
        return {"type": "Hard" if ctx.field("hard") else "Soft"}
    return {"amps": _amps(ctx), "connector_id": connector or 0}


def _answer_text(answer: Any) -> str:
    if isinstance(answer, dict):
        status = answer.get("status")
        info = answer.get("statusInfo") or {}
        reason = info.get("reasonCode") if isinstance(info, dict) else None
        if status:
            return f"{status}" + (f" ({reason})" if reason else "")
        if "code" in answer:
            return f"{answer.get('code')}: {answer.get('description') or ''}".strip()
    return str(answer)


async def send(ctx: Context, station: Any, action: str) -> Notice:
    """Check the form, send the command, say how it went."""
    central = ctx.state.central
    name = ACTIONS.get(action)
    if name is None:
        return Notice(False, ctx.t("core.command.error.unknown"))
    if action not in USER_ACTIONS and not (ctx.user is not None and ctx.user.is_admin):
        return Notice(False, ctx.t("core.error.admins_only"))
    try:
        body = _body(ctx, station, action)
    except FormError as err:
        return Notice(False, ctx.t(err.key, **err.values), err.field)
    if not central.is_connected(station.station_id):
        return Notice(False, ctx.t("core.command.error.offline"))
    command = COMMANDS[name]
    try:
        answer = await command.run(central, station, body)
    except ApiError as err:
        if err.code == "no_open_transaction":
            return Notice(False, ctx.t("core.command.error.no_session"))
        if err.code == "several_open_transactions":
            return Notice(False, ctx.t("core.command.error.several_sessions"))
        return Notice(False, ctx.t("core.command.error.failed", detail=err.message))
    except csms.NotConnected:
        return Notice(False, ctx.t("core.command.error.offline"))
    except csms.CallTimeout:
        return Notice(False, ctx.t("core.command.error.timeout"))
    except csms.CallError as err:
        return Notice(False, ctx.t("core.command.refused", answer=f"{err.code}: {err.description or ''}".strip()))
    except csms.InvalidLimit as err:
        return Notice(False, ctx.t("core.command.error.limit", detail=str(err)), "amps")
    status = answer.get("status") if isinstance(answer, dict) else None
    refused = command.refused
    if isinstance(status, str) and (status in refused if refused is not None else status != "Accepted"):
        return Notice(False, ctx.t("core.command.refused", answer=_answer_text(answer)))
    return Notice(True, ctx.t(f"core.command.done.{action}"))
