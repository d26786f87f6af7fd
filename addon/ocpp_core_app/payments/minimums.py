"""Stripe's minimum charge per currency (stripe.com/docs/currencies, "Minimum and maximum charge amounts"), in
the currency's minor unit: a charge (and a capture) below it is refused by Stripe.  A currency not listed here
has a minimum Stripe states only as "0.50 USD or the equivalent": Stripe's refusal (amount_too_small) is
then what tells."""

from __future__ import annotations

# minor units (cents; HUF and JPY as Stripe counts them)
STRIPE_MINIMUMS: dict[str, int] = {
    "USD": 50, "AED": 200, "AUD": 50, "BGN": 100, "BRL": 50, "CAD": 50, "CHF": 50, "CZK": 1500, "DKK": 250,
    "EUR": 50, "GBP": 30, "HKD": 400, "HUF": 17500, "INR": 50, "JPY": 50, "MXN": 1000, "MYR": 200, "NOK": 300,
    "NZD": 50, "PLN": 200, "RON": 200, "SEK": 300, "SGD": 50, "THB": 1000,
}  # fmt: skip


def minimum_charge(currency: str) -> int | None:
    """Stripe's minimum charge in the currency's minor unit; None when not known here."""
    return STRIPE_MINIMUMS.get(currency.upper())
