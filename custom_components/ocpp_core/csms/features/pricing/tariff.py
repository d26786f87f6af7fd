"""A tariff: what charging costs, in one currency; read from what the user gave, refused when it cannot be.

Prices are Decimals (never floats): per kWh, a fee per session, per minute (after a grace time) and per
minute while not charging (the idle fee, after its own grace time).  Optional bands of the day (the site's
local time) give other prices per kWh and per minute; together they cover the day exactly once (a gap or an
overlap is refused).  A maximum energy per session ends the session, pauses it, or only notes it, when reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .currencies import minor_unit

MINUTES_A_DAY = 24 * 60
MAX_BANDS = 48
MAX_GRACE_MINUTES = 24 * 60
# what happens when a session reaches its maximum energy: ended (RemoteStop / RequestStop), limited (its
# connector paused at 0 A, the session going on, until it ends), or only noted
ON_MAX_STOP = "stop"
ON_MAX_LIMIT = "limit"
ON_MAX_NOTE = "note"
ON_MAX_ACTIONS = (ON_MAX_STOP, ON_MAX_LIMIT, ON_MAX_NOTE)
_NAME_LENGTH = 100


class TariffError(ValueError):
    """A tariff that cannot be kept; `code` says why (for translated messages), `detail` what."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}{f': {detail}' if detail else ''}")
        self.code = code
        self.detail = detail


def price(value: Any, name: str) -> Decimal:
    """A price as given (text, int or float: read through its text, so 0.1 is exactly 0.1); not negative."""
    if isinstance(value, bool) or value is None:
        raise TariffError("bad_number", name)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise TariffError("bad_number", f"{name}: {value}") from None
    if not number.is_finite():
        raise TariffError("bad_number", f"{name}: {value}")
    if number < 0:
        raise TariffError("negative_price", f"{name}: {value}")
    return number


def _minutes(value: Any, name: str) -> int:
    number = price(value, name)
    if number != number.to_integral_value() or number > MAX_GRACE_MINUTES:
        raise TariffError("bad_number", f"{name}: {value}")
    return int(number)


def _time_of_day(value: Any, name: str) -> int:
    """HH:MM (24:00 and 00:00 both midnight at the end) as minutes of the day."""
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    text = str(value).strip()
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(part.isdigit() for part in parts):
        raise TariffError("bad_time", f"{name}: {value}")
    hours, minutes = int(parts[0]), int(parts[1])
    if (hours, minutes) == (24, 0):
        return MINUTES_A_DAY
    if hours > 23 or minutes > 59 or (len(parts) == 3 and int(parts[2]) != 0):
        raise TariffError("bad_time", f"{name}: {value}")
    return hours * 60 + minutes


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, slots=True)
class Band:
    """A time of day, [start, end) in minutes of the day (end below start: over midnight), and its prices
    (None: the tariff's)."""

    start: int
    end: int
    energy_price: Decimal | None = None
    time_price: Decimal | None = None

    def covers(self, minute: int) -> bool:
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"start": _hhmm(self.start), "end": _hhmm(self.end % MINUTES_A_DAY)}
        if self.energy_price is not None:
            data["energy_price"] = str(self.energy_price)
        if self.time_price is not None:
            data["time_price"] = str(self.time_price)
        return data

    @classmethod
    def from_dict(cls, data: Any, index: int) -> Band:
        if not isinstance(data, dict):
            raise TariffError("bad_band", f"band {index + 1}")
        name = f"band {index + 1}"
        start = _time_of_day(data.get("start"), f"{name} start")
        end = _time_of_day(data.get("end"), f"{name} end")
        start %= MINUTES_A_DAY
        end %= MINUTES_A_DAY
        if start == end:
            raise TariffError("bad_band", f"{name}: it starts where it ends ({_hhmm(start)})")
        energy = data.get("energy_price")
        per_minute = data.get("time_price")
        return cls(
            start,
            end,
            None if energy is None else price(energy, f"{name} energy_price"),
            None if per_minute is None else price(per_minute, f"{name} time_price"),
        )


def check_bands(bands: tuple[Band, ...]) -> None:
    """TariffError band_gap / band_overlap naming the first minute left out or covered twice."""
    if not bands:
        return
    covered = [0] * MINUTES_A_DAY
    for band in bands:
        minute = band.start
        while True:
            covered[minute] += 1
            minute = (minute + 1) % MINUTES_A_DAY
            if minute == band.end:
                break
    for minute, times in enumerate(covered):
        if times > 1:
            raise TariffError("band_overlap", _hhmm(minute))
    for minute, times in enumerate(covered):
        if times == 0:
            raise TariffError("band_gap", _hhmm(minute))


