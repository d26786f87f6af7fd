"""Repairs: a record the store cannot write was left out of the saved state.

The central system leaves such a record out of every save (csms/state/storable.py)
so that everything else is still saved; this raises a repair issue per charger
naming it, as the record will be gone after the next restart.  Not fixable
from the dialog; it is not kept across restarts (nor is the record).
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from ..coordinator import station_device_name
from ..csms import CentralSystem, Event, EventType
from .charger_issues import UNSTORABLE, ChargerIssues


class StorageIssues:
    """Raises the "not saved" issue of a charger (or of the central system itself)."""

    # what `handle` is subscribed to
    EVENTS = (EventType.UNSTORABLE,)

    def __init__(self, hass: HomeAssistant, entry_id: str, central: CentralSystem) -> None:
        self._issues = ChargerIssues(hass, entry_id, UNSTORABLE)
        self._central = central

    @callback
    def handle(self, event: Event) -> None:
        station = self._central.stations.get(event.station_id)
        name = station_device_name(station) if station is not None else (event.station_id or "-")
        self._issues.raise_issue(
            event.station_id,
            "unstorable",
            {"charger": name, "path": str(event.data.get("path")), "reason": str(event.data.get("reason"))},
        )
