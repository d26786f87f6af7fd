"""Numbers, energies, durations and times as the user's language writes them (German: decimal comma)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

# a day as the date pickers submit it (ISO, whatever the browser's locale shows), or typed as German writes it
# where a browser shows a plain text field instead of a picker: 1.3.2026, 01.03.2026
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
# a time of day after the day: 14:05 or 14:05:30 (fractions of a second as some pickers add them)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?$")


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


def parse_day(text: str) -> date:
    """A form's day: 2026-03-01 (what a date picker submits) or 1.3.2026 / 01.03.2026; ValueError for anything else."""
    text = text.strip()
    dotted = _DOTTED_DAY.match(text)
    if dotted is not None:
        return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
    iso = _ISO_DAY.match(text)
    if iso is None:
        raise ValueError(f"no day: {text!r}")
    return date(int(iso[1]), int(iso[2]), int(iso[3]))


def parse_moment(text: str) -> datetime:
    """A form's wall-clock time (no zone): a datetime-local value (2026-03-01T14:05[:30]) or a day as parse_day
    takes it, then a space (or ", ") and 14:05[:30]; ValueError for anything else."""
    day_text, _, clock_text = text.strip().replace("T", " ", 1).replace(", ", " ", 1).partition(" ")
    day = parse_day(day_text)
    clock = _CLOCK.match(clock_text.strip())
    if clock is None:
        raise ValueError(f"no time: {text!r}")
    hour, minute, second = int(clock[1]), int(clock[2]), int(clock[3] or 0)
    return datetime(day.year, day.month, day.day, hour, minute, second)


def iso_day(text: str) -> str:
    """A form's day in ISO form (what a date input shows and the API takes); as given when it is no day."""
    try:
        return parse_day(text).isoformat()
    except ValueError:
        return text


def day_bounds(text: str) -> tuple[datetime, datetime] | None:
    """A day (as parse_day takes it) as [its start, the next day's start) in local time; None when it is none."""
    try:
        day = parse_day(text)
    except ValueError:
        return None
    start = datetime(day.year, day.month, day.day).astimezone()
    return start, start + timedelta(days=1)
