"""The payment provider as the flow sees it: a hold the driver completes on the provider's page, polled,
captured (at most what it holds) or released.  Every call names its idempotency key: a retry after a crash
(or the provider's own retry after a 5xx) is the same request, never a second charge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# what a hold can be: the driver has not paid yet, the amount is held on the card, it will never be held
OPEN, HELD, EXPIRED = "open", "held", "expired"


class PaymentError(Exception):
    """A provider's call failed; `code` says why (for translated messages), `message` the provider's words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Hold:
    """A hold asked for: the provider's id of it, the page the driver pays on."""

    hold_id: str
    url: str


@dataclass(frozen=True, slots=True)
class HoldState:
    """A hold as it is now: OPEN, HELD (with the provider's id of the held amount) or EXPIRED."""

    state: str
    intent_id: str | None = None
    amount: int | None = None


class PaymentProvider(Protocol):
    """Amounts in the currency's minor unit (cents); currencies as ISO 4217 codes."""

    async def create_hold(self, amount: int, currency: str, description: str, expires: datetime, key: str) -> Hold:
        """`expires`: when the page stops taking a card; every argument the same in a repeat (the same key)."""
        ...

    async def poll(self, hold_id: str) -> HoldState: ...

    async def capture(self, intent_id: str, amount: int, key: str) -> int: ...

    async def release(self, hold: Hold | None, intent_id: str | None, key: str) -> None: ...
