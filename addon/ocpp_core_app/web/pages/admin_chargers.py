"""Admin: the charge points — id, name, comment, Basic-auth password (set, sent to the charger, or removed), client
certificate thumbprint, max current, phases; restart and unlock.  A save checks every field first and saves all
or nothing (a later step that fails undoes the earlier ones)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...admin.chargers import ChargerNotes, NoteError, parse_comment, parse_thumbprint
from ...central_import import csms
from ...store import StoreError
from ..admin_forms import Errors, admin_data, render_admin, station_of
from ..commands import send
from ..context import Context
from ..registry import ADMIN, page
from ..tiles import charger_name

MAX_NAME = 100
# answers meaning the charger took the new password
_TAKEN = ("Accepted", "RebootRequired")


def _rows(ctx: Context) -> list[dict[str, Any]]:
    central, notes = ctx.state.central, admin_data(ctx).notes
    return [
        {
            "station": station,
            "name": charger_name(station),
            "connected": central.is_connected(station.station_id),
            "password": central.credentials.has_password(station.station_id),
            "notes": notes.get(station.station_id),
        }
        for station in sorted(central.stations.values(), key=lambda s: s.station_id)
    ]


@page("/admin/chargers", role=ADMIN)
async def chargers(request: web.Request, ctx: Context) -> web.Response:
    return render_admin(ctx, "admin_chargers.html", rows=_rows(ctx))


def _values(ctx: Context, station: Any) -> dict[str, str]:
    """The form's values: as given (a failed save shows them back), else the charger's."""
    if ctx.form is not None:
        return {k: ctx.field(k) for k in ("name", "comment", "thumbprint", "max_current", "phases")}
    settings = station.settings
    notes = admin_data(ctx).notes.get(station.station_id)
    return {
        "name": settings.friendly_name or "",
        "comment": notes.comment or "",
        "thumbprint": notes.thumbprint_shown,
        "max_current": f"{settings.max_current:g}" if settings.max_current is not None else "",
        "phases": str(settings.phases or ""),
    }


def _edit(ctx: Context, station: Any, status: int = 200, errors: Errors | None = None, **extra: Any) -> web.Response:
    central = ctx.state.central
    return render_admin(
        ctx,
        "admin_charger.html",
        status=status,
        station=station,
        name=charger_name(station),
        connected=central.is_connected(station.station_id),
        has_password=central.credentials.has_password(station.station_id),
        values=_values(ctx, station),
        errors=errors or {},
        connectors=sorted(n for n in station.connectors if n > 0),
        max_amps=f"{csms.MAX_CURRENT_LIMIT:g}",
        **extra,
    )


@page("/admin/chargers/edit", role=ADMIN)
async def charger_form(request: web.Request, ctx: Context) -> web.Response:
    return _edit(ctx, station_of(ctx))


def _check(ctx: Context, station: Any) -> tuple[dict[str, Any], ChargerNotes, Errors]:
    """The settings' changes and the notes the form asks for, and what is wrong with it."""
    errors: Errors = {}
    name = ctx.field("name")
    if len(name) > MAX_NAME:
        errors["name"] = ctx.t("admin.error.name", max=MAX_NAME)
    max_current: float | None = None
    if ctx.field("max_current"):
        try:
            max_current = float(ctx.field("max_current").replace(",", "."))
            if not 0 < max_current <= csms.MAX_CURRENT_LIMIT:
                raise ValueError
        except ValueError:
            errors["max_current"] = ctx.t("admin.error.max_current", max=f"{csms.MAX_CURRENT_LIMIT:g}")
    phases = None
    if ctx.field("phases"):
        if ctx.field("phases") not in ("1", "3"):
            errors["phases"] = ctx.t("admin.error.phases")
        else:
            phases = int(ctx.field("phases"))
    notes = ChargerNotes()
    try:
        comment = parse_comment(ctx.field("comment"))
    except NoteError:
        errors["comment"] = ctx.t("admin.error.comment")
        comment = None
    try:
        thumbprint = parse_thumbprint(ctx.field("thumbprint"))
    except NoteError:
        errors["thumbprint"] = ctx.t("admin.error.thumbprint")
        thumbprint = None
    notes = ChargerNotes(comment, thumbprint)
    password = ctx.form.get("password") if ctx.form is not None else None
    if isinstance(password, str) and password:
        try:
            csms.validate_password(password, push=bool(ctx.field("push")))
        except csms.InvalidPassword:
            key = "admin.error.password_push" if ctx.field("push") else "admin.error.password"
            errors["password"] = ctx.t(key, min=csms.PUSH_MIN_LENGTH, max=csms.PUSH_MAX_LENGTH)
        if ctx.field("push") and not ctx.state.central.is_connected(station.station_id):
            errors["password"] = ctx.t("admin.error.push_offline")
    changes = {"friendly_name": name or None, "max_current": max_current, "phases": phases}
    if not errors:
        try:
            station.settings.with_changes(changes)
        except csms.InvalidSettings as err:
            errors["name"] = str(err)
    return changes, notes, errors


@page("/admin/chargers/edit", method="POST", role=ADMIN)
async def charger_save(request: web.Request, ctx: Context) -> web.Response:
    station = station_of(ctx)
    station_id = station.station_id
    changes, notes, errors = _check(ctx, station)
    if errors:
        return _edit(ctx, station, 400, errors)
    central, book = ctx.state.central, admin_data(ctx).notes
    old_notes = book.get(station_id)
    old_settings = {name: getattr(station.settings, name) for name in changes}
    password = ctx.form.get("password") if ctx.form is not None else None
    clear = bool(ctx.field("clear_password"))
    try:
        await book.save(station_id, notes)
        try:
            await central.update_settings(station_id, changes)
            if clear or (isinstance(password, str) and password):
                failure = await _password(ctx, station_id, None if clear else str(password))
                if failure is not None:
                    raise _Undo(failure)
        except BaseException:
            await central.update_settings(station_id, old_settings)
            await book.save(station_id, old_notes)
            raise
    except _Undo as undo:
        return _edit(ctx, station, 409, {"password": undo.message})
    except StoreError:
        return _edit(ctx, station, 503, {"form": ctx.t("admin.error.store")})
    ctx.form = None  # the saved values, as stored (the thumbprint with its colons)
    return _edit(ctx, station, notice=ctx.t("admin.saved"))


class _Undo(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def _password(ctx: Context, station_id: str, password: str | None) -> str | None:
    """Set (and with `push`, send) or remove the password; what went wrong, or None."""
    push = password is not None and bool(ctx.field("push"))
    try:
        status = await ctx.state.central.credentials.set_password(station_id, password, push=push)
    except (csms.NotConnected, KeyError):
        return ctx.t("admin.error.push_offline")
    except csms.CallTimeout:
        return ctx.t("core.command.error.timeout")
    except csms.CallError as err:
        return ctx.t("core.command.refused", answer=err.code)
    if push and status not in _TAKEN:
        return ctx.t("core.command.refused", answer=str(status))
    return None


@page("/admin/chargers/command", method="POST", role=ADMIN)
async def charger_command(request: web.Request, ctx: Context) -> web.Response:
    """Restart or unlock, from the charge point's admin page (the charger page's commands)."""
    station = station_of(ctx)
    action = ctx.field("action")
    if action not in ("restart", "unlock"):
        return _edit(ctx, station, 400, {"form": ctx.t("core.command.error.unknown")})
    notice = await send(ctx, station, action)
    ctx.form = None  # the edit form shows the charger's values
    if notice.ok:
        return _edit(ctx, station, notice=notice.text)
    return _edit(ctx, station, 409, {"form": notice.text})
