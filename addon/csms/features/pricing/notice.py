"""What a charger is told of a session's cost, in neutral form; each version writes it in its own
(v16/pricing.py: the Open Charge Alliance's California Pricing DataTransfer messages; v201/charger.py:
CostUpdated, the final cost going in the TransactionEventResponse instead)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .tariff import Tariff


@dataclass(frozen=True, slots=True)
class CostNotice:
    """The cost of a session so far (`final`: at its end), with what the charger may show beside it."""

    transaction_id: str
    cost: Decimal
    currency: str
    timestamp: datetime
    meter_wh: int  # the register now
    energy_kwh: Decimal  # of the session
    charging: bool
    tariff: Tariff
    final: bool = False


def price_text(tariff: Tariff) -> str:
    """The tariff in a line a charger can show (its display language is not known: numbers and units)."""
    parts = [f"{tariff.energy_price} {tariff.currency}/kWh"]
    if tariff.bands:
        parts[0] += " (by time of day)"
    if tariff.session_fee:
        parts.append(f"{tariff.session_fee} {tariff.currency}/session")
    if tariff.time_price:
        grace = f" after {tariff.time_grace_minutes} min" if tariff.time_grace_minutes else ""
        parts.append(f"{tariff.time_price} {tariff.currency}/min{grace}")
    if tariff.idle_price:
        grace = f" after {tariff.idle_grace_minutes} min" if tariff.idle_grace_minutes else ""
        parts.append(f"idle {tariff.idle_price} {tariff.currency}/min{grace}")
    return ", ".join(parts)