@dataclass(frozen=True, slots=True)
class Tariff:
    """What a session costs (see the module's docstring); `time_zone` None: the central system's."""

    currency: str
    energy_price: Decimal = Decimal(0)  # per kWh
    session_fee: Decimal = Decimal(0)
    time_price: Decimal = Decimal(0)  # per minute of the session, after time_grace_minutes
    time_grace_minutes: int = 0
    idle_price: Decimal = Decimal(0)  # per minute not charging, after idle_grace_minutes of it
    idle_grace_minutes: int = 0
    max_energy_kwh: Decimal | None = None
    on_max_energy: str = ON_MAX_STOP
    bands: tuple[Band, ...] = field(default=())
    time_zone: str | None = None
    name: str | None = None

    @property
    def decimals(self) -> int:
        decimals = minor_unit(self.currency)
        assert decimals is not None  # checked when read
        return decimals

    @property
    def band_count(self) -> int:
        """Energy is counted per band (one when the tariff has none)."""
        return max(1, len(self.bands))

    def band_index(self, local: datetime) -> int:
        minute = local.hour * 60 + local.minute
        for index, band in enumerate(self.bands):
            if band.covers(minute):
                return index
        return 0

    def energy_price_of(self, index: int) -> Decimal:
        band = self.bands[index] if index < len(self.bands) else None
        return band.energy_price if band is not None and band.energy_price is not None else self.energy_price

    def time_price_of(self, index: int) -> Decimal:
        band = self.bands[index] if index < len(self.bands) else None
        return band.time_price if band is not None and band.time_price is not None else self.time_price

    def zone(self, default: tzinfo) -> tzinfo:
        return ZoneInfo(self.time_zone) if self.time_zone else default

    def segments(self, start: datetime, end: datetime, zone: tzinfo) -> Iterator[tuple[datetime, datetime, int]]:
        """[start, end) cut where the band changes: (from, to, band index), in order."""
        if not self.bands:
            if end > start:
                yield start, end, 0
            return
        at = start
        for _ in range(4 * MAX_BANDS * 400):  # bounded: a band change at least every day, for a year
            if at >= end:
                return
            local = at.astimezone(zone)
            index = self.band_index(local)
            band = self.bands[index]
            boundary_day = local.date()
            minute = local.hour * 60 + local.minute
            if band.end <= minute:
                boundary_day += timedelta(days=1)
            boundary = datetime.combine(boundary_day, time(band.end // 60, band.end % 60), zone).astimezone(UTC)
            if boundary <= at:  # a clock change skipped the boundary: step past it
                boundary = at + timedelta(minutes=1)
            yield at, min(boundary, end), index
            at = boundary
        if at < end:
            yield at, end, self.band_index(at.astimezone(zone))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "currency": self.currency,
            "energy_price": str(self.energy_price),
            "session_fee": str(self.session_fee),
            "time_price": str(self.time_price),
            "time_grace_minutes": self.time_grace_minutes,
            "idle_price": str(self.idle_price),
            "idle_grace_minutes": self.idle_grace_minutes,
            "max_energy_kwh": None if self.max_energy_kwh is None else str(self.max_energy_kwh),
            "on_max_energy": self.on_max_energy,
            "bands": [band.to_dict() for band in self.bands],
        }
        if self.time_zone is not None:
            data["time_zone"] = self.time_zone
        if self.name is not None:
            data["name"] = self.name
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tariff:
        """Read and check a tariff; TariffError (unknown_currency, negative_price, bad_number, bad_time,
        bad_band, band_gap, band_overlap, bad_time_zone, bad_action, bad_name, bad_field) when it cannot be kept."""
        unknown = set(data) - _FIELDS
        if unknown:
            raise TariffError("bad_field", ", ".join(sorted(unknown)))
        currency = str(data.get("currency") or "").strip().upper()
        if minor_unit(currency) is None:
            raise TariffError("unknown_currency", str(data.get("currency") or ""))
        max_energy = data.get("max_energy_kwh")
        max_kwh = None if max_energy in (None, "") else price(max_energy, "max_energy_kwh")
        if max_kwh is not None and max_kwh <= 0:
            raise TariffError("bad_number", f"max_energy_kwh: {max_energy}")
        on_max = str(data.get("on_max_energy") or ON_MAX_STOP)
        if on_max not in ON_MAX_ACTIONS:
            raise TariffError("bad_action", on_max)
        raw_bands = data.get("bands") or []
        if not isinstance(raw_bands, list | tuple) or len(raw_bands) > MAX_BANDS:
            raise TariffError("bad_band", f"at most {MAX_BANDS} bands")
        bands = tuple(Band.from_dict(item, index) for index, item in enumerate(raw_bands))
        check_bands(bands)
        zone = data.get("time_zone") or None
        if zone is not None:
            try:
                ZoneInfo(str(zone))
            except (ZoneInfoNotFoundError, ValueError):
                raise TariffError("bad_time_zone", str(zone)) from None
        name = data.get("name")
        if name is not None and (not isinstance(name, str) or len(name) > _NAME_LENGTH):
            raise TariffError("bad_name", f"at most {_NAME_LENGTH} characters")
        return cls(
            currency=currency,
            energy_price=price(data.get("energy_price", 0), "energy_price"),
            session_fee=price(data.get("session_fee", 0), "session_fee"),
            time_price=price(data.get("time_price", 0), "time_price"),
            time_grace_minutes=_minutes(data.get("time_grace_minutes", 0), "time_grace_minutes"),
            idle_price=price(data.get("idle_price", 0), "idle_price"),
            idle_grace_minutes=_minutes(data.get("idle_grace_minutes", 0), "idle_grace_minutes"),
            max_energy_kwh=max_kwh,
            on_max_energy=on_max,
            bands=bands,
            time_zone=None if zone is None else str(zone),
            name=name or None,
        )


_FIELDS = frozenset(
    {
        "currency", "energy_price", "session_fee", "time_price", "time_grace_minutes", "idle_price",
        "idle_grace_minutes", "max_energy_kwh", "on_max_energy", "bands", "time_zone", "name",
    }
)  # fmt: skip
