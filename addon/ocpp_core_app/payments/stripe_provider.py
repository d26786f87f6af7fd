"""The PaymentProvider on Stripe (the official `stripe` package, its async calls over aiohttp).

A hold is a Checkout Session in payment mode whose PaymentIntent captures manually: the driver enters the card
on Stripe's page, Stripe authorizes the amount, and the PaymentIntent waits in `requires_capture` until we
capture the real cost (`amount_to_capture`, at most the hold; the rest is released) or cancel it.  A card hold
lives 7 days; Stripe cancels a PaymentIntent not captured by then (the driver pays nothing; see DOCS.md).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import stripe

from .provider import EXPIRED, HELD, OPEN, Hold, HoldState, PaymentError

_LOGGER = logging.getLogger(__name__)

STRIPE_API = "https://api.stripe.com"
# Stripe's own retries of a call that failed on the network or with a 5xx / 409 (the same idempotency key)
NETWORK_RETRIES = 2


def error_code(err: stripe.StripeError) -> str:
    """Our code for Stripe's error (the messages are translated by it)."""
    if isinstance(err, stripe.CardError):
        return "card_declined"
    if isinstance(err, stripe.AuthenticationError | stripe.PermissionError):
        return "stripe_key_refused"
    if isinstance(err, stripe.APIConnectionError):
        return "stripe_unreachable"
    if isinstance(err, stripe.InvalidRequestError):
        # below Stripe's minimum charge (a capture of a session that cost less): released and waived (flow.py)
        return "amount_too_small" if err.code == "amount_too_small" else "stripe_refused"
    return "stripe_error"


class StripeProvider:
    """Holds as Checkout Sessions; `api_base` points the package elsewhere (the tests' local Stripe)."""

    def __init__(self, secret_key: str, return_url: str, api_base: str = STRIPE_API) -> None:
        self._http = stripe.AIOHTTPClient()
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base},
            http_client=self._http,
            max_network_retries=NETWORK_RETRIES,
        )
        self._return_url = return_url

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]

    async def _call(self, what: str, coroutine: Any) -> Any:
        try:
            return await coroutine
        except stripe.StripeError as err:
            message = err.user_message or str(err) or type(err).__name__
            _LOGGER.warning("Stripe: %s failed: %s", what, message)
            raise PaymentError(error_code(err), message) from err

    async def create_hold(self, amount: int, currency: str, description: str, expires: datetime, key: str) -> Hold:
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": amount,
                        "product_data": {"name": description},
                    },
                }
            ],
            "payment_intent_data": {"capture_method": "manual", "description": description},
            "success_url": self._return_url,
            "expires_at": int(expires.timestamp()),
            "metadata": {"payment_id": key.rsplit(":", 1)[0]},
        }
        session = await self._call(
            "creating the checkout",
            self._client.v1.checkout.sessions.create_async(params, {"idempotency_key": key}),  # type: ignore[arg-type]
        )
        return Hold(hold_id=str(session.id), url=str(session.url))

    async def poll(self, hold_id: str) -> HoldState:
        session = await self._call("asking for the checkout", self._client.v1.checkout.sessions.retrieve_async(hold_id))
        if session.status == "expired":
            return HoldState(EXPIRED)
        if session.status != "complete" or not session.payment_intent:
            return HoldState(OPEN)
        intent_id = session.payment_intent if isinstance(session.payment_intent, str) else session.payment_intent.id
        intent = await self._call("asking for the payment", self._client.v1.payment_intents.retrieve_async(intent_id))
        if intent.status == "requires_capture":
            return HoldState(HELD, intent_id, int(intent.amount_capturable))
        if intent.status == "canceled":
            return HoldState(EXPIRED, intent_id)
        return HoldState(OPEN, intent_id)

    async def capture(self, intent_id: str, amount: int, key: str) -> int:
        intent = await self._call(
            "capturing the payment",
            self._client.v1.payment_intents.capture_async(
                intent_id, {"amount_to_capture": amount}, {"idempotency_key": key}
            ),
        )
        return int(intent.amount_received)

    async def release(self, hold: Hold | None, intent_id: str | None, key: str) -> None:
        if intent_id is not None:
            await self._call(
                "releasing the hold",
                self._client.v1.payment_intents.cancel_async(
                    intent_id, {"cancellation_reason": "abandoned"}, {"idempotency_key": key}
                ),
            )
            return
        if hold is None:
            return
        try:
            await self._call(
                "ending the checkout",
                self._client.v1.checkout.sessions.expire_async(hold.hold_id, None, {"idempotency_key": key}),
            )
        except PaymentError as err:
            if err.code != "stripe_refused":  # refused: the checkout is over already
                raise
