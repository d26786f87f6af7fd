"""The most a session can cost by its tariff: what is held on the card before the start."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Any

from .minimums import minimum_charge
from .provider import PaymentError


def maximum_cost(central: Any, station_id: str, connector_id: int | None, id_tag: str) -> tuple[int, str, int]:
    """(amount in minor units, currency, minor units): price per kWh (the dearest time of day) × the tariff's
    maximum kWh + its session fee.  Per-minute prices have no maximum: the capture never exceeds the hold.
    PaymentError `no_tariff` / `no_max_energy` when it cannot be held."""
    found = central.pricing.tariffs.resolve(station_id, connector_id or 1, id_tag)
    if found is None:
        raise PaymentError("no_tariff", f"no tariff applies to {id_tag!r} at {station_id}: nothing to hold")
    _, tariff = found
    if tariff.max_energy_kwh is None:
        raise PaymentError("no_max_energy", "the tariff has no maximum kWh per session: its cost has no maximum")
    dearest = max(tariff.energy_price_of(index) for index in range(tariff.band_count))
    total = Decimal(tariff.max_energy_kwh) * dearest + tariff.session_fee
    decimals = tariff.decimals
    minor = int((total * Decimal(10) ** decimals).to_integral_value(rounding=ROUND_CEILING))
    if minor <= 0:
        raise PaymentError("nothing_to_hold", "the tariff's maximum cost is zero: nothing to hold")
    minimum = minimum_charge(tariff.currency)
    if minimum is not None and minor < minimum:
        raise PaymentError(
            "hold_below_minimum",
            f"{_text(minor, decimals)} {tariff.currency} is below Stripe's minimum charge of "
            f"{_text(minimum, decimals)} {tariff.currency}",
        )
    return minor, str(tariff.currency), decimals


def _text(minor: int, decimals: int) -> str:
    return f"{Decimal(minor).scaleb(-decimals):.{decimals}f}"


def minor_amount(cost: dict[str, Any]) -> int:
    """A session's cost record (features/pricing Cost.to_dict: its total already in minor units)."""
    return int(cost["minor_units"])
