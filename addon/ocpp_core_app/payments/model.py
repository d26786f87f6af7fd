"""A card payment for one remote start, as the store keeps it (one JSON row each, written at every step)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

# its steps, in order; the last five are final
CREATED = "created"  # written before the provider is asked (a crash here: the same hold is asked again)
AWAITING = "awaiting_payment"  # the checkout page waits for the driver
HELD = "held"  # the maximum cost is held on the card; the charger not asked yet
STARTING = "starting"  # the charger accepted the remote start; its session not seen yet
CHARGING = "charging"  # the session runs (transaction_id)
CAPTURING = "capturing"  # the session ended: its cost is being captured
CAPTURED = "captured"  # the cost captured, the rest released
CANCELED = "canceled"  # the hold released (the start failed, or the user cancelled): nothing charged
EXPIRED = "expired"  # the driver never completed the checkout: nothing held
FAILED = "failed"  # the provider refused (reason): nothing started
WAIVED = "waived"  # the session cost less than Stripe's minimum charge: the hold released, nothing charged
FINAL = frozenset({CAPTURED, CANCELED, EXPIRED, FAILED, WAIVED})


@dataclass(slots=True)
class Payment:
    payment_id: str
    station_id: str
    connector_id: int | None
    id_tag: str
    amount: int  # the hold, in the currency's minor unit
    currency: str
    minor_units: int
    description: str
    created: str
    state: str = CREATED
    updated: str | None = None
    hold_id: str | None = None
    url: str | None = None
    intent_id: str | None = None
    held_amount: int | None = None
    # after the charger's acceptance: when to give up waiting for its session (ISO)
    start_deadline: str | None = None
    transaction_id: str | None = None
    cost: int | None = None  # the session's real cost (minor units)
    captured: int | None = None
    # why it ended without a capture (an error code, translated by the web UI), and the provider's words
    reason: str | None = None
    message: str | None = None

    @property
    def final(self) -> bool:
        return self.state in FINAL

    def key(self, step: str) -> str:
        """The idempotency key of a step: the same after a restart, so Stripe answers a repeat from memory."""
        return f"{self.payment_id}:{step}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Payment:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def view(self) -> dict[str, Any]:
        """What the API shows (the amounts also as decimal text)."""
        out = self.to_dict()
        out["final"] = self.final
        scale = 10**self.minor_units
        for name in ("amount", "cost", "captured"):
            value = out[name]
            out[f"{name}_text"] = None if value is None else f"{value / scale:.{self.minor_units}f} {self.currency}"
        return out
