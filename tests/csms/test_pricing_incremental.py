"""The running cost is counted as readings arrive (issue 18): the same cost as counting the whole session
again at every reading, with work and state per reading that do not grow with the session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.ocpp_core.csms.features.pricing import SessionMeter, Tariff

BERLIN = ZoneInfo("Europe/Berlin")
# Saturday 28 March 2026, 18:00 UTC: the sessions below run over the change to summer time (29 March)
T0 = datetime(2026, 3, 28, 18, 0, tzinfo=UTC)

TWO_BANDS = {
    "currency": "EUR",
    "energy_price": "0.35",
    "time_price": "0.01",
    "time_grace_minutes": 45,
    "idle_price": "0.10",
    "idle_grace_minutes": 15,
    "session_fee": "0.99",
    "bands": [
        {"start": "06:00", "end": "22:00", "energy_price": "0.40", "time_price": "0.0237"},
        {"start": "22:00", "end": "06:00", "energy_price": "0.20"},
    ],
}
THREE_BANDS = {
    "currency": "EUR",
    "time_price": "0.003",
    "bands": [
        {"start": "02:00", "end": "03:00", "time_price": "0.5"},  # the hour skipped in spring
        {"start": "03:00", "end": "17:30", "energy_price": "0.31"},
        {"start": "17:30", "end": "02:00", "energy_price": "0.17", "time_price": "0.011"},
    ],
}
FLAT_TIME = {"currency": "JPY", "energy_price": "35.5", "time_price": "1.7", "time_grace_minutes": 600}


def readings(count: int, step_seconds: int = 97) -> Iterator[tuple[datetime, float, bool]]:
    """(time, register Wh, charging): irregular steps, a flat register now and then, idle stretches."""
    for index in range(1, count + 1):
        at = T0 + timedelta(seconds=step_seconds * index + (index % 7) * 3)
        wh = 1000.0 + 71.3 * index - (0 if index % 11 else 35.0)  # sometimes lower: not negative energy
        yield at, wh, index % 40 < 33


def reference_cost(meter: SessionMeter, until: datetime, zone: tzinfo) -> tuple[Decimal, Decimal]:
    """The time part and the total as before issue 18: the time price counted over the whole session again."""
    tariff = meter.tariff
    until = max(until, meter.last_time)
    time_cost = Decimal(0)
    for start, end, index in tariff.segments(meter.start + timedelta(minutes=tariff.time_grace_minutes), until, zone):
        seconds = Decimal((end - start).days * 86400 + (end - start).seconds)
        time_cost += seconds / 60 * tariff.time_price_of(index)
    cost = meter.cost(until, zone)
    exact = cost.energy + time_cost + cost.idle + tariff.session_fee
    return time_cost, exact.quantize(Decimal(1).scaleb(-tariff.decimals), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("fields", [TWO_BANDS, THREE_BANDS, FLAT_TIME], ids=["two", "three", "flat"])
def test_every_running_cost_is_the_whole_sessions_cost(fields: dict[str, Any]) -> None:
    """After each of 2,000 readings over three days (a clock change among them), and between readings."""
    meter = SessionMeter.begin(Tariff.from_dict(fields), T0, 1000.0)
    meter.charging = True
    for at, wh, charging in readings(2_000):
        meter.observe(at, wh, charging, BERLIN)
        for until in (at, at + timedelta(minutes=41)):
            cost = meter.cost(until, BERLIN)
            time_part, total = reference_cost(meter, until, BERLIN)
            assert cost.total == total, until
            assert abs(cost.time - time_part) < Decimal("1e-18"), until


def test_a_session_stored_and_read_again_counts_on_the_same() -> None:
    """Saved and read back at every 100th reading (a restart), or saved before time_seconds was kept."""
    tariff = Tariff.from_dict(TWO_BANDS)
    straight = SessionMeter.begin(tariff, T0, 1000.0)
    restarted = SessionMeter.begin(tariff, T0, 1000.0)
    for number, (at, wh, charging) in enumerate(readings(1_000), 1):
        straight.observe(at, wh, charging, BERLIN)
        restarted.observe(at, wh, charging, BERLIN)
        if number % 100 == 0:
            record = restarted.to_dict()
            if number % 200 == 0:
                del record["time_seconds"]  # a record of a version before issue 18
            restarted = SessionMeter.from_dict(json.loads(json.dumps(record)))
            assert restarted.cost(at, BERLIN) == straight.cost(at, BERLIN)
    assert restarted == straight


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_seconds", ["60"], "time per band"),
        ("time_seconds", ["abc", "0"], "not a number"),
        ("time_seconds", ["NaN", "0"], "not a number"),
        ("energy_wh", ["1", "x"], "not a number"),
        ("idle_seconds", "soon", "not a number"),
    ],
)
def test_a_stored_meter_that_cannot_be_read_is_a_value_error(field: str, value: object, message: str) -> None:
    """ValueError, which the manager turns into a warning and a session counted afresh, not a failed load."""
    record = SessionMeter.begin(Tariff.from_dict(TWO_BANDS), T0, 0).to_dict()
    record[field] = value
    with pytest.raises(ValueError, match=message):
        SessionMeter.from_dict(record)


def test_the_work_and_the_state_per_reading_do_not_grow_with_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """The band segments walked per reading (observe and cost) at the 10th and the 10,000th reading (a week
    of one a minute) are as few; what is saved holds a few numbers per band."""
    walked = 0
    segments = Tariff.segments

    def counting(
        self: Tariff, start: datetime, end: datetime, zone: tzinfo
    ) -> Iterator[tuple[datetime, datetime, int]]:
        nonlocal walked
        for segment in segments(self, start, end, zone):
            walked += 1
            yield segment

    monkeypatch.setattr(Tariff, "segments", counting)
    meter = SessionMeter.begin(Tariff.from_dict(THREE_BANDS), T0, 1000.0)
    meter.charging = True
    walked_at: dict[int, int] = {}
    saved_at: dict[int, dict[str, Any]] = {}
    for number in range(1, 10_001):
        at = T0 + timedelta(minutes=number)
        before = walked
        meter.observe(at, 1000.0 + 150.0 * number, number % 60 < 50, BERLIN)
        meter.cost(at, BERLIN)
        walked_at[number] = walked - before
        if number in (10, 10_000):
            saved_at[number] = meter.to_dict()
    assert max(walked_at.values()) <= 4  # a reading crossing a band boundary: split in two, for energy and time
    assert walked_at[10_000] <= walked_at[10] + 2
    for saved in saved_at.values():
        assert len(saved["energy_wh"]) == len(saved["time_seconds"]) == 3
    assert saved_at[10_000].keys() == saved_at[10].keys()
    assert len(json.dumps(saved_at[10_000])) < len(json.dumps(saved_at[10])) + 200  # longer numbers, no more
