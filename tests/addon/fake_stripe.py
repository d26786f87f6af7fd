"""A local HTTP server that speaks the small part of Stripe's API the add-on uses, for the `stripe` package to
talk to (its api_base pointed here): form-encoded bodies, the Bearer secret key, Idempotency-Key replay (the same
key and body: the first answer again, executed once; another body: 400 idempotency_error), and the JSON shapes of
checkout.session and payment_intent.  The tests play the driver (`pay`, `expire`) and inject failures: a 503
before the request is carried out (`fail_before`), or a lost answer after it was (`fail_after`: answered 500,
its result kept for the key)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SECRET_KEY = "sk_test_local_0123456789"
# Stripe's minimum charge (minor units) of the currencies the tests use: below it a charge or a capture is
# refused with the error code amount_too_small
MINIMUMS = {"eur": 50, "usd": 50, "gbp": 30, "zar": 1000}


@dataclass
class Logged:
    method: str
    path: str
    key: str | None
    form: dict[str, str]
    status: int


@dataclass
class FakeStripe:
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Logged] = field(default_factory=list)
    # what was carried out (not replayed): "create_session", "capture", "cancel", "expire"
    executed: Counter[str] = field(default_factory=Counter)
    fail_before: Counter[str] = field(default_factory=Counter)
    fail_after: Counter[str] = field(default_factory=Counter)
    # seconds an answer is held back after the request was carried out (a crash of the app meanwhile)
    answer_delay: dict[str, float] = field(default_factory=dict)
    _replies: dict[str, tuple[dict[str, str], int, dict[str, Any]]] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    # set at the stop: an answer held back is given up then (no request handler outlives the test)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/checkout/sessions", self._create_session)
        app.router.add_get("/v1/checkout/sessions/{id}", self._get_session)
        app.router.add_post("/v1/checkout/sessions/{id}/expire", self._expire_session)
        app.router.add_get("/v1/payment_intents/{id}", self._get_intent)
        app.router.add_post("/v1/payment_intents/{id}/capture", self._capture)
        app.router.add_post("/v1/payment_intents/{id}/cancel", self._cancel)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- the driver ----------------------------------------------------------

    def pay(self, session_id: str) -> str:
        """The driver's card is authorized: the session completes, its PaymentIntent waits for its capture."""
        session = self.sessions[session_id]
        intent_id = f"pi_{len(self.intents) + 1:04d}"
        self.intents[intent_id] = {
            "id": intent_id, "object": "payment_intent", "amount": session["amount_total"],
            "amount_capturable": session["amount_total"], "amount_received": 0, "currency": session["currency"],
            "capture_method": "manual", "status": "requires_capture", "canceled_at": None,
            "cancellation_reason": None, "metadata": session["metadata"],
        }  # fmt: skip
        session.update(status="complete", payment_intent=intent_id)
        return intent_id

    def expire(self, session_id: str) -> None:
        """The checkout page's time ran out (the driver gave up, or every card was declined)."""
        self.sessions[session_id]["status"] = "expired"

    def lapse(self, intent_id: str) -> None:
        """The card's authorization lapsed (7 days without a capture): Stripe cancels the PaymentIntent."""
        self.intents[intent_id].update(status="canceled", amount_capturable=0, cancellation_reason="automatic")

    def keys(self, path_part: str) -> list[str | None]:
        return [r.key for r in self.requests if path_part in r.path and r.method == "POST"]

    # ---- the API -------------------------------------------------------------

    async def _call(self, request: web.Request, op: str, run: Any) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
            return self._log(request, None, {}, 401, _error("invalid_request_error", "Invalid API Key provided"))
        form = {k: str(v) for k, v in (await request.post()).items()}
        key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        if self.fail_before[op] > 0:
            self.fail_before[op] -= 1
            return self._log(request, key, form, 503, _error("api_error", "overloaded, try again"))
        if key is not None and key in self._replies:
            old_form, status, body = self._replies[key]
            if old_form != form:
                body = _error(
                    "idempotency_error", "Keys for idempotent requests can only be used with the same parameters"
                )
                return self._log(request, key, form, 400, body)
            return self._log(request, key, form, status, body, replayed=True)
        status, body = run(request.match_info.get("id"), form)
        if status < 500:
            self.executed[op] += 1 if status == 200 else 0
            if key is not None:
                self._replies[key] = (form, status, body)
        delay = self.answer_delay.pop(op, 0.0)
        if delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
        if self.fail_after[op] > 0:
            self.fail_after[op] -= 1
            return self._log(request, key, form, 500, _error("api_error", "the answer was lost"))
        return self._log(request, key, form, status, body)

    def _log(
        self,
        request: web.Request,
        key: str | None,
        form: dict[str, str],
        status: int,
        body: Any,
        replayed: bool = False,
    ) -> web.Response:
        self.requests.append(Logged(request.method, request.path, key, form, status))
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return web.Response(text=json.dumps(body), status=status, content_type="application/json", headers=headers)

    async def _create_session(self, request: web.Request) -> web.Response:
        def run(_: str | None, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
            if form.get("mode") != "payment" or not form.get("success_url"):
                return 400, _error("invalid_request_error", "mode=payment and success_url are required")
            if form.get("payment_intent_data[capture_method]") != "manual":
                return 400, _error("invalid_request_error", "this test Stripe only takes manual capture")
            amount = int(form["line_items[0][price_data][unit_amount]"]) * int(form["line_items[0][quantity]"])
            if amount < MINIMUMS.get(form["line_items[0][price_data][currency]"], 0):
                return 400, _error("invalid_request_error", "Amount must be at least the minimum", "amount_too_small")
            session_id = f"cs_test_{len(self.sessions) + 1:04d}"
            metadata = {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}
            self.sessions[session_id] = {
                "id": session_id, "object": "checkout.session", "mode": "payment", "status": "open",
                "payment_status": "unpaid", "amount_total": amount,
                "currency": form["line_items[0][price_data][currency]"], "payment_intent": None,
                "url": f"https://checkout.stripe.test/c/pay/{session_id}", "success_url": form["success_url"],
                "expires_at": int(form.get("expires_at") or time.time() + 86400), "metadata": metadata,
            }  # fmt: skip
            return 200, self.sessions[session_id]

        return await self._call(request, "create_session", run)

    async def _get_session(self, request: web.Request) -> web.Response:
        def run(session_id: str | None, _: dict[str, str]) -> tuple[int, dict[str, Any]]:
            if session_id not in self.sessions:
                return 404, _error("invalid_request_error", f"No such checkout.session: {session_id}")
            return 200, self.sessions[session_id]

        return await self._call(request, "get_session", run)

    async def _expire_session(self, request: web.Request) -> web.Response:
        def run(session_id: str | None, _: dict[str, str]) -> tuple[int, dict[str, Any]]:
            session = self.sessions.get(session_id or "")
            if session is None or session["status"] != "open":
                return 400, _error("invalid_request_error", "Only open checkout sessions can be expired")
            session["status"] = "expired"
            return 200, session

        return await self._call(request, "expire", run)

    async def _get_intent(self, request: web.Request) -> web.Response:
        def run(intent_id: str | None, _: dict[str, str]) -> tuple[int, dict[str, Any]]:
            if intent_id not in self.intents:
                return 404, _error("invalid_request_error", f"No such payment_intent: {intent_id}")
            return 200, self.intents[intent_id]

        return await self._call(request, "get_intent", run)

    async def _capture(self, request: web.Request) -> web.Response:
        def run(intent_id: str | None, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
            intent = self.intents.get(intent_id or "")
            if intent is None or intent["status"] != "requires_capture":
                return 400, _error("invalid_request_error", "This PaymentIntent could not be captured")
            amount = int(form.get("amount_to_capture") or intent["amount_capturable"])
            if not 0 < amount <= intent["amount_capturable"]:
                return 400, _error("invalid_request_error", "amount_to_capture must be at most the amount capturable")
            if amount < MINIMUMS.get(intent["currency"], 0):
                return 400, _error("invalid_request_error", "Amount must be at least the minimum", "amount_too_small")
            intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
            return 200, intent

        return await self._call(request, "capture", run)

    async def _cancel(self, request: web.Request) -> web.Response:
        def run(intent_id: str | None, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
            intent = self.intents.get(intent_id or "")
            if intent is None or intent["status"] in ("succeeded", "canceled"):
                return 400, _error("invalid_request_error", "This PaymentIntent could not be canceled")
            intent.update(status="canceled", amount_capturable=0, cancellation_reason=form.get("cancellation_reason"))
            return 200, intent

        return await self._call(request, "cancel", run)


def _error(kind: str, message: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code is not None:
        error["code"] = code
    return {"error": error}
