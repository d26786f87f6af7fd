"""When a charger (re)connects, its limits go out again — but only once it can take them.

A rebooted charger may have lost its profiles, so every limit is sent again, unchanged ones too.  Not at
once: first the BootNotification (a charger that reconnects without booting gets BOOT_GRACE seconds),
then, on 1.6, the configuration read that follows the boot (it tells the rate unit and the stack level),
on 2.x the first inventory while the device model is still empty.  LimitManager holds its sends while
`waiting(station_id)` and is called back (`resend`) when the charger is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ..model.events import Event, EventType
from ..model.station import RegistrationStatus

if TYPE_CHECKING:
    from .port import Central

BOOT_GRACE = 5.0  # s a connected charger gets to send its BootNotification before limits go out anyway

# the events the gate acts on
EVENTS = (
    EventType.CONNECTED,
    EventType.DISCONNECTED,
    EventType.BOOTED,
    EventType.CONFIGURATION,
    EventType.DEVICE_MODEL,
)


class ReapplyGate:
    """Per station: wait for the boot and the capabilities read after a (re)connect, then `resend`."""

    def __init__(self, central: Central, resend: Callable[[str], Awaitable[None]]) -> None:
        self._central = central
        self._resend = resend
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._signals: dict[str, asyncio.Event] = {}  # booted / capabilities known, per station
        self.boot_grace = BOOT_GRACE

    def waiting(self, station_id: str) -> bool:
        """The charger just (re)connected: its limits wait until it told its unit and stack level."""
        return station_id in self._tasks

    def on_event(self, event: Event) -> None:
        station_id = event.station_id
        kind = event.type
        if kind == EventType.CONNECTED:
            self._start(station_id, wait_boot=True)
        elif kind == EventType.BOOTED:
            if event.data.get("registration_status") != RegistrationStatus.ACCEPTED:
                return
            signal = self._signals.get(station_id)
            if signal is not None and not signal.is_set() and station_id in self._tasks:
                signal.set()  # the waiting re-apply goes on
            else:
                self._start(station_id, wait_boot=False)
        elif kind == EventType.DEVICE_MODEL or (kind == EventType.CONFIGURATION and event.data.get("full")):
            signal = self._signals.get(station_id)
            if signal is not None:
                signal.set()
        elif kind == EventType.DISCONNECTED:
            self._signals.pop(station_id, None)  # a new one comes with the next connection
            task = self._tasks.pop(station_id, None)
            if task is not None:
                task.cancel()

    def _start(self, station_id: str, wait_boot: bool) -> None:
        previous = self._tasks.pop(station_id, None)
        if previous is not None:
            previous.cancel()
        self._signals[station_id] = asyncio.Event()
        self._tasks[station_id] = asyncio.create_task(self._reapply(station_id, wait_boot))

    async def _reapply(self, station_id: str, wait_boot: bool) -> None:
        try:
            go_on = await self._capabilities_known(station_id, wait_boot)
        finally:
            if self._tasks.get(station_id) is asyncio.current_task():
                del self._tasks[station_id]
                # its signal goes with it (an Event is 760 bytes a station); a later boot starts a new wait
                self._signals.pop(station_id, None)
        if go_on:
            await self._resend(station_id)

    async def _capabilities_known(self, station_id: str, wait_boot: bool) -> bool:
        """Wait for the boot (up to boot_grace) and the read that follows it; False: not registered."""
        signal = self._signals[station_id]
        booted = True
        if wait_boot:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), self.boot_grace)
            booted = signal.is_set()
        station = self._central.stations.get(station_id)
        if station is None or station.registration_status not in (RegistrationStatus.ACCEPTED, None):
            return False
        if booted and self._central.capabilities(station).read_follows_boot:
            signal.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), self._central.config.call_timeout + 1.0)
        return True
