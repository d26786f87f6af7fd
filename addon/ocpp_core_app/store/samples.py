"""What the store keeps beside csms's document, from csms's events: the sessions' meter samples for their
charts (the energy register and power of each running session, at every CONNECTOR_UPDATED after new
readings), and each charger's message log (its recent frames, at every disconnect)."""

from __future__ import annotations

from typing import Any

from ..central_import import csms
from .base import RowStore

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"


class SessionSamples:
    """Subscribe `on_event` to the central system's events."""

    def __init__(self, central: Any, store: RowStore) -> None:
        self._central = central
        self._store = store
        # (station, connector) -> the time of the last reading passed on (a status change repeats it)
        self._last: dict[tuple[str, int], Any] = {}

    def on_event(self, event: Any) -> None:
        if event.type != csms.EventType.CONNECTOR_UPDATED or not event.connector_id:
            return
        station = self._central.stations.get(event.station_id)
        connector = station.connectors.get(event.connector_id) if station is not None else None
        tx = connector.transaction if connector is not None else None
        reading = connector.readings.get((ENERGY, None)) if connector is not None else None
        if connector is None or tx is None or reading is None or reading.timestamp < tx.start_time:
            return
        key = (event.station_id, event.connector_id)
        if self._last.get(key) == reading.timestamp:
            return
        self._last[key] = reading.timestamp
        power = connector.readings.get((POWER, None))
        self._store.add_sample(
            (
                event.station_id,
                tx.transaction_id,
                tx.start_time.isoformat(),
                reading.timestamp.isoformat(),
                reading.value,
                power.value if power is not None and power.timestamp == reading.timestamp else None,
            )
        )


class MessageLog:
    """Subscribe `on_event`: a charger's recent frames go to the store when it disconnects (also at the stop)."""

    def __init__(self, central: Any, store: RowStore) -> None:
        self._central = central
        self._store = store

    def on_event(self, event: Any) -> None:
        if event.type == csms.EventType.DISCONNECTED:
            self._store.set_frames(event.station_id, self._central.recent_frames(event.station_id))
