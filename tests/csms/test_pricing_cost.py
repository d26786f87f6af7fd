"""The cost of a session against hand-computed tables (features/pricing: tariff.py, cost.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from custom_components.ocpp_core.csms.features.pricing import SessionMeter, Tariff, TariffError

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 11:00 in Berlin (CET)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def tariff(**fields: object) -> Tariff:
    return Tariff.from_dict({"currency": "EUR", **fields})


def run(t: Tariff, readings: list[tuple[float, float, bool]], until: float, start_wh: float = 1000.0) -> SessionMeter:
    """Readings (minute, register Wh, charging) from a session started at T0 with `start_wh`."""
    meter = SessionMeter.begin(t, T0, start_wh)
    meter.charging = True
    for minute, wh, charging in readings:
        meter.observe(minutes(minute), wh, charging, BERLIN)
    meter.observe(minutes(until), None, None, BERLIN)
    return meter


# (tariff, readings, stop minute, total, energy part, time part, idle part)
TABLE = [
    # 10 kWh at 0.30: 3.00
    ({"energy_price": "0.30"}, [(60, 11000, True)], 60, "3.00", "3.00", "0", "0"),
    # + a session fee of 1.50: 4.50
    ({"energy_price": "0.30", "session_fee": "1.50"}, [(60, 11000, True)], 60, "4.50", "3.00", "0", "0"),
    # 0.1 kWh at 0.333 = 0.0333 -> rounded once to 0.03
    ({"energy_price": "0.333"}, [(1, 1100, True)], 1, "0.03", "0.0333", "0", "0"),
    # per minute 0.05 after 30 grace: 90 min session -> 60 priced minutes = 3.00
    ({"time_price": "0.05", "time_grace_minutes": 30}, [(90, 1000, True)], 90, "3.00", "0", "3.00", "0"),
    # idle 0.10/min after 15 grace: charging 0-60, idle 60-100 (40 min) -> 25 priced = 2.50
    ({"idle_price": "0.10", "idle_grace_minutes": 15}, [(60, 5000, False)], 100, "2.50", "0", "0", "2.50"),
    # idle within its grace: nothing
    ({"idle_price": "0.10", "idle_grace_minutes": 15}, [(60, 5000, False)], 70, "0.00", "0", "0", "0"),
    # idle, charging again, idle again: 10 + 10 idle minutes, no grace, 0.20 = 4.00
    (
        {"idle_price": "0.20"},
        [(10, 2000, False), (20, 2000, True), (30, 3000, False)],
        40,
        "4.00",
        "0",
        "0",
        "4.00",
    ),
]


@pytest.mark.parametrize(("fields", "readings", "stop", "total", "energy", "time_part", "idle"), TABLE)
def test_cost_table(
    fields: dict[str, object],
    readings: list[tuple[float, float, bool]],
    stop: float,
    total: str,
    energy: str,
    time_part: str,
    idle: str,
) -> None:
    cost = run(tariff(**fields), readings, stop).cost(minutes(stop), BERLIN, final=True)
    assert cost.total == Decimal(total)
    assert str(cost.total) == total  # to the cent, never more decimals
    assert cost.energy == Decimal(energy)
    assert cost.time == Decimal(time_part)
    assert cost.idle == Decimal(idle)


NIGHT_AND_DAY = {
    "energy_price": "0.40",
    "bands": [
        {"start": "12:00", "end": "22:00", "energy_price": "0.40"},
        {"start": "22:00", "end": "06:00", "energy_price": "0.20"},
        {"start": "06:00", "end": "12:00", "energy_price": "0.30"},
    ],
}


def test_a_session_crossing_a_band_boundary_splits_its_energy_by_time() -> None:
    """11:00 to 13:00 Berlin: 6 kWh read at 12:30 (an hour of it in the morning, half an hour after noon), then
    2 kWh by 13:00 -- (4 kWh at 0.30) + (2 + 2 kWh at 0.40) = 1.20 + 1.60 = 2.80."""
    t = tariff(**NIGHT_AND_DAY)
    meter = run(t, [(90, 7000, True), (120, 9000, True)], 120)
    cost = meter.cost(minutes(120), BERLIN)
    assert meter.energy_wh[2] == Decimal(4000)  # 06:00-12:00
    assert meter.energy_wh[0] == Decimal(4000)  # 12:00-22:00
    assert cost.total == Decimal("2.80")


def test_over_midnight_and_local_time() -> None:
    """21:00 to 23:00 UTC is 22:00 to 00:00 in Berlin: all night; at UTC it would be half day."""
    t = tariff(**NIGHT_AND_DAY)
    start = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)
    meter = SessionMeter.begin(t, start, 0)
    meter.charging = True
    meter.observe(start + timedelta(hours=2), 10_000, True, BERLIN)
    assert meter.cost(start + timedelta(hours=2), BERLIN).total == Decimal("2.00")
    utc = SessionMeter.begin(t, start, 0)
    utc.observe(start + timedelta(hours=2), 10_000, True, UTC)
    assert utc.cost(start + timedelta(hours=2), UTC).total == Decimal("3.00")  # 5 kWh at 0.40 + 5 at 0.20


def test_per_minute_price_by_band() -> None:
    """11:30 to 12:30 Berlin, 0.10/min before noon and 0.02 after: 30 x 0.10 + 30 x 0.02 = 3.60."""
    t = tariff(
        bands=[
            {"start": "00:00", "end": "12:00", "time_price": "0.10"},
            {"start": "12:00", "end": "00:00", "time_price": "0.02"},
        ]
    )
    meter = SessionMeter.begin(t, minutes(30), 0)
    meter.charging = True
    assert meter.cost(minutes(90), BERLIN).total == Decimal("3.60")


def test_rounded_once_not_per_part() -> None:
    """Three parts of 0.004 each: 0.012 -> 0.01 (rounding each part first would give 0.00)."""
    t = tariff(energy_price="0.004", session_fee="0.004", time_price="0.004")
    meter = run(t, [(1, 2000, True)], 1)
    assert meter.cost(minutes(1), BERLIN).total == Decimal("0.01")
    # half up: 0.125 -> 0.13
    assert run(tariff(session_fee="0.125"), [], 0).cost(T0, BERLIN).total == Decimal("0.13")


def test_currency_minor_units() -> None:
    jpy = Tariff.from_dict({"currency": "jpy", "energy_price": "35.5"})
    assert jpy.currency == "JPY"
    cost = run(jpy, [(60, 11000, True)], 60).cost(minutes(60), BERLIN)
    assert (cost.total, cost.minor_units) == (Decimal(355), 355)
    kwd = Tariff.from_dict({"currency": "KWD", "energy_price": "0.0125"})
    cost = run(kwd, [(60, 2000, True)], 60).cost(minutes(60), BERLIN)
    assert (str(cost.total), cost.minor_units) == ("0.013", 13)


def test_float_readings_are_read_exactly() -> None:
    """0.1 kWh steps of a float register add up to exactly 0.3 kWh."""
    meter = run(tariff(energy_price="1"), [(1, 1100.1, True), (2, 1200.2, True), (3, 1300.1, True)], 3, 1000.1)
    assert meter.total_wh == Decimal("300.0")


def test_a_lower_reading_is_not_negative_energy() -> None:
    meter = run(tariff(energy_price="1"), [(1, 2000, True), (2, 1500, True), (3, 2500, True)], 3)
    assert meter.total_wh == Decimal(1500)


def test_a_stored_meter_counts_on() -> None:
    t = tariff(**NIGHT_AND_DAY, idle_price="0.1")
    meter = run(t, [(30, 3000, False)], 30)
    again = SessionMeter.from_dict(meter.to_dict())
    assert again == meter
    assert again.cost(minutes(60), BERLIN) == meter.cost(minutes(60), BERLIN)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"currency": "EUX"}, "unknown_currency"),
        ({"currency": ""}, "unknown_currency"),
        ({"currency": "EUR", "energy_price": "-0.01"}, "negative_price"),
        ({"currency": "EUR", "session_fee": -1}, "negative_price"),
        ({"currency": "EUR", "energy_price": "abc"}, "bad_number"),
        ({"currency": "EUR", "energy_price": "NaN"}, "bad_number"),
        ({"currency": "EUR", "time_grace_minutes": 1.5}, "bad_number"),
        ({"currency": "EUR", "max_energy_kwh": 0}, "bad_number"),
        ({"currency": "EUR", "on_max_energy": "explode"}, "bad_action"),
        ({"currency": "EUR", "time_zone": "Mars/Olympus"}, "bad_time_zone"),
        ({"currency": "EUR", "price": 1}, "bad_field"),
        ({"currency": "EUR", "bands": [{"start": "06:00", "end": "22:00"}]}, "band_gap"),
        (
            {"currency": "EUR", "bands": [{"start": "00:00", "end": "12:00"}, {"start": "11:00", "end": "00:00"}]},
            "band_overlap",
        ),
        ({"currency": "EUR", "bands": [{"start": "25:00", "end": "06:00"}]}, "bad_time"),
        ({"currency": "EUR", "bands": [{"start": "06:00", "end": "06:00"}]}, "bad_band"),
    ],
)
def test_bad_tariffs_are_refused(fields: dict[str, object], code: str) -> None:
    with pytest.raises(TariffError) as caught:
        Tariff.from_dict(fields)
    assert caught.value.code == code


def test_the_gap_named() -> None:
    with pytest.raises(TariffError, match="band_gap: 22:00"):
        Tariff.from_dict({"currency": "EUR", "bands": [{"start": "00:00", "end": "22:00"}]})


def test_a_tariff_reads_back_as_written() -> None:
    t = tariff(**NIGHT_AND_DAY, session_fee="1", max_energy_kwh="20", time_zone="Europe/Berlin", name="Guests")
    assert Tariff.from_dict(t.to_dict()) == t


def test_repriced_keeps_the_energy_and_the_idle_time() -> None:
    meter = run(tariff(**NIGHT_AND_DAY), [(30, 3000, False), (60, 5000, True)], 60)
    again = meter.repriced(tariff(energy_price="0.10", idle_price="0.01"), BERLIN)
    assert (again.total_wh, again.idle_seconds, again.last_wh, again.charging) == (
        Decimal(4000),
        Decimal(1800),
        Decimal(5000),
        True,
    )
    assert again.cost(minutes(60), BERLIN).total == Decimal("0.70")  # 4 kWh at 0.10 + 30 idle minutes at 0.01
