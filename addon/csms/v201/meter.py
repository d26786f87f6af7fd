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


def read_meter_values(meter_values: list[dict[str, Any]]) -> list[MeterSample]:
    samples: list[MeterSample] = []
    for meter_value in meter_values:
        timestamp = parse_timestamp(meter_value.get("timestamp"))
        for sampled in meter_value.get("sampledValue", ()):
            get = sampled.get
            unit_of_measure = get("unitOfMeasure") or {}
            rule = conversion(get("measurand"), unit_of_measure.get("unit"), get("phase"))
            try:
                value = float(get("value"))
            except (TypeError, ValueError):
                continue  # unreadable: no reading, not an error
            if rule is None or value - value != 0.0:  # dropped, NaN or infinite
                continue
            multiplier = unit_of_measure.get("multiplier")
            if isinstance(multiplier, int) and multiplier:
                if not -_MAX_EXPONENT <= multiplier <= _MAX_EXPONENT:
                    continue  # 10^400 is no unit (and 10.0 ** 400 raises)
                value *= 10.0**multiplier
                if value - value != 0.0:
                    continue  # overflowed to infinity
            samples.append(
                MeterSample(
                    rule.measurand,
                    value * rule.factor + rule.offset,
                    rule.unit,
                    timestamp,
                    rule.phase,
                    get("context"),
                    get("location"),
                )
            )
    return samples
