"""Card payments: a remote start paid by card (the charger, the tag paying by card), its checkout link and QR
code, its state kept live, cancelling it; the payments so far.  Off without a Stripe secret key."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from markupsafe import Markup

from ...payments.provider import PaymentError
from ...payments.qr import qr_svg
from ..context import Context
from ..registry import page
from ..tiles import charger_name

_STATUS = {"unknown_charger": 404, "charger_offline": 503}


def _flow(ctx: Context) -> Any:
    return ctx.state.payments


def _reason(ctx: Context, code: str | None, message: str | None) -> str:
    """A payment's or error's reason in the user's words (the provider's own words after it, when any)."""
    if code is None:
        return ""
    text = ctx.t(f"payments.reason.{code}")
    if text == f"payments.reason.{code}":
        text = code
    return f"{text} ({message})" if message else text


async def _list(ctx: Context, status: int = 200, error: str | None = None) -> web.Response:
    flow = _flow(ctx)
    central = ctx.state.central
    stations = sorted(central.stations.values(), key=lambda s: s.station_id)
    payments = sorted(flow.payments.values(), key=lambda p: p.created, reverse=True) if flow is not None else []
    return ctx.render(
        "payments.html",
        status=status,
        enabled=flow is not None and flow.enabled,
        chargers=[(s.station_id, charger_name(s)) for s in stations],
        card_tags=sorted(flow.card_tags.values()) if flow is not None else [],
        payments=[p.view() for p in payments[:50]],
        error=error,
        reason=lambda p: _reason(ctx, p.get("reason"), p.get("message")),
    )


@page("/payments", nav="payments.nav")
async def payments_page(request: web.Request, ctx: Context) -> web.Response:
    return await _list(ctx)


@page("/payments", method="POST")
async def begin_payment(request: web.Request, ctx: Context) -> web.Response:
    flow = _flow(ctx)
    ctx.page_path = "/payments"
    if flow is None or not flow.enabled:
        return await _list(ctx, 409, _reason(ctx, "payments_off", None))
    connector = ctx.field("connector")
    try:
        payment = await flow.begin(
            ctx.field("charger"),
            int(connector) if connector.isdigit() and int(connector) > 0 else None,
            ctx.field("tag"),
        )
    except PaymentError as err:
        status = _STATUS.get(err.code, 502 if err.code.startswith(("stripe", "card")) else 409)
        return await _list(ctx, status, _reason(ctx, err.code, err.message if err.code.startswith("stripe") else None))
    return ctx.redirect(f"/payments/{payment.payment_id}")


def _payment(ctx: Context) -> Any:
    flow = _flow(ctx)
    payment = flow.payments.get(ctx.request.match_info["payment_id"]) if flow is not None else None
    if payment is None:
        raise web.HTTPNotFound(text=ctx.t("payments.unknown"))
    return payment


def _payment_values(ctx: Context, payment: Any) -> dict[str, Any]:
    view = payment.view()
    return {
        "payment": view,
        "state_text": ctx.t(f"payments.state.{payment.state}"),
        "reason_text": _reason(ctx, payment.reason, payment.message),
        "qr": Markup(qr_svg(payment.url))
        if payment.url and payment.state == "awaiting_payment"
        else None,  # segno writes the SVG: no user text in it
    }


@page("/payments/{payment_id}")
async def payment_page(request: web.Request, ctx: Context) -> web.Response:
    return ctx.render("payment.html", **_payment_values(ctx, _payment(ctx)))


@page("/payments/{payment_id}/status")
async def payment_status(request: web.Request, ctx: Context) -> web.Response:
    return ctx.render("_payment_status.html", **_payment_values(ctx, _payment(ctx)))


@page("/payments/{payment_id}/cancel", method="POST")
async def cancel_payment(request: web.Request, ctx: Context) -> web.Response:
    payment = _payment(ctx)
    await _flow(ctx).cancel(payment.payment_id)
    return ctx.redirect(f"/payments/{payment.payment_id}")
