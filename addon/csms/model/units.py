"""Meter value normalisation: OCPP units to one unit per quantity, phases tidied."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from .station import ENERGY_IMPORT_REGISTER

_LOGGER = logging.getLogger(__name__)

# OCPP unit → (normalised unit, factor, offset)
_KILO_UNITS = ("Wh", "varh", "W", "VA", "var")  # each also as k<unit>, a thousand of it
_UNITS: dict[str, tuple[str, float, float]] = {
    **{unit: (unit, 1.0, 0.0) for unit in (*_KILO_UNITS, "A", "V")},
    **{f"k{unit}": (unit, 1000.0, 0.0) for unit in _KILO_UNITS},
    "Celsius": ("°C", 1.0, 0.0),
    "Celcius": ("°C", 1.0, 0.0),  # sic, in the 1.6 schema
    "K": ("°C", 1.0, -273.15),
    "Percent": ("%", 1.0, 0.0),
    "Hertz": ("Hz", 1.0, 0.0),
}
_FAHRENHEIT = "Fahrenheit"
_INF = float("inf")

# The unit each measurand is in when the charger names none (and the only family it may be in).
_MEASURAND_UNIT: dict[str, str] = {
    "Energy.Active.Export.Register": "Wh",
    "Energy.Active.Import.Register": "Wh",
    "Energy.Reactive.Export.Register": "varh",
    "Energy.Reactive.Import.Register": "varh",
    "Energy.Active.Export.Interval": "Wh",
    "Energy.Active.Import.Interval": "Wh",
    "Energy.Reactive.Export.Interval": "varh",
    "Energy.Reactive.Import.Interval": "varh",
    "Energy.Active.Net": "Wh",
    "Energy.Reactive.Net": "varh",
    "Energy.Apparent.Net": "VAh",
    "Energy.Apparent.Import": "VAh",
    "Energy.Apparent.Export": "VAh",
    "Power.Active.Export": "W",
    "Power.Active.Import": "W",
    "Power.Offered": "W",
    "Power.Reactive.Export": "var",
    "Power.Reactive.Import": "var",
    "Power.Factor": "",
    "Current.Import": "A",
    "Current.Export": "A",
    "Current.Offered": "A",
    "Voltage": "V",
    "Frequency": "Hz",
    "Temperature": "°C",
    "SoC": "%",
    "RPM": "",
}

# Line-to-neutral is the only sensible reading of "L1" for a voltage, and the reverse for currents.
_VOLTAGE_PHASE = {"L1": "L1-N", "L2": "L2-N", "L3": "L3-N"}
_CURRENT_PHASE = {"L1-N": "L1", "L2-N": "L2", "L3-N": "L3"}


@dataclass(frozen=True, slots=True)
class Conversion:
    """How samples with one (measurand, unit, phase) combination are normalised."""

    measurand: str
    unit: str
    phase: str | None
    factor: float = 1.0
    offset: float = 0.0

    @property
    def key(self) -> tuple[str, str | None]:
        """Where the reading is kept: one latest value per measurand and phase."""
        return (self.measurand, self.phase)

    def apply(self, value: float) -> float:
        return value * self.factor + self.offset


@functools.cache
def conversion(measurand: str | None, unit: str | None, phase: str | None) -> Conversion | None:
    """The conversion for a combination (cached: chargers repeat the same few), or None to drop."""
    explicit_measurand = measurand is not None
    measurand = measurand or ENERGY_IMPORT_REGISTER
    expected = _MEASURAND_UNIT.get(measurand)
    norm_unit, factor, offset = (expected if expected is not None else ""), 1.0, 0.0
    if unit == _FAHRENHEIT:
        norm_unit, factor, offset = "°C", 5.0 / 9.0, -32.0 * 5.0 / 9.0
    elif unit:
        target, unit_factor, unit_offset = _UNITS.get(unit, (unit, 1.0, 0.0))
        if expected is None or target == expected or (expected == "" and target in ("", "%")):
            norm_unit, factor, offset = target, unit_factor, unit_offset
        elif not explicit_measurand:
            # No measurand means energy register, yet the unit says otherwise: ambiguous, drop it.
            return None
        # else: the measurand is explicit and the unit is from another family (a labelling
        # bug seen on real chargers): keep the value in the measurand's own unit.
    if phase:
        if measurand == "Voltage":
            phase = _VOLTAGE_PHASE.get(phase, phase)
        elif measurand.startswith(("Current", "Power")):
            phase = _CURRENT_PHASE.get(phase, phase)
    return Conversion(measurand, norm_unit, phase or None, factor, offset)


def parse_value(raw_value: object) -> float | None:
    """A sampled value as a finite float; None for empty or unreadable values."""
    try:
        value = float(raw_value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None  # empty string, "NaN"-like text: no reading, not an error
    if value != value or value in (_INF, -_INF):
        return None
    return value


def normalise(
    measurand: str | None, raw_value: object, unit: str | None, phase: str | None
) -> tuple[str, float, str, str | None] | None:
    """Return (measurand, value, unit, phase) in normalised form, or None to drop the sample."""
    value = parse_value(raw_value)
    rule = conversion(measurand, unit, phase)
    if value is None or rule is None:
        return None
    return rule.measurand, rule.apply(value), rule.unit, rule.phase
