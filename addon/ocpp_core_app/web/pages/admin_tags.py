"""Admin: the charge tags — id, name, group (parent), expiry, blocked, limited to some chargers; add, edit,
delete.  csms's tag book checks a change whole before it takes it (nothing half-saved), and saves it at once."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from aiohttp import web

from ...api.tags import tag_changes
from ...central_import import csms
from ...store import StoreError
from ..admin_forms import Errors, render_admin
from ..context import Context
from ..formats import iso_day
from ..registry import ADMIN, page

BLOCKED = "Blocked"
MAX_ID, MAX_NAME = csms.state.tags.MAX_ID_LENGTH, csms.state.tags.MAX_NAME_LENGTH
# the tag book's error codes -> (the form's field, translation key)
_ERRORS = {
    "bad_id": ("id_tag", "admin.error.tag_id"),
    "duplicate_tag": ("id_tag", "admin.error.tag_duplicate"),
    "bad_name": ("name", "admin.error.name"),
    "bad_parent": ("parent", "admin.error.parent"),
    "bad_date": ("expiry", "admin.error.expiry"),
    "unknown_charger": ("chargers", "admin.error.chargers"),
    "unknown_tag": ("form", "admin.error.tag_unknown"),
}


def _tag(ctx: Context) -> Any:
    record = ctx.state.central.tags.get(ctx.request.query.get("tag", ""))
    if record is None:
        raise web.HTTPNotFound(text=ctx.t("admin.error.tag_unknown") + "\n")
    return record


def _expiry_day(record: Any) -> str:
    """The last day a tag is valid (the form's date; parse_expiry takes a date as valid through that day)."""
    if record.expiry is None:
        return ""
    return str((record.expiry - timedelta(microseconds=1)).date().isoformat())


def _values(ctx: Context, record: Any | None) -> dict[str, Any]:
    if ctx.form is not None:
        return {
            "id_tag": ctx.field("id_tag") or (record.id_tag if record is not None else ""),
            "name": ctx.field("name"),
            "parent": ctx.field("parent"),
            "expiry": ctx.field("expiry"),
            "blocked": bool(ctx.field("blocked")),
            "chargers": [str(c) for c in ctx.form.getall("chargers", [])],
        }
    if record is None:
        return {"id_tag": "", "name": "", "parent": "", "expiry": "", "blocked": False, "chargers": []}
    return {
        "id_tag": record.id_tag,
        "name": record.name or "",
        "parent": record.parent_id or "",
        "expiry": _expiry_day(record),
        "blocked": record.status == BLOCKED,
        "chargers": sorted(record.chargers),
    }


def _list(ctx: Context, status: int = 200, errors: Errors | None = None, notice: str | None = None) -> web.Response:
    central = ctx.state.central
    return render_admin(
        ctx, "admin_tags.html", status=status, tags=list(central.tags), values=_values(ctx, None),
        errors=errors or {}, notice=notice, chargers=sorted(central.stations), expiry_day=_expiry_day,
        now=csms.utcnow(),
    )  # fmt: skip


def _edit(ctx: Context, record: Any, status: int = 200, errors: Errors | None = None, **extra: Any) -> web.Response:
    return render_admin(
        ctx, "admin_tag.html", status=status, record=record, values=_values(ctx, record), errors=errors or {},
        chargers=sorted(ctx.state.central.stations), **extra,
    )  # fmt: skip


def _changes(ctx: Context, record: Any | None) -> dict[str, Any]:
    """The TagRecord fields of the form (csms.TagError for a bad one)."""
    status = BLOCKED if ctx.field("blocked") else csms.ACCEPTED
    if record is not None and not ctx.field("blocked") and record.status not in (BLOCKED, csms.ACCEPTED):
        status = record.status  # Expired / Invalid set elsewhere stay as they are
    body = {
        "name": ctx.field("name"),
        "status": status,
        "expiry_date": iso_day(ctx.field("expiry")),
        "parent_id_tag": ctx.field("parent"),
        "chargers": [str(c) for c in (ctx.form.getall("chargers", []) if ctx.form is not None else [])],
    }
    changes = tag_changes(body, set(ctx.state.central.stations))
    if changes.get("expiry") is not None and len(iso_day(ctx.field("expiry"))) != 10:
        raise csms.TagError("bad_date", ctx.field("expiry"))
    return changes


def _errors(ctx: Context, err: Any) -> Errors:
    field, key = _ERRORS.get(err.code, ("form", "admin.error.check"))
    limit = MAX_NAME if field == "name" else MAX_ID
    return {field: ctx.t(key, tag=err.tag, max=limit)}


@page("/admin/tags", role=ADMIN)
async def tags(request: web.Request, ctx: Context) -> web.Response:
    return _list(ctx)


@page("/admin/tags", method="POST", role=ADMIN)
async def tag_add(request: web.Request, ctx: Context) -> web.Response:
    central = ctx.state.central
    id_tag = ctx.field("id_tag")
    if not id_tag:
        return _list(ctx, 400, {"id_tag": ctx.t("admin.error.tag_id", max=MAX_ID)})
    try:
        record = await central.add_tag(csms.TagRecord(id_tag, **_changes(ctx, None)))
    except csms.TagError as err:
        return _list(ctx, 400, _errors(ctx, err))
    except StoreError:
        with contextlib.suppress(csms.TagError):
            central.tags.remove([id_tag])  # not kept in memory either
        return _list(ctx, 503, {"form": ctx.t("admin.error.store")})
    ctx.form = None
    return _list(ctx, notice=ctx.t("admin.tag.added", tag=record.id_tag))


@page("/admin/tags/edit", role=ADMIN)
async def tag_form(request: web.Request, ctx: Context) -> web.Response:
    return _edit(ctx, _tag(ctx))


@page("/admin/tags/edit", method="POST", role=ADMIN)
async def tag_save(request: web.Request, ctx: Context) -> web.Response:
    central = ctx.state.central
    record = _tag(ctx)
    try:
        updated = await central.update_tag(record.id_tag, _changes(ctx, record))
    except csms.TagError as err:
        return _edit(ctx, record, 400, _errors(ctx, err))
    except StoreError:
        fields = {k: getattr(record, k) for k in ("name", "status", "expiry", "parent_id", "chargers")}
        central.tags.update(record.id_tag, fields)  # the old record, in memory too
        return _edit(ctx, record, 503, {"form": ctx.t("admin.error.store")})
    ctx.form = None
    return _edit(ctx, updated, notice=ctx.t("admin.saved"))


@page("/admin/tags/delete", method="POST", role=ADMIN)
async def tag_delete(request: web.Request, ctx: Context) -> web.Response:
    central = ctx.state.central
    record = _tag(ctx)
    try:
        await central.remove_tags([record.id_tag])
    except csms.TagError:
        return _list(ctx, 404, {"form": ctx.t("admin.error.tag_unknown")})
    except StoreError:
        central.tags.add(record)  # kept, in memory too
        return _edit(ctx, record, 503, {"form": ctx.t("admin.error.store")})
    ctx.form = None
    return _list(ctx, notice=ctx.t("admin.tag.deleted", tag=record.id_tag))
