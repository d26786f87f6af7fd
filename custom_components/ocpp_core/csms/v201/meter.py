"""OCPP 2.x meter values: sampledValue entries read into the domain's MeterSamples.

As in 1.6 (see model/units.py), except that 2.x sends the value as a number and the
unit as unitOfMeasure {unit, multiplier}: the value is scaled by 10^multiplier
before the unit is normalised.
"""

from __future__ import annotations

from typing import Any

from ..model.station import MeterSample
from ..model.units import conversion
from ..rpc.timeutil import parse_timestamp

# the widest unitOfMeasure.multiplier read (OCPP's examples use -3 to 3)
_MAX_EXPONENT = 30
_NO_UNIT: dict[str, Any] = {}


def read_meter_values(meter_values: list[dict[str, Any]]) -> list[MeterSample]:
    # the hot path of 2.x: `sampled.get(…)` called as such (cheaper on Python 3.11+ than binding `get` first)
    samples: list[MeterSample] = []
    append = samples.append
    for meter_value in meter_values:
        timestamp = parse_timestamp(meter_value.get("timestamp"))
        for sampled in meter_value.get("sampledValue", ()):
            unit_of_measure = sampled.get("unitOfMeasure") or _NO_UNIT
            rule = conversion(sampled.get("measurand"), unit_of_measure.get("unit"), sampled.get("phase"))
            if rule is None:
                continue  # dropped
            try:
                value = float(sampled.get("value"))
            except (TypeError, ValueError):
                continue  # unreadable: no reading, not an error
            if value - value != 0.0:  # NaN or infinite
                continue
            multiplier = unit_of_measure.get("multiplier")
            if multiplier and isinstance(multiplier, int):  # mostly absent or 0: then no isinstance
                if not -_MAX_EXPONENT <= multiplier <= _MAX_EXPONENT:
                    continue  # 10^400 is no unit (and 10.0 ** 400 raises)
                value *= 10.0**multiplier
                if value - value != 0.0:
                    continue  # overflowed to infinity
            append(
                MeterSample(
                    rule.measurand,
                    value * rule.factor + rule.offset,
                    rule.unit,
                    timestamp,
                    rule.phase,
                    sampled.get("context"),
                    sampled.get("location"),
                )
            )
    return samples
