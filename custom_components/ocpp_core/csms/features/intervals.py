"""Keeps each charger's meter value interval at what the user wants.

The wanted interval is the charger's own setting (`ChargerSettings.meter_interval`),
else the central system's default (`MeterIntervals.default`; None leaves the
charger's own).  It is written only when it differs from what the charger reports:

- OCPP 1.6: MeterValueSampleInterval, compared with the configuration the adapter
  reads after every accepted boot (so the check follows that read), written with
  ChangeConfiguration;
- OCPP 2.0.1 / 2.1: SampledDataCtrlr.TxUpdatedInterval, read with GetVariables
  after every accepted boot, written with SetVariables.

It is checked again when the setting or the default changes.  The charger's answer
to a write is announced: CONFIGURATION_ACCEPTED, or CONFIGURATION_REJECTED with
its status (Rejected, NotSupported, UnknownVariable …) so the user learns that the
charger keeps its own interval.  A charger that cannot be reached or answers with a
CALLERROR is logged only: the next boot tries again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from ..model.events import Event, EventType, booted_and_read
from ..model.station import Station
from ..rpc.types import CallError, CallTimeout, NotConnected

if TYPE_CHECKING:
    from .port import Central

_LOGGER = logging.getLogger(__name__)

# the events this module acts on (the steady stream of meter values never reaches it)
_EVENTS = (EventType.SETTINGS_CHANGED, EventType.CONFIGURATION, EventType.BOOTED)

# answers after which the charger uses the new value (RebootRequired: from its next boot)
_ACCEPTED = frozenset({"Accepted", "RebootRequired"})


class MeterIntervals:
    """Follows the event stream and sets the meter interval where it differs (one task per charger)."""

    def __init__(self, central: Central, default: int | None = None) -> None:
        self._central = central
        self._default = default
        self._tasks: dict[str, asyncio.Task[str | None]] = {}
        central.events.subscribe(self._on_event, _EVENTS)

    @property
    def default(self) -> int | None:
        """The interval (s) for chargers without their own setting; None: leave theirs."""
        return self._default

    def set_default(self, value: int | None) -> None:
        """Change the default; every connected charger without its own setting gets it now."""
        if value == self._default:
            return
        self._default = value
        for station_id, station in self._central.stations.items():
            if station.settings.meter_interval is None:
                self.check_soon(station_id)

    def wanted(self, station: Station) -> int | None:
        own = station.settings.meter_interval
        return own if own is not None else self._default

    def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()

    # ---- when to look ------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        station = self._central.stations.get(event.station_id)
        if station is not None and _worth_a_look(event, station):
            self.check_soon(event.station_id)

    def check_soon(self, station_id: str) -> None:
        """Check (and set) the charger's interval in a task of its own, replacing a check under way."""
        station = self._central.stations.get(station_id)
        if station is None or not station.booted or self.wanted(station) is None:
            return  # not booted: not connected either; the next accepted boot checks
        previous = self._tasks.pop(station_id, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.get_running_loop().create_task(self.apply(station_id))
        self._tasks[station_id] = task
        task.add_done_callback(lambda done: self._forget(station_id, done))

    def _forget(self, station_id: str, task: asyncio.Task[str | None]) -> None:
        if self._tasks.get(station_id) is task:
            del self._tasks[station_id]

    async def wait(self, station_id: str) -> str | None:
        """Wait for the check under way for this charger (tests, the add-on); its outcome, else None."""
        task = self._tasks.get(station_id)
        return None if task is None else await task

    # ---- reading and writing -------------------------------------------------------

    async def apply(self, station_id: str) -> str | None:
        """Set the wanted interval when the charger reports another; the charger's answer, or None
        when nothing was written (nothing wanted, already so, not reachable)."""
        station = self._central.stations[station_id]
        wanted = self.wanted(station)
        if wanted is None:
            return None
        try:
            return await self._apply(station_id, wanted)
        except NotConnected:
            return None
        except (CallError, CallTimeout) as err:
            self._log(logging.WARNING, station_id, "%s: the meter interval could not be checked or set (%s)", err)
            return None

    async def _apply(self, station_id: str, wanted: int) -> str | None:
        charger = self._central.charger(station_id)
        if (await charger.meter_interval()).value == wanted:
            return None
        answer = await charger.set_meter_interval(wanted)
        return self._answered(station_id, charger.meter_interval_key, wanted, answer.status)

    def _log(self, level: int, station_id: str, message: str, *args: object) -> None:
        """Checked at every boot: rate-limited per station (loglimit.py)."""
        self._central.state.logs.log(_LOGGER, level, station_id, message, station_id, *args)

    def _answered(self, station_id: str, key: str, value: int, answer: Any) -> str:
        status = str(answer)
        accepted = status in _ACCEPTED
        if accepted:
            self._log(logging.INFO, station_id, "%s: meter interval set to %s s (%s %s)", value, key, status)
        else:
            self._log(logging.WARNING, station_id, "%s refused the meter interval %s s (%s: %s)", value, key, status)
        kind = EventType.CONFIGURATION_ACCEPTED if accepted else EventType.CONFIGURATION_REJECTED
        self._central.events.emit(Event(kind, station_id, data={"key": key, "value": str(value), "status": status}))
        return status


def _worth_a_look(event: Event, station: Station) -> bool:
    """After an accepted boot (1.6: once its configuration is read), and when the charger's setting changed."""
    if event.type is EventType.SETTINGS_CHANGED:
        return "meter_interval" in event.data.get("changed", ())
    return booted_and_read(event, station.ocpp_version)
