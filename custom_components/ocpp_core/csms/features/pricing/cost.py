"""The cost of one session, counted from what the meter and the connector said, as it goes.

Energy: each increase of the register is spread over the time since the reading before, and so
attributed to the time bands it happened in.  Time: the session's minutes after the grace time, each at
its band's price.  Idle: the minutes the connector was not charging (its status, 2.x chargingState),
after the idle grace time.  Everything is exact (Decimal) until the total, rounded once to the currency's
minor unit, half up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .tariff import Tariff

_WH_PER_KWH = Decimal(1000)
_SECONDS_A_MINUTE = Decimal(60)


def _seconds(delta: timedelta) -> Decimal:
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / Decimal(1_000_000)


def meter_wh(value: float) -> Decimal:
    """A meter reading (float Wh) as the Decimal of its text: 1234.5 is exactly 1234.5."""
    return Decimal(repr(float(value)))


@dataclass(slots=True)
class Cost:
    """A session's cost at a moment: the total rounded once, and its exact parts."""

    currency: str
    total: Decimal  # rounded to the currency's minor unit
    minor_units: int  # the total in minor units (cents)
    energy: Decimal
    time: Decimal
    idle: Decimal
    session_fee: Decimal
    energy_kwh: Decimal
    idle_minutes: Decimal
    final: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": str(self.total),
            "minor_units": self.minor_units,
            "currency": self.currency,
            "energy": str(self.energy),
            "time": str(self.time),
            "idle": str(self.idle),
            "session_fee": str(self.session_fee),
            "energy_kwh": str(self.energy_kwh),
            "idle_minutes": str(self.idle_minutes),
            "final": self.final,
        }


@dataclass(slots=True)
class SessionMeter:
    """What a running session has used, by band; fed with observations in time order (older are clamped)."""

    tariff: Tariff
    start: datetime
    last_time: datetime
    last_wh: Decimal | None
    charging: bool = False
    energy_wh: list[Decimal] = field(default_factory=list)
    idle_seconds: Decimal = Decimal(0)
    # the limit the session reached ("max_energy"), once
    limit_reached: str | None = None

    @classmethod
    def begin(cls, tariff: Tariff, start: datetime, meter_start_wh: float | None) -> SessionMeter:
        return cls(
            tariff,
            start,
            start,
            None if meter_start_wh is None else meter_wh(meter_start_wh),
            energy_wh=[Decimal(0)] * tariff.band_count,
        )

    def repriced(self, tariff: Tariff, zone: tzinfo) -> SessionMeter:
        """The same session under another tariff: the energy so far spread over its time, the idle time kept."""
        meter = SessionMeter.begin(tariff, self.start, None)
        meter.last_wh = None if self.last_wh is None else self.last_wh - self.total_wh
        meter.charging = True  # the idle time is carried over as counted, not again
        meter.observe(self.last_time, None if self.last_wh is None else float(self.last_wh), None, zone)
        meter.charging, meter.idle_seconds, meter.limit_reached = self.charging, self.idle_seconds, self.limit_reached
        return meter

    @property
    def total_wh(self) -> Decimal:
        return sum(self.energy_wh, Decimal(0))

    def observe(self, at: datetime, register_wh: float | None, charging: bool | None, zone: tzinfo) -> None:
        """The register (None: no new reading) and whether it charges (None: unchanged) at `at`."""
        at = max(at, self.last_time)
        if not self.charging:
            self.idle_seconds += _seconds(at - self.last_time)
        if register_wh is not None:
            reading = meter_wh(register_wh)
            if self.last_wh is None:
                self.last_wh = reading  # the first reading of a session that reported no start
            elif reading > self.last_wh:
                self._attribute(reading - self.last_wh, self.last_time, at, zone)
                self.last_wh = reading
        self.last_time = at
        if charging is not None:
            self.charging = charging

    def _attribute(self, wh: Decimal, since: datetime, until: datetime, zone: tzinfo) -> None:
        """Spread `wh` over [since, until] by the time spent in each band (all to `until`'s band if no time)."""
        whole = _seconds(until - since)
        if whole <= 0:
            self.energy_wh[self.tariff.band_index(until.astimezone(zone))] += wh
            return
        for start, end, index in self.tariff.segments(since, until, zone):
            self.energy_wh[index] += wh * _seconds(end - start) / whole

    def cost(self, until: datetime, zone: tzinfo, final: bool = False) -> Cost:
        """The cost up to `until` (idle counted on to it while not charging)."""
        tariff = self.tariff
        until = max(until, self.last_time)
        energy = sum(
            (wh / _WH_PER_KWH * tariff.energy_price_of(index) for index, wh in enumerate(self.energy_wh)), Decimal(0)
        )
        time_cost = Decimal(0)
        priced_from = self.start + timedelta(minutes=tariff.time_grace_minutes)
        if any(tariff.time_price_of(index) for index in range(tariff.band_count)):
            for start, end, index in tariff.segments(priced_from, until, zone):
                time_cost += _seconds(end - start) / _SECONDS_A_MINUTE * tariff.time_price_of(index)
        idle_seconds = self.idle_seconds + (Decimal(0) if self.charging else _seconds(until - self.last_time))
        idle_minutes = idle_seconds / _SECONDS_A_MINUTE
        idle = max(Decimal(0), idle_minutes - tariff.idle_grace_minutes) * tariff.idle_price
        exact = energy + time_cost + idle + tariff.session_fee
        step = Decimal(1).scaleb(-tariff.decimals)
        total = exact.quantize(step, rounding=ROUND_HALF_UP)
        return Cost(
            currency=tariff.currency,
            total=total,
            minor_units=int(total.scaleb(tariff.decimals)),
            energy=energy,
            time=time_cost,
            idle=idle,
            session_fee=tariff.session_fee,
            energy_kwh=self.total_wh / _WH_PER_KWH,
            idle_minutes=idle_minutes,
            final=final,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "tariff": self.tariff.to_dict(),
            "start": self.start.isoformat(),
            "last_time": self.last_time.isoformat(),
            "last_wh": None if self.last_wh is None else str(self.last_wh),
            "charging": self.charging,
            "energy_wh": [str(wh) for wh in self.energy_wh],
            "idle_seconds": str(self.idle_seconds),
            "limit_reached": self.limit_reached,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionMeter:
        tariff = Tariff.from_dict(data["tariff"])
        energy = [Decimal(str(wh)) for wh in data.get("energy_wh") or []]
        if len(energy) != tariff.band_count:
            raise ValueError("energy per band does not match the tariff's bands")
        last_wh = data.get("last_wh")
        return cls(
            tariff,
            datetime.fromisoformat(data["start"]),
            datetime.fromisoformat(data["last_time"]),
            None if last_wh is None else Decimal(str(last_wh)),
            bool(data.get("charging")),
            energy,
            Decimal(str(data.get("idle_seconds") or 0)),
            data.get("limit_reached"),
        )
