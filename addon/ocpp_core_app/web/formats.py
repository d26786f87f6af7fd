"""Numbers, energies, durations and times as the user's language writes them (German: decimal comma)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation


def number(lang: str, value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "de":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def money(lang: str, total: str | float | None, currency: str | None, digits: int) -> str:
    """An amount in its currency, to the currency's minor units (`digits`): 4,30 EUR in German; empty for none."""
    if total is None or total == "" or not currency:
        return ""
    try:
        amount = Decimal(str(total))
    except InvalidOperation:
        return ""
    if not amount.is_finite():
        return ""
    text = f"{amount:,.{digits}f}"
    if lang == "de":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return f"{text}\u00a0{currency}"


def price(lang: str, value: str | None, currency: str | None, minor: int | None) -> str:
    """A tariff's price written as the cost column writes money (0,30 EUR in German): to the currency's minor
    units (`minor`; 2 when unknown) or to every decimal the price has (0,3549 EUR per kWh keeps its four)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return ""
    if not amount.is_finite():
        return ""
    exponent = amount.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return money(lang, str(amount), currency, max(2 if minor is None else minor, decimals))


def duration(seconds: float | None) -> str:
    """h:mm:ss (the same in both languages)."""
    if seconds is None or seconds < 0:
        return "–"
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def since(start: datetime | None, now: datetime | None = None) -> str:
    if start is None:
        return "–"
    return duration(((now or datetime.now(UTC)) - start).total_seconds())


def local_time(lang: str, value: datetime | str | None) -> str:
    """A time in the server's local zone (the add-on's: Home Assistant's), in the language's usual form."""
    if value is None or value == "":
        return "–"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone()
    return local.strftime("%d.%m.%Y %H:%M" if lang == "de" else "%Y-%m-%d %H:%M")


def between(start: str | None, stop: str | None) -> float | None:
    if not start:
        return None
    begin = datetime.fromisoformat(start)
    end = datetime.fromisoformat(stop) if stop else datetime.now(begin.tzinfo or UTC)
    return (end - begin).total_seconds()


def day_bounds(text: str) -> tuple[datetime, datetime] | None:
    """A yyyy-mm-dd day as [its start, the next day's start) in local time; None when it is no date."""
    try:
        day = datetime.strptime(text, "%Y-%m-%d").astimezone()
    except ValueError:
        return None
    return day, day + timedelta(days=1)
