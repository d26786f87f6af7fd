"""Card payments of remote starts, end to end: the app as the add-on runs it (a subprocess on SQLite), the
official `stripe` package pointed at a local Stripe of the tests' making (fake_stripe.py), a simulated 1.6
charger.  Hold of the maximum cost, start only once held, capture of the real cost (the rest released), and
the failure paths: a checkout never completed, a charger that refuses, Stripe's 5xx retried with the same
idempotency key (one charge), a Stripe error at the start, a crash between the hold and the start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sim.charger16 import connect as connect16
from sim.core16 import ChargePointStatus

from .api_client import client_session
from .app_process import App, free_port, start_app
from .fake_stripe import SECRET_KEY, FakeStripe

TOKEN = "payments-token-0123456789"
# 0.30 EUR/kWh, 1.00 EUR a session, at most 20 kWh: 7.00 EUR held
TARIFF = {"currency": "EUR", "energy_price": "0.30", "session_fee": "1.00", "max_energy_kwh": "20"}


@pytest.fixture
async def stripe_api() -> AsyncIterator[FakeStripe]:
    fake = FakeStripe()
    await fake.start()
    yield fake
    await fake.stop()


class Site:
    """The app, its API port and a 1.6 charger "CP-PAY" connected to it."""

    def __init__(self, data: Path, fake: FakeStripe, key: str = SECRET_KEY) -> None:
        self.data, self.fake, self.key = data, fake, key
        self.ui_port = free_port()
        self.app: App | None = None
        self.cp: Any = None
        self._task: asyncio.Task[None] | None = None
        self._ws: Any = None

    def start(self) -> None:
        self.app = start_app(
            self.data, "--ui-port", str(self.ui_port), "--api-token", TOKEN, "--stripe-api-base", self.fake.base,
            "--payment-poll-interval", "0.1", env={"OCPP_CORE_STRIPE_SECRET_KEY": self.key},
        )  # fmt: skip

    async def connect(self) -> None:
        assert self.app is not None
        self.cp, self._task, self._ws = await connect16(self.app.url, "CP-PAY", connectors=1)
        await self.cp.boot()
        await self.cp.send_all_statuses()
        await until(lambda: self._connected())

    async def _connected(self) -> bool:
        status, body = await self.call("GET", "/chargers/CP-PAY")
        return status == 200 and body.get("connected") is True

    async def disconnect(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            client_session() as http,
            http.request(method, f"http://127.0.0.1:{self.ui_port}/api/v1{path}", json=body, headers=headers) as r,
        ):
            if r.content_type == "application/json":
                return r.status, await r.json()
            return r.status, await r.text()

    async def setup(self, tariff: dict[str, Any] = TARIFF) -> None:
        assert (await self.call("PUT", "/tariffs", {"charger_id": "CP-PAY", "tariff": tariff}))[0] == 200
        assert (await self.call("POST", "/tags", {"id_tag": "GUEST-1", "name": "Guest"}))[0] == 201
        assert (await self.call("PUT", "/card_tags/GUEST-1", {"pays_by_card": True}))[0] == 200

    async def payment(self, payment_id: str) -> dict[str, Any]:
        status, body = await self.call("GET", f"/payments/{payment_id}")
        assert status == 200, body
        payment: dict[str, Any] = body["payment"]
        return payment

    async def wait_state(self, payment_id: str, *states: str, timeout: float = 30) -> dict[str, Any]:
        found: dict[str, Any] = {}

        async def reached() -> bool:
            found.update(await self.payment(payment_id))
            return found["state"] in states

        await until(reached, timeout)
        return found

    async def close(self) -> None:
        await self.disconnect()
        if self.app is not None:
            assert self.app.stop() == 0, self.app.output()


async def until(predicate: Any, timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.05)


@pytest.fixture
async def site(tmp_path: Path, stripe_api: FakeStripe) -> AsyncIterator[Site]:
    running = Site(tmp_path / "data", stripe_api)
    running.start()
    try:
        await running.connect()
        await running.setup()
        yield running
    finally:
        await running.close()


async def test_hold_start_capture_of_the_real_cost_and_release(site: Site, stripe_api: FakeStripe) -> None:
    stripe_api.fail_after["create_session"] = 1  # the answer to the checkout's creation is lost: retried
    status, body = await site.call("POST", "/payments", {"charger_id": "CP-PAY", "id_tag": "GUEST-1"})
    assert status == 201, body
    payment = body["payment"]
    assert (payment["state"], payment["amount"], payment["amount_text"]) == ("awaiting_payment", 700, "7.00 EUR")
    # one checkout, though asked twice (Stripe's retry after the lost answer carried the same key)
    assert stripe_api.executed["create_session"] == 1 and len(stripe_api.sessions) == 1
    assert stripe_api.keys("/checkout/sessions") == [f"{payment['payment_id']}:hold"] * 2
    session = stripe_api.sessions[payment["hold_id"]]
    assert payment["url"] == session["url"] and session["amount_total"] == 700 and session["currency"] == "eur"
    status, svg = await site.call("GET", f"/payments/{payment['payment_id']}/qr.svg")
    assert status == 200 and svg.lstrip().startswith("<svg") and "path" in svg

    await asyncio.sleep(0.5)  # polled meanwhile: nothing is started before the hold
    assert site.cp.remote_starts == []
    stripe_api.pay(payment["hold_id"])
    payment = await site.wait_state(payment["payment_id"], "charging")
    assert site.cp.remote_starts == [{"id_tag": "GUEST-1", "connector_id": 1}]
    assert payment["held_amount"] == 700 and payment["transaction_id"]

    # 2.5 kWh: 1.00 + 0.75 = 1.75 EUR; Stripe fails the first capture (503): retried with the same key
    stripe_api.fail_before["capture"] = 1
    site.cp.sim.connectors[1].power_w = 7500.0
    await site.cp.send_meter_values(1, seconds=1200)
    await site.cp.stop_transaction(1)
    payment = await site.wait_state(payment["payment_id"], "captured", "failed")
    assert (payment["state"], payment["cost"], payment["captured"]) == ("captured", 175, 175), payment
    intent = stripe_api.intents[payment["intent_id"]]
    assert (intent["status"], intent["amount_received"], intent["amount_capturable"]) == ("succeeded", 175, 0)
    assert stripe_api.executed["capture"] == 1
    assert stripe_api.keys("/capture") == [f"{payment['payment_id']}:capture"] * 2
    assert [r.form["amount_to_capture"] for r in stripe_api.requests if r.path.endswith("/capture")] == ["175"] * 2


async def test_a_checkout_never_completed_ends_the_attempt(site: Site, stripe_api: FakeStripe) -> None:
    """Every card declined (Checkout keeps the page open for another), then the page expires: nothing starts."""
    status, body = await site.call("POST", "/payments", {"charger_id": "CP-PAY", "id_tag": "GUEST-1"})
    assert status == 201, body
    await asyncio.sleep(0.3)
    stripe_api.expire(body["payment"]["hold_id"])
    payment = await site.wait_state(body["payment"]["payment_id"], "expired")
    assert payment["reason"] == "checkout_expired" and payment["captured"] is None
    assert site.cp.remote_starts == [] and stripe_api.executed["capture"] == 0


async def test_a_refused_start_releases_the_hold(site: Site, stripe_api: FakeStripe) -> None:
    await site.cp.send_status(1, ChargePointStatus.unavailable)  # the charger will refuse the remote start
    status, body = await site.call(
        "POST", "/payments", {"charger_id": "CP-PAY", "connector_id": 1, "id_tag": "guest-1"}
    )
    assert status == 201, body
    stripe_api.pay(body["payment"]["hold_id"])
    payment = await site.wait_state(body["payment"]["payment_id"], "canceled")
    assert (payment["reason"], payment["message"]) == ("start_refused", "Rejected")
    assert site.cp.remote_starts == [{"id_tag": "GUEST-1", "connector_id": 1}]
    intent = stripe_api.intents[payment["intent_id"]]
    assert (intent["status"], intent["amount_received"]) == ("canceled", 0)
    assert stripe_api.keys("/cancel") == [f"{payment['payment_id']}:release"]


async def test_what_cannot_be_held_is_refused_with_its_reason(site: Site) -> None:
    status, body = await site.call("POST", "/payments", {"charger_id": "CP-PAY", "id_tag": "NOT-CARD"})
    assert (status, body["error"]) == (409, "tag_not_card")
    no_max = {k: v for k, v in TARIFF.items() if k != "max_energy_kwh"}
    assert (await site.call("PUT", "/tariffs", {"charger_id": "CP-PAY", "tariff": no_max}))[0] == 200
    status, body = await site.call("POST", "/payments", {"charger_id": "CP-PAY", "id_tag": "GUEST-1"})
    assert (status, body["error"]) == (409, "no_max_energy")
    assert site.cp.remote_starts == []


async def _session_of_one_kwh(site: Site, stripe_api: FakeStripe) -> dict[str, Any]:
    """A paid start, then a session of 1 kWh (6 kW for 10 minutes); the payment once it ended."""
    status, body = await site.call("POST", "/payments", {"charger_id": "CP-PAY", "id_tag": "GUEST-1"})
    assert status == 201, body
    stripe_api.pay(body["payment"]["hold_id"])
    await site.wait_state(body["payment"]["payment_id"], "charging")
    site.cp.sim.connectors[1].power_w = 6000.0
    await site.cp.send_meter_values(1, seconds=600)
    await site.cp.stop_transaction(1)
    return await site.wait_state(body["payment"]["payment_id"], "waived", "captured", "failed")


async def test_a_session_below_stripes_minimum_is_released_and_waived(site: Site, stripe_api: FakeStripe) -> None:
    """0.10 EUR < Stripe's 0.50 EUR minimum: no capture asked (it would be refused, and charging 0.50 would take
    more than the session cost); the hold released, the payment waived with its cost and the minimum."""
    cheap = {"currency": "EUR", "energy_price": "0.10", "max_energy_kwh": "20"}  # 2.00 EUR held
    assert (await site.call("PUT", "/tariffs", {"charger_id": "CP-PAY", "tariff": cheap}))[0] == 200
    payment = await _session_of_one_kwh(site, stripe_api)
    assert (payment["state"], payment["cost"], payment["captured"], payment["reason"]) == (
        "waived",
        10,
        0,
        "below_minimum",
    )
    assert payment["message"] == "cost 0.10 EUR, Stripe's minimum 0.50 EUR" and payment["final"] is True
    intent = stripe_api.intents[payment["intent_id"]]
    assert (intent["status"], intent["amount_received"]) == ("canceled", 0)
    assert stripe_api.keys("/capture") == [] and stripe_api.keys("/cancel") == [f"{payment['payment_id']}:release"]


async def test_a_minimum_only_stripe_knows_is_waived_on_its_refusal(site: Site, stripe_api: FakeStripe) -> None:
    """A currency whose minimum is not in our table: the capture is tried, Stripe refuses it (amount_too_small),
    and the payment ends the same way."""
    rand = {"currency": "ZAR", "energy_price": "0.10", "max_energy_kwh": "200"}  # 20.00 ZAR held
    assert (await site.call("PUT", "/tariffs", {"charger_id": "CP-PAY", "tariff": rand}))[0] == 200
    payment = await _session_of_one_kwh(site, stripe_api)
    assert (payment["state"], payment["captured"], payment["reason"]) == ("waived", 0, "below_minimum")
    assert payment["message"].startswith("cost 0.10 ZAR; Stripe: ")
    assert stripe_api.executed["capture"] == 0 and len(stripe_api.keys("/capture")) == 1
    assert stripe_api.intents[payment["intent_id"]]["status"] == "canceled"


async def test_a_hold_that_lapsed_before_the_capture_ends_failed_as_such(site: Site, stripe_api: FakeStripe) -> None:
    """A session longer than the card's authorization (7 days): Stripe let the hold go; the capture is refused
    and the payment says why (hold_expired), nothing is charged."""
    status, body = await site.call("POST", "/payments", {"charger_id": "CP-PAY", "id_tag": "GUEST-1"})
    assert status == 201, body
    intent_id = stripe_api.pay(body["payment"]["hold_id"])
    await site.wait_state(body["payment"]["payment_id"], "charging")
    await site.cp.send_meter_values(1, seconds=600)
    stripe_api.lapse(intent_id)
    await site.cp.stop_transaction(1)
    payment = await site.wait_state(body["payment"]["payment_id"], "failed", "captured")
    assert (payment["state"], payment["reason"], payment["captured"]) == ("failed", "hold_expired", None), payment
    assert stripe_api.executed["capture"] == 0 and stripe_api.intents[intent_id]["amount_received"] == 0


async def test_a_hold_below_stripes_minimum_is_refused(site: Site, stripe_api: FakeStripe) -> None:
    tiny = {"currency": "EUR", "energy_price": "0.01", "max_energy_kwh": "20"}  # at most 0.20 EUR
    assert (await site.call("PUT", "/tariffs", {"charger_id": "CP-PAY", "tariff": tiny}))[0] == 200
    status, body = await site.call("POST", "/payments", {"charger_id": "CP-PAY", "id_tag": "GUEST-1"})
    assert (status, body["error"]) == (409, "hold_below_minimum"), body
    assert stripe_api.sessions == {} and site.cp.remote_starts == []


async def test_a_stripe_error_starts_nothing_and_says_why(tmp_path: Path, stripe_api: FakeStripe) -> None:
    site = Site(tmp_path / "data", stripe_api, key="sk_test_wrong_key_000")
    site.start()
    try:
        await site.connect()
        await site.setup()
        status, body = await site.call("POST", "/payments", {"charger_id": "CP-PAY", "id_tag": "GUEST-1"})
        assert (status, body["error"]) == (502, "stripe_key_refused")
        assert "Invalid API Key" in body["message"]
        _, listed = await site.call("GET", "/payments")
        assert [(p["state"], p["reason"]) for p in listed["payments"]] == [("failed", "stripe_key_refused")]
        assert site.cp.remote_starts == [] and stripe_api.sessions == {}
    finally:
        await site.close()


async def test_a_crash_between_the_hold_and_the_start(tmp_path: Path, stripe_api: FakeStripe) -> None:
    """kill -9 while the driver pays; the hold made while the app is down is found at its restart and the
    charger started then (the driver paid and waits), with no second checkout."""
    site = Site(tmp_path / "data", stripe_api)
    site.start()
    try:
        await site.connect()
        await site.setup()
        status, body = await site.call("POST", "/payments", {"charger_id": "CP-PAY", "id_tag": "GUEST-1"})
        assert status == 201, body
        payment_id, hold_id = body["payment"]["payment_id"], body["payment"]["hold_id"]
        assert site.app is not None
        site.app.kill()
        await site.disconnect()
        stripe_api.pay(hold_id)
        site.start()
        await asyncio.sleep(1.0)  # the charger reconnects a moment after the app is back: its start waits for it
        await site.connect()
        payment = await site.wait_state(payment_id, "charging")
        assert site.cp.remote_starts == [{"id_tag": "GUEST-1", "connector_id": 1}]
        assert len(stripe_api.sessions) == 1 and stripe_api.executed["create_session"] == 1
        await site.cp.stop_transaction(1)  # nothing used: only the session fee
        payment = await site.wait_state(payment_id, "captured", "failed")
        assert (payment["state"], payment["captured"]) == ("captured", 100), payment
    finally:
        await site.close()


async def test_a_crash_while_the_hold_is_asked_for_asks_for_the_same_hold(
    tmp_path: Path, stripe_api: FakeStripe
) -> None:
    """kill -9 after Stripe made the checkout but before its answer arrived: at the restart the same request
    (the payment's own idempotency key) gets the same checkout back, not a second one."""
    site = Site(tmp_path / "data", stripe_api)
    site.start()
    try:
        await site.connect()
        await site.setup()
        stripe_api.answer_delay["create_session"] = 30.0
        asking = asyncio.create_task(site.call("POST", "/payments", {"charger_id": "CP-PAY", "id_tag": "GUEST-1"}))
        await until(_async(lambda: stripe_api.executed["create_session"] == 1))
        assert site.app is not None
        site.app.kill()
        await asyncio.gather(asking, return_exceptions=True)
        await site.disconnect()
        site.start()
        _, listed = await site.call("GET", "/payments")
        [payment] = listed["payments"]
        payment = await site.wait_state(payment["payment_id"], "awaiting_payment")
        assert len(stripe_api.sessions) == 1 and stripe_api.executed["create_session"] == 1
        assert payment["hold_id"] in stripe_api.sessions
        assert set(stripe_api.keys("/checkout/sessions")) == {f"{payment['payment_id']}:hold"}
    finally:
        await site.close()


def _async(predicate: Any) -> Any:
    async def check() -> bool:
        return bool(predicate())

    return check
