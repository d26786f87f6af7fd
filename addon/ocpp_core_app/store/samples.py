"""What the store keeps beside csms's document, from csms's events: the sessions' meter samples for their
charts (the energy register and power of each running session, at every CONNECTOR_UPDATED after new
readings), and each charger's message log (its frames as they go: gathered and written every second, and at
every disconnect)."""

from __future__ import annotations

import asyncio
import contextlib
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
    """Subscribe `on_event` and run `run()`: each charger's frames (secrets redacted by csms's frame log) go to
    the store every `interval` seconds, so a kill -9 loses at most the last of them; a disconnecting charger's
    at once.  `interval` is also the longest a meter sample waits for its write."""

    def __init__(self, central: Any, store: RowStore, interval: float = 1.0) -> None:
        self._central = central
        self._store = store
        self.interval = interval
        # station id -> how many of its frames were passed on (csms's FrameLog count)
        self._marks: dict[str, int] = {}

    def collect(self, station_id: str) -> None:
        """Pass the station's frames not passed on yet to the store (written with its next write)."""
        mark, frames = self._central.frames_since(station_id, self._marks.get(station_id, 0))
        self._marks[station_id] = mark
        if frames:
            self._store.add_frames(station_id, frames)

    def collect_all(self) -> None:
        for station_id in list(self._central.stations):
            if self._central.is_connected(station_id):
                self.collect(station_id)

    def on_event(self, event: Any) -> None:
        if event.type == csms.EventType.DISCONNECTED:
            self.collect(event.station_id)

    async def run(self) -> None:
        """Every `interval`: gather, then write (in the store's worker thread); until cancelled."""
        while True:
            await asyncio.sleep(self.interval)
            self.collect_all()
            await self._store.write_log()

    def start(self) -> asyncio.Task[None]:
        return asyncio.get_running_loop().create_task(self.run(), name="ocpp-message-log")

    @staticmethod
    async def stop(task: asyncio.Task[None]) -> None:
        """Stop the writing (what is left goes with the store's close)."""
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
