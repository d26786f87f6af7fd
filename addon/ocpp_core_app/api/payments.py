"""The card payments of remote starts: begin one (its checkout link and QR code), follow it, cancel it; which
tags pay by card.  Off (409 payments_off) without a Stripe secret key in the add-on's options."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..payments.provider import PaymentError
from ..payments.qr import qr_svg
from . import fields as f
from .errors import ApiError
from .routes import _dumps, json_body

# PaymentError codes → HTTP status (the rest: 502, the provider refused or failed)
_STATUS = {
    "payments_off": 409,
    "tag_not_card": 409,
    "payment_running": 409,
    "no_tariff": 409,
    "no_max_energy": 409,
    "nothing_to_hold": 409,
    "hold_below_minimum": 409,
    "unknown_charger": 404,
    "charger_offline": 503,
}


def _flow(request: web.Request) -> Any:
    flow = request.app["payments"]
    if flow is None:
        raise ApiError(409, "payments_off", "card payments are not set up")
    return flow


def _payment(request: web.Request) -> Any:
    payment = _flow(request).payments.get(request.match_info["payment_id"])
    if payment is None:
        raise ApiError(404, "unknown_payment", f"no payment {request.match_info['payment_id']!r}")
    return payment


async def list_payments(request: web.Request) -> web.Response:
    flow = request.app["payments"]
    if flow is None:
        return web.json_response({"enabled": False, "card_tags": [], "payments": []})
    payments = sorted(flow.payments.values(), key=lambda p: p.created, reverse=True)
    return web.json_response(
        {
            "enabled": flow.enabled,
            "card_tags": sorted(flow.card_tags.values()),
            "payments": [p.view() for p in payments],
        },
        dumps=_dumps,
    )


async def begin_payment(request: web.Request) -> web.Response:
    body = await json_body(request)
    charger = f.required_text(body, "charger_id")
    id_tag = f.required_text(body, "id_tag")
    connector = f.integer(body, "connector_id", minimum=1)
    try:
        payment = await _flow(request).begin(charger, connector, id_tag)
    except PaymentError as err:
        raise ApiError(_STATUS.get(err.code, 502), err.code, err.message) from err
    return web.json_response({"payment": payment.view()}, status=201, dumps=_dumps)


async def get_payment(request: web.Request) -> web.Response:
    return web.json_response({"payment": _payment(request).view()}, dumps=_dumps)


async def payment_qr(request: web.Request) -> web.Response:
    payment = _payment(request)
    if not payment.url:
        raise ApiError(404, "no_checkout", "the payment has no checkout page")
    return web.Response(text=qr_svg(payment.url), content_type="image/svg+xml")


async def cancel_payment(request: web.Request) -> web.Response:
    payment = await _flow(request).cancel(_payment(request).payment_id)
    return web.json_response({"payment": payment.view()}, dumps=_dumps)


async def set_card_tag(request: web.Request) -> web.Response:
    """PUT {"pays_by_card": true|false} for a tag of the tag book."""
    flow = _flow(request)
    id_tag = request.match_info["id_tag"]
    if request.app["central"].tags.get(id_tag) is None:
        raise ApiError(404, "unknown_tag", f"no tag {id_tag!r}")
    body = await json_body(request)
    value = body.get("pays_by_card")
    if not isinstance(value, bool):
        raise ApiError(400, "bad_request", "pays_by_card: true or false")
    await flow.set_card_tag(id_tag, value)
    return web.json_response({"id_tag": id_tag, "pays_by_card": value})


def add_routes(app: web.Application, prefix: str) -> None:
    app.router.add_get(f"{prefix}/payments", list_payments)
    app.router.add_post(f"{prefix}/payments", begin_payment)
    app.router.add_get(f"{prefix}/payments/{{payment_id}}", get_payment)
    app.router.add_get(f"{prefix}/payments/{{payment_id}}/qr.svg", payment_qr)
    app.router.add_post(f"{prefix}/payments/{{payment_id}}/cancel", cancel_payment)
    app.router.add_put(f"{prefix}/card_tags/{{id_tag}}", set_card_tag)
