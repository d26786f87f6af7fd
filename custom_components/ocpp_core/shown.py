"""When a sensor's new value is worth a state write: what Home Assistant shows of it changed.

Every charger message wakes each entity of its connector (entity.py), and each state write costs
Home Assistant far more than a comparison: the state machine, every listener, and a row in the
recorder's database.  A measurement (power, current, voltage …) that moved below what is shown
(16.02 A → 16.04 A at one decimal) is therefore not written; one that moved at its display
precision always is.  The precision is the one the entity shows: the user's choice in the
entity's settings, else the suggested one (Home Assistant keeps both in the entity registry), so
a user who wants more digits gets them written too.  A sensor shown in another unit than its
own (W shown as kW) is compared exactly, as are totals (energy registers, session energy) and
everything that is not a measurement: those are written whenever they change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from homeassistant.components.sensor import DOMAIN as SENSOR_DOMAIN
from homeassistant.components.sensor import SensorEntity, SensorStateClass
from homeassistant.core import callback
from homeassistant.helpers.typing import UNDEFINED, UndefinedType

# beyond this a float holds whole numbers only: no rounding needed (and math.floor of inf would raise)
_EXACT_FROM = float(2**52)


def at_precision(value: float, scale: float) -> float:
    """The value as shown with `scale` = 10**digits: rounded half away from zero, as the frontend rounds."""
    scaled = abs(value) * scale
    if not scaled < _EXACT_FROM:
        return value
    shown = math.floor(scaled + 0.5)
    return float(shown if value >= 0 else -shown)


class ShownSensor(SensorEntity):
    """A sensor that knows the precision its measurement is shown at (`shown_value`)."""

    _display_scale: float | UndefinedType | None = UNDEFINED
    # what was last written (entity.py `_on_update`); reset when the display changes
    _shown: tuple[Any, ...] | None

    def shown_value(self, value: Any) -> Any:
        """The value as the comparison sees it: a measurement at its display precision, anything else as it is."""
        scale = self._display_scale
        if scale is UNDEFINED:
            scale = self._display_scale = self._scale_shown()
        if scale is None or type(value) is not float:
            return value
        return at_precision(value, scale)

    def _scale_shown(self) -> float | None:
        """10**digits of the precision shown, for a measurement shown in its own unit; else None: exact."""
        if self.entity_description.state_class != SensorStateClass.MEASUREMENT:
            return None
        entry = self.registry_entry
        options: Mapping[str, Any] = entry.options.get(SENSOR_DOMAIN, {}) if entry is not None else {}
        precision = options.get("display_precision")
        if precision is None:
            precision = options.get("suggested_display_precision", self.suggested_display_precision)
        if not isinstance(precision, int) or self.unit_of_measurement != self.native_unit_of_measurement:
            return None
        return 10.0**precision

    @callback
    def async_registry_entry_updated(self) -> None:
        """The user chose another precision or unit: compare at that one from now on."""
        super().async_registry_entry_updated()
        self._display_scale = UNDEFINED
        self._shown = None
