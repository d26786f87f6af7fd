"""A repair issue when a charger's live connection is taken over from another address (security profile 0).

Profile 0 cannot authenticate: anyone who knows a charger's id can connect in its place, end its
session or report made-up readings.  The central system notices a known charger's live connection
replaced from another address (csms/takeover.py); the issue names both addresses and recommends
profile 1 with a password per charger.  It is not persistent: it goes when Home Assistant restarts
(or the charger's device is removed).
"""

from __future__ import annotations

from homeassistant.core import callback

from ..csms import Event, EventType
from .charger_issues import CONNECTION_REPLACED, ChargerRepairs


class TakeoverRepairs(ChargerRepairs):
    """Raises the connection-replaced issue of one config entry's chargers."""

    KIND = CONNECTION_REPLACED
    EVENTS = (EventType.CONNECTION_REPLACED,)  # what `handle` is subscribed to

    @callback
    def handle(self, event: Event) -> None:
        self._issues.raise_issue(
            event.station_id,
            CONNECTION_REPLACED,
            {
                "charger": event.station_id,
                "address": str(event.data.get("remote", "?")),
                "previous_address": str(event.data.get("previous_remote", "?")),
            },
        )
