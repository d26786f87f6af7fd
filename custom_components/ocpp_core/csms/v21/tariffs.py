"""Our tariff as an OCPP 2.1 TariffType, for stations that calculate costs themselves (SetDefaultTariff, the
tariff of a tag in an AuthorizeResponse).

2.1 prices each element (energy, charging time, idle time, fixed fee) by the first of its prices whose
conditions all hold.  Ours become:
- energy: the price per kWh, one per time band (startTimeOfDay / endTimeOfDay, the site's local time);
- fixedFee: the fee per session;
- chargingTime: the price per minute of the session (per band), from minTime = the grace time on;
- idleTime: a minute not charging costs the time price (after its grace) plus the idle price (after
  minIdleTime = the idle grace time): both first, the time price alone next, the idle price alone last.
Prices are sent without tax rates (our prices are what the driver pays).  The maximum energy per session
has no place in a TariffType: the central system ends the session as with any other station.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..features.pricing.notice import price_text
from ..features.pricing.tariff import MINUTES_A_DAY, Band, Tariff

_DESCRIPTION_LENGTH = 1024


def _hhmm(minute: int) -> str:
    minute %= MINUTES_A_DAY
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _band_conditions(band: Band | None) -> dict[str, Any]:
    if band is None:
        return {}
    return {"startTimeOfDay": _hhmm(band.start), "endTimeOfDay": _hhmm(band.end)}


def _bands(tariff: Tariff) -> list[tuple[int, Band | None]]:
    return list(enumerate(tariff.bands)) if tariff.bands else [(0, None)]


def _prices(entries: list[tuple[Decimal, dict[str, Any]]], key: str) -> list[dict[str, Any]]:
    """The entries with a price, each condition set once (a later one with the same conditions is never
    reached), as 2.1 price objects."""
    prices: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []
    for amount, conditions in entries:
        if conditions in seen:
            continue
        seen.append(conditions)
        if amount > 0:
            item: dict[str, Any] = {key: _number(amount)}
            if conditions:
                item["conditions"] = conditions
            prices.append(item)
    return prices


def _energy(tariff: Tariff) -> list[dict[str, Any]]:
    return _prices([(tariff.energy_price_of(i), _band_conditions(b)) for i, b in _bands(tariff)], "priceKwh")


def _charging_time(tariff: Tariff) -> list[dict[str, Any]]:
    grace = {"minTime": tariff.time_grace_minutes * 60} if tariff.time_grace_minutes else {}
    entries = [(tariff.time_price_of(i), {**_band_conditions(b), **grace}) for i, b in _bands(tariff)]
    return _prices(entries, "priceMinute")


def _idle_time(tariff: Tariff) -> list[dict[str, Any]]:
    time_grace = {"minTime": tariff.time_grace_minutes * 60} if tariff.time_grace_minutes else {}
    idle_grace = {"minIdleTime": tariff.idle_grace_minutes * 60} if tariff.idle_grace_minutes else {}
    idle = tariff.idle_price
    entries: list[tuple[Decimal, dict[str, Any]]] = []
    for index, band in _bands(tariff):
        per_minute = tariff.time_price_of(index)
        when = _band_conditions(band)
        if per_minute and idle:
            entries.append((per_minute + idle, {**when, **time_grace, **idle_grace}))
        entries.append((per_minute, {**when, **time_grace}))
    # the idle price alone: before the time price's grace (or in a band without a time price)
    entries.append((idle, idle_grace))
    return _prices(entries, "priceMinute")


def tariff_type(tariff: Tariff, tariff_id: str) -> dict[str, Any]:
    """The 2.1 TariffType of a tariff (see the module's docstring)."""
    data: dict[str, Any] = {
        "tariffId": tariff_id,
        "currency": tariff.currency,
        "description": [{"format": "UTF8", "content": _description(tariff)}],
    }
    for key, prices in (
        ("energy", _energy(tariff)),
        ("chargingTime", _charging_time(tariff)),
        ("idleTime", _idle_time(tariff)),
        ("fixedFee", _prices([(tariff.session_fee, {})], "priceFixed")),
    ):
        if prices:
            data[key] = {"prices": prices}
    return data


def _description(tariff: Tariff) -> str:
    text = price_text(tariff)
    if tariff.name:
        text = f"{tariff.name}: {text}"
    return text[:_DESCRIPTION_LENGTH]


def has_conditions(tariff: Tariff) -> bool:
    """Whether its TariffType needs conditions (times of day, grace times)."""
    return (
        bool(tariff.bands)
        or (bool(tariff.time_grace_minutes) and bool(tariff.time_price or any(b.time_price for b in tariff.bands)))
        or (bool(tariff.idle_grace_minutes) and bool(tariff.idle_price))
    )


def element_count(tariff: Tariff) -> int:
    """The most prices one of its elements has (TariffCostCtrlr.MaxElements[Tariff] bounds it)."""
    data = tariff_type(tariff, "-")
    return max((len(data[key]["prices"]) for key in ("energy", "chargingTime", "idleTime", "fixedFee") if key in data),
               default=0)  # fmt: skip
