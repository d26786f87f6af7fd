"""The card payment of a remote start, step by step, each step written to the store before the next.

hold (a Checkout Session, polled: webhooks cannot reach a home network) → the charger's remote start → its
session → the real cost captured at its end (the rest released).  A start that fails (refused, offline, no
answer, no session within START_TIMEOUT) releases the hold; a checkout not completed in time ends the attempt.
After a restart each unfinished payment goes on where it stood: a hold made but no start asked yet (a crash
between hold and start) is started now, as the driver paid and waits; a start asked whose answer was lost
waits for its session until its deadline and is released then.  Every provider call's idempotency key is the
payment's id and the step, so repeating a step after a crash never charges twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from ..central_import import csms
from . import model as m
from .hold_amount import maximum_cost, minor_amount
from .minimums import minimum_charge
from .model import Payment
from .provider import EXPIRED, HELD, Hold, PaymentError, PaymentProvider

_LOGGER = logging.getLogger(__name__)

POLL_INTERVAL = 3.0
# how long the driver has on the checkout page (Stripe's expires_at: 30 minutes to 24 hours after its creation,
# counted from the payment's own creation so a repeated request is the same), and a margin for the last poll
CHECKOUT_MINUTES = 31
CHECKOUT_MARGIN = 60.0
# after the charger accepted the remote start: how long its session may take to begin (the car plugged in)
START_TIMEOUT = 180.0
# a capture or release that failed is tried again after this many seconds (doubling, at most RETRY_MAX)
RETRY_DELAY = 5.0
RETRY_MAX = 300.0


class PaymentStore(Protocol):
    async def save_payment(self, payment_id: str, text: str) -> None: ...

    async def load_payments(self) -> list[str]: ...

    async def save_card_tags(self, tags: list[str]) -> None: ...

    async def load_card_tags(self) -> list[str]: ...


def _now() -> datetime:
    return datetime.now(UTC)


def _tag_key(id_tag: str) -> str:
    return id_tag.strip().casefold()


class PaymentFlow:
    """The payments (running and ended), the tags that pay by card, and the tasks that carry them on."""

    def __init__(
        self,
        central: Any,
        store: PaymentStore,
        provider: PaymentProvider | None,
        *,
        poll_interval: float = POLL_INTERVAL,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self._central = central
        self._store = store
        self.provider = provider
        self.poll_interval = poll_interval
        self.start_timeout = start_timeout
        self.payments: dict[str, Payment] = {}
        self.card_tags: dict[str, str] = {}  # key -> the tag as entered
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._changed: dict[str, asyncio.Event] = {}
        # only these two: the bus then never calls it for the steady stream of meter updates
        central.events.subscribe(self._on_event, (csms.EventType.TRANSACTION_STARTED, csms.EventType.TRANSACTION_ENDED))

    @property
    def enabled(self) -> bool:
        return self.provider is not None

    # ---- life cycle ----------------------------------------------------------

    async def load(self) -> None:
        """The payments and card tags kept; every unfinished payment goes on (see the module's docstring)."""
        self.card_tags = {_tag_key(t): t for t in await self._store.load_card_tags()}
        for text in await self._store.load_payments():
            payment = Payment.from_dict(json.loads(text))
            self.payments[payment.payment_id] = payment
        for payment in self.payments.values():
            if not payment.final:
                _LOGGER.info("Payment %s resumes at %s", payment.payment_id, payment.state)
                self._spawn(payment)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        close = getattr(self.provider, "close", None)
        if close is not None:
            await close()

    # ---- the tags that pay by card ------------------------------------------

    async def set_card_tag(self, id_tag: str, pays_by_card: bool) -> None:
        if pays_by_card:
            self.card_tags[_tag_key(id_tag)] = id_tag.strip()
        else:
            self.card_tags.pop(_tag_key(id_tag), None)
        await self._store.save_card_tags(sorted(self.card_tags.values()))

    def pays_by_card(self, id_tag: str) -> bool:
        return _tag_key(id_tag) in self.card_tags

    # ---- a payment -----------------------------------------------------------

    async def begin(self, station_id: str, connector_id: int | None, id_tag: str) -> Payment:
        """A remote start paid by card: the hold asked for (its page in `url`); the rest runs on its own.
        PaymentError when it cannot begin (payments off, the tag not paying by card, no tariff to hold …)."""
        if self.provider is None:
            raise PaymentError("payments_off", "no Stripe secret key in the add-on's options")
        if not self.pays_by_card(id_tag):
            raise PaymentError("tag_not_card", f"the tag {id_tag!r} does not pay by card")
        if station_id not in self._central.stations:
            raise PaymentError("unknown_charger", f"no charger {station_id!r}")
        if not self._central.is_connected(station_id):
            raise PaymentError("charger_offline", f"{station_id} is not connected: nothing is held")
        for other in self.payments.values():
            if not other.final and other.station_id == station_id and other.connector_id == connector_id:
                raise PaymentError("payment_running", f"payment {other.payment_id} is under way at {station_id}")
        amount, currency, decimals = maximum_cost(self._central, station_id, connector_id, id_tag)
        now = _now().isoformat()
        payment = Payment(
            payment_id=uuid.uuid4().hex[:16],
            station_id=station_id,
            connector_id=connector_id,
            id_tag=self.card_tags[_tag_key(id_tag)],  # as the tag book spells it
            amount=amount,
            currency=currency,
            minor_units=decimals,
            description=f"Charging at {station_id}" + (f" (connector {connector_id})" if connector_id else ""),
            created=now,
        )
        self.payments[payment.payment_id] = payment
        await self._save(payment)
        try:
            await self._create_hold(payment)
        except PaymentError as err:
            await self._finish(payment, m.FAILED, err.code, err.message)
            raise
        self._spawn(payment)
        return payment

    async def cancel(self, payment_id: str) -> Payment:
        """The user gives up before the session: the checkout ended or the hold released."""
        payment = self.payments[payment_id]
        if payment.state in (m.CREATED, m.AWAITING, m.HELD, m.STARTING):
            task = self._tasks.pop(payment_id, None)
            if task is not None:
                task.cancel()
            await self._release(payment, "cancelled_by_user")
        return payment

    # ---- the steps -------------------------------------------------------------

    def _spawn(self, payment: Payment) -> None:
        task = asyncio.get_running_loop().create_task(self._run(payment), name=f"payment-{payment.payment_id}")
        self._tasks[payment.payment_id] = task
        task.add_done_callback(functools.partial(self._done, payment.payment_id))

    def _done(self, payment_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(payment_id) is task:
            del self._tasks[payment_id]
        if not task.cancelled() and task.exception() is not None:
            _LOGGER.error("Payment %s stopped: %s", payment_id, task.exception())

    async def _run(self, payment: Payment) -> None:
        if payment.state == m.CREATED:
            try:
                await self._create_hold(payment)
            except PaymentError as err:
                await self._finish(payment, m.FAILED, err.code, err.message)
                return
        if payment.state == m.AWAITING:
            await self._await_hold(payment)
        if payment.state == m.HELD:
            await self._start_charger(payment)
        if payment.state == m.STARTING:
            await self._await_session(payment)
        if payment.state == m.CHARGING:
            self._catch_up_ended(payment)
        if payment.state == m.CAPTURING:
            await self._capture(payment)

    async def _create_hold(self, payment: Payment) -> None:
        assert self.provider is not None
        expires = datetime.fromisoformat(payment.created) + timedelta(minutes=CHECKOUT_MINUTES)
        hold = await self.provider.create_hold(
            payment.amount, payment.currency, payment.description, expires, payment.key("hold")
        )
        payment.hold_id, payment.url = hold.hold_id, hold.url
        await self._step(payment, m.AWAITING)

    async def _await_hold(self, payment: Payment) -> None:
        assert self.provider is not None and payment.hold_id is not None
        deadline = datetime.fromisoformat(payment.created) + timedelta(
            minutes=CHECKOUT_MINUTES, seconds=CHECKOUT_MARGIN
        )
        failures = 0
        while payment.state == m.AWAITING:
            try:
                state = await self.provider.poll(payment.hold_id)
            except PaymentError as err:
                failures += 1  # a poll is only a question: asked again, unless Stripe keeps refusing it
                if failures >= 5 or err.code == "stripe_key_refused":
                    await self._release(payment, err.code, err.message, m.FAILED)
                    return
                state = None
            if state is not None and state.state == HELD:
                payment.intent_id, payment.held_amount = state.intent_id, state.amount
                await self._step(payment, m.HELD)
                return
            if (state is not None and state.state == EXPIRED) or _now() >= deadline:
                payment.intent_id = state.intent_id if state is not None else None
                await self._release(payment, "checkout_expired", None, m.EXPIRED)
                return
            await asyncio.sleep(self.poll_interval)

    async def _start_charger(self, payment: Payment) -> None:
        deadline = _now() + timedelta(seconds=self.start_timeout)
        payment.start_deadline = deadline.isoformat()
        await self._step(payment, m.STARTING)  # written first: a crash now waits for the session, never starts twice
        # after a restart the charger reconnects a moment after the app is up: it is waited for (to the deadline)
        for _ in range(int(self.start_timeout / self.poll_interval) + 1):
            if self._central.is_connected(payment.station_id) or _now() >= deadline:
                break
            await asyncio.sleep(self.poll_interval)
        try:
            answer = await self._remote_start(payment)
        except csms.NotConnected:
            await self._release(payment, "charger_offline")
            return
        except csms.CallTimeout:
            await self._release(payment, "charger_timeout")
            return
        except csms.CallError as err:
            await self._release(payment, "start_refused", str(err))
            return
        if answer.get("status") != "Accepted":
            await self._release(payment, "start_refused", str(answer.get("status")))

    async def _remote_start(self, payment: Payment) -> dict[str, Any]:
        central, sid = self._central, payment.station_id
        if not central.stations[sid].is_v2:
            answer: dict[str, Any] = await central.v16(sid).remote_start_transaction(
                payment.id_tag, payment.connector_id or 1, None
            )
            return answer
        answer = await central.v201(sid).request_start_transaction(
            payment.id_tag, central.next_remote_start_id(), evse_id=payment.connector_id
        )
        return answer

    async def _await_session(self, payment: Payment) -> None:
        assert payment.start_deadline is not None
        deadline = datetime.fromisoformat(payment.start_deadline)
        event = self._changed.setdefault(payment.payment_id, asyncio.Event())
        while payment.state == m.STARTING:
            self._match_open_session(payment)
            if payment.state != m.STARTING:
                break
            left = (deadline - _now()).total_seconds()
            if left <= 0:
                await self._release(payment, "no_session")
                return
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=min(left, self.poll_interval))
        if payment.state == m.CHARGING:
            await self._save(payment)

    def _match_open_session(self, payment: Payment) -> None:
        station = self._central.stations.get(payment.station_id)
        if station is None:
            return
        for connector in station.connectors.values():
            tx = connector.transaction
            if tx is None or tx.id_tag is None or _tag_key(tx.id_tag) != _tag_key(payment.id_tag):
                continue
            if payment.connector_id in (None, connector.connector_id):
                payment.transaction_id = tx.transaction_id
                payment.state = m.CHARGING

    def _catch_up_ended(self, payment: Payment) -> None:
        """A session that ended while nobody listened (it is in the history): its capture now."""
        for record in self._central.transactions(payment.station_id):
            if record.get("transaction_id") == payment.transaction_id and not record.get("open"):
                payment.cost = minor_amount(record["cost"]) if record.get("cost") else 0
                payment.state = m.CAPTURING

    async def _capture(self, payment: Payment) -> None:
        assert self.provider is not None
        await self._save(payment)
        held = payment.held_amount if payment.held_amount is not None else payment.amount
        amount = min(payment.cost or 0, held)
        minimum = minimum_charge(payment.currency)
        if minimum is not None and 0 < amount < minimum:
            await self._waive(payment, minimum)
            return
        delay = RETRY_DELAY
        for _ in range(50):  # bounded; a restart goes on from CAPTURING
            try:
                if amount <= 0:
                    await self.provider.release(None, payment.intent_id, payment.key("release"))
                    payment.captured = 0
                else:
                    payment.captured = await self.provider.capture(
                        payment.intent_id or "", amount, payment.key("capture")
                    )
            except PaymentError as err:
                if err.code == "amount_too_small":  # a minimum this module does not know: Stripe's word
                    await self._waive(payment, None, err.message)
                    return
                payment.reason, payment.message = err.code, err.message
                await self._save(payment)
                if err.code == "stripe_refused" and await self._hold_expired(payment):
                    await self._finish(payment, m.FAILED, "hold_expired", err.message)
                    return
                if err.code in ("stripe_refused", "stripe_key_refused"):
                    await self._finish(payment, m.FAILED, err.code, err.message)
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
                continue
            payment.reason = payment.message = None
            await self._step(payment, m.CAPTURED)
            return

    async def _hold_expired(self, payment: Payment) -> bool:
        """Whether a refused capture met a hold Stripe let go (a card authorization lasts 7 days)."""
        assert self.provider is not None
        if payment.hold_id is None:
            return False
        try:
            state = await self.provider.poll(payment.hold_id)
        except PaymentError:
            return False
        return state.state == EXPIRED

    async def _waive(self, payment: Payment, minimum: int | None, stripe_message: str | None = None) -> None:
        """A session that cost less than Stripe's minimum charge: capturing it would be refused (and charging the
        minimum would take more than the session cost), so the hold is released and the session recorded as not
        charged, with a note of its cost and the minimum."""
        scale = 10**payment.minor_units
        cost = f"{(payment.cost or 0) / scale:.{payment.minor_units}f} {payment.currency}"
        note = f"cost {cost}"
        if minimum is not None:
            note += f", Stripe's minimum {minimum / scale:.{payment.minor_units}f} {payment.currency}"
        if stripe_message:
            note += f"; Stripe: {stripe_message}"
        payment.captured = 0
        await self._release(payment, "below_minimum", note, m.WAIVED)

    async def _release(
        self, payment: Payment, reason: str, message: str | None = None, state: str = m.CANCELED
    ) -> None:
        """End the attempt: the hold (or the open checkout) released, nothing charged."""
        if self.provider is not None and (payment.intent_id is not None or payment.hold_id is not None):
            hold = Hold(payment.hold_id, payment.url or "") if payment.hold_id is not None else None
            try:
                await self.provider.release(hold, payment.intent_id, payment.key("release"))
            except PaymentError as err:
                _LOGGER.error(
                    "Payment %s: the hold could not be released (%s); release it on Stripe", payment.payment_id, err
                )
                message = f"{message + '; ' if message else ''}release failed: {err.message}"
        await self._finish(payment, state, reason, message)

    async def _finish(self, payment: Payment, state: str, reason: str | None, message: str | None) -> None:
        payment.reason, payment.message = reason, message
        await self._step(payment, state)

    async def _step(self, payment: Payment, state: str) -> None:
        payment.state = state
        await self._save(payment)
        _LOGGER.info("Payment %s: %s%s", payment.payment_id, state, f" ({payment.reason})" if payment.reason else "")

    async def _save(self, payment: Payment) -> None:
        payment.updated = _now().isoformat()
        await self._store.save_payment(payment.payment_id, json.dumps(payment.to_dict()))

    # ---- the central system's events -------------------------------------------

    def _on_event(self, event: Any) -> None:
        if event.type == csms.EventType.TRANSACTION_STARTED:
            for payment in self.payments.values():
                if payment.state == m.STARTING and payment.station_id == event.station_id:
                    self._match_open_session(payment)
                    changed = self._changed.get(payment.payment_id)
                    if changed is not None:
                        changed.set()
        elif event.type == csms.EventType.TRANSACTION_ENDED:
            data = event.data or {}
            for payment in self.payments.values():
                if (
                    payment.state == m.CHARGING
                    and payment.station_id == event.station_id
                    and payment.transaction_id == str(data.get("transaction_id"))
                ):
                    cost = data.get("cost")
                    payment.cost = minor_amount(cost) if cost else 0
                    payment.state = m.CAPTURING
                    self._spawn(payment)
