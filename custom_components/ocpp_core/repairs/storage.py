"""Repairs: a record the store cannot write was left out of the saved state.

The central system leaves such a record out of every save (csms/state/storable.py)
so that everything else is still saved; this raises a repair issue per charger
naming it, as the record will be gone after the next restart.  Not fixable
from the dialog; it is not kept across restarts (nor is the record).
"""

from __future__ import annotations

from homeassistant.core import callback

from ..csms import Event, EventType
from .charger_issues import UNSTORABLE, ChargerRepairs


class StorageIssues(ChargerRepairs):
    """Raises the "not saved" issue of a charger (or of the central system itself)."""

    KIND = UNSTORABLE
    # what `handle` is subscribed to
    EVENTS = (EventType.UNSTORABLE,)

    @callback
    def handle(self, event: Event) -> None:
        name = self.charger_name(event.station_id) or "-"
        self._issues.raise_issue(
            event.station_id,
            "unstorable",
            {"charger": name, "path": str(event.data.get("path")), "reason": str(event.data.get("reason"))},
        )
