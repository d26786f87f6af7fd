"""What pricing costs per meter value, by the session's length: it must not grow (issue 18).

    python -m bench.pricing [--sample 300] [--json]

A session with a two-band tariff (energy and time prices per band, a time grace, an idle fee) gets one
reading a minute (charging, an idle stretch every 50 readings).  At 10, 1,000 and 10,000 readings so far,
the next `--sample` readings are timed, each doing what the central system does on a priced session's
MeterValues (features/pricing/manager.py): observe the reading, the cost up to it, the cost as the
transaction keeps it (`Cost.to_dict`).  The unpriced figure is what the same reading costs pricing when no
tariff applies (the tariff book's look-up, which finds none).  Run it in one process, nothing else;
the figures are CPU time (process_time), best of three.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from custom_components.ocpp_core.csms.features.pricing import SessionMeter, Tariff, TariffBook

ZONE = ZoneInfo("Europe/Berlin")
START = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
LENGTHS = (10, 1_000, 10_000)
TARIFF = {
    "currency": "EUR",
    "energy_price": "0.35",
    "time_price": "0.01",
    "time_grace_minutes": 60,
    "idle_price": "0.10",
    "idle_grace_minutes": 15,
    "bands": [
        {"start": "06:00", "end": "22:00", "energy_price": "0.40", "time_price": "0.02"},
        {"start": "22:00", "end": "06:00", "energy_price": "0.20"},
    ],
}


def _reading(meter: SessionMeter, index: int) -> None:
    """Reading `index` (a minute after the one before): what the manager does with it."""
    at = START + timedelta(minutes=index)
    charging = index % 50 < 45  # idle for 5 minutes in every 50
    meter.observe(at, 1000.0 + 183.3 * index, charging, ZONE)
    meter.cost(at, ZONE).to_dict()


def priced_us(length: int, sample: int) -> float:
    """µs per reading of the `sample` readings after the session's first `length`."""
    meter = SessionMeter.begin(Tariff.from_dict(TARIFF), START, 1000.0)
    meter.charging = True
    for index in range(1, length + 1):
        _reading(meter, index)
    began = time.process_time()
    for index in range(length + 1, length + sample + 1):
        _reading(meter, index)
    return (time.process_time() - began) / sample * 1e6


def unpriced_us(sample: int) -> float:
    """µs per reading when no tariff applies: the book is asked and finds none."""
    book = TariffBook()
    began = time.process_time()
    for _ in range(sample):
        book.resolve("bench-1", 1, "TAG-1")
    return (time.process_time() - began) / sample * 1e6


def measure(sample: int) -> dict[str, Any]:
    priced = {length: min(priced_us(length, sample) for _ in range(3)) for length in LENGTHS}
    unpriced = min(unpriced_us(sample) for _ in range(3))
    return {"sample": sample, "priced_us_per_value": priced, "unpriced_us_per_value": unpriced}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=300, help="readings timed at each length")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(max(1, args.sample))
    if args.json:
        print(json.dumps(result))
        return
    print("µs per meter value (CPU), two-band tariff with time and idle fees, one reading a minute")
    print(f"{'readings so far':<28}" + "".join(f"{length:>10,}" for length in LENGTHS))
    print(f"{'priced session':<28}" + "".join(f"{result['priced_us_per_value'][n]:>10.1f}" for n in LENGTHS))
    print(f"{'unpriced (no tariff)':<28}" + "".join(f"{result['unpriced_us_per_value']:>10.1f}" for _ in LENGTHS))


if __name__ == "__main__":
    main()
