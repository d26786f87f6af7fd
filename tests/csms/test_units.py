"""Meter value normalisation, including what real chargers get wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.ocpp_core.csms.model.units import normalise
from custom_components.ocpp_core.csms.rpc.timeutil import parse_timestamp


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("Energy.Active.Import.Register", "12.5", "kWh", None),
            ("Energy.Active.Import.Register", 12500.0, "Wh", None),
        ),
        ((None, "51608.5", None, None), ("Energy.Active.Import.Register", 51608.5, "Wh", None)),
        (("Power.Active.Import", "7.2", "kW", "L1-N"), ("Power.Active.Import", 7200.0, "W", "L1")),
        (("Current.Import", "16", "A", "L1-N"), ("Current.Import", 16.0, "A", "L1")),
        (("Voltage", "230", "V", "L2"), ("Voltage", 230.0, "V", "L2-N")),
        (("Temperature", "300", "K", None), ("Temperature", pytest.approx(26.85), "°C", None)),
        (("Temperature", "212", "Fahrenheit", None), ("Temperature", 100.0, "°C", None)),
        (("Temperature", "21", "Celcius", None), ("Temperature", 21.0, "°C", None)),
        (("SoC", "80", "V", None), ("SoC", 80.0, "%", None)),  # Amperfied labels SoC in volts
        (("Frequency", "50.0", None, None), ("Frequency", 50.0, "Hz", None)),
        (("Power.Factor", "0.98", None, None), ("Power.Factor", 0.98, "", None)),
        (("Voltage", "0", "V", "N"), ("Voltage", 0.0, "V", "N")),
    ],
)
def test_normalise(args: tuple[str | None, str, str | None, str | None], expected: tuple[object, ...]) -> None:
    assert normalise(*args) == expected


@pytest.mark.parametrize(
    "args",
    [
        ("Energy.Active.Import.Register", "", "Wh", None),  # Amperfied: empty values when idle
        ("Power.Active.Import", "n/a", "W", None),
        ("Power.Active.Import", "nan", "W", None),
        (None, "16", "A", None),  # Alfen: no measurand (= energy register) yet in amperes: ambiguous
    ],
)
def test_unusable_samples_dropped(args: tuple[str | None, str, str | None, str | None]) -> None:
    assert normalise(*args) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00+00:00"),
        ("2024-01-01T10:00:00.123z", "2024-01-01T10:00:00.123000+00:00"),
        ("2024-01-01 10:00:00", "2024-01-01T10:00:00+00:00"),  # no zone: UTC
        ("2024-01-01T12:00:00+02:00", "2024-01-01T12:00:00+02:00"),
    ],
)
def test_timestamps_read_forgivingly(text: str, expected: str) -> None:
    assert parse_timestamp(text).isoformat() == expected


def test_unreadable_timestamp_is_the_default() -> None:
    default = datetime(2020, 1, 1, tzinfo=UTC)
    assert parse_timestamp("garbage", default) == default
    assert parse_timestamp(None, default) == default
