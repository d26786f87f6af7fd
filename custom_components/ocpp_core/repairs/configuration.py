"""Repairs: a charger refused a configuration change the central system made on its own.

The meter interval (csms/intervals.py) is written in the background, after a boot
or a change of the options, so nobody sees the charger's answer.  A refusal
raises a repair issue per charger quoting what was refused; the issue goes away
when a later change is accepted, when the user asks for another value (a refusal
of that one raises it again), or when the charger is forgotten.
"""

from __future__ import annotations

from homeassistant.core import callback

from ..csms import Event, EventType
from .charger_issues import CONFIGURATION_REJECTED, ChargerRepairs


class ConfigurationIssues(ChargerRepairs):
    """Raises and clears the "charger rejected a configuration change" issue of each charger."""

    KIND = CONFIGURATION_REJECTED
    # what `handle` is subscribed to
    EVENTS = (EventType.CONFIGURATION_REJECTED, EventType.CONFIGURATION_ACCEPTED, EventType.SETTINGS_CHANGED)

    @callback
    def handle(self, event: Event) -> None:
        if event.type is EventType.CONFIGURATION_REJECTED:
            name = self.charger_name(event.station_id)
            self._issues.raise_issue(
                event.station_id,
                "configuration_rejected",
                {
                    "charger": name,
                    "key": str(event.data.get("key")),
                    "value": str(event.data.get("value")),
                    "status": str(event.data.get("status")),
                },
            )
        elif event.type is EventType.CONFIGURATION_ACCEPTED or (
            event.type is EventType.SETTINGS_CHANGED and "meter_interval" in event.data.get("changed", ())
        ):
            # accepted, or what was refused is no longer asked for (a refusal of the new value raises it again)
            self._issues.clear(event.station_id)

    @callback
    def default_changed(self) -> None:
        """A new default meter interval: the refusals of chargers without their own no longer stand."""
        for station_id, station in self._central.stations.items():
            if station.settings.meter_interval is None:
                self._issues.clear(station_id)
