"""Load management, sending: the changed limits of a charger go out one batch per interval, each
read back (GetCompositeSchedule) once accepted; our profiles that are to go are cleared.

LimitManager (limits.py) decides what each limit is; this module only gets it onto the charger,
through the narrow LimitBook it is given (see the module docstring of limits.py for the choices).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from ..model.station import Station
from ..rpc.types import CallError, CallTimeout, NotConnected
from .charger import UNIT_AMPS, UNIT_WATTS
from .charger_requests import ProfileCriteria
from .limit_profiles import COMPOSITE_DURATION, ProfileChoice, build_profile, composite_limit
from .limit_state import (
    LimitStatus,
    Slot,
    StationLimits,
)

if TYPE_CHECKING:
    from .port import Central

_LOGGER = logging.getLogger(__name__)
_WAIT_STEP = 1.0  # s: the rate-limit wait looks at CentralSystemConfig.limit_interval again this often


class LimitBook(Protocol):
    """What the sender needs of the limits kept (LimitManager)."""

    def kept(self, station_id: str) -> StationLimits | None: ...

    def slots(self, station_id: str) -> dict[int, Slot]: ...

    def choice(self, station: Station, evse_id: int) -> ProfileChoice: ...

    def amps_to_watts(self, station_id: str, evse_id: int, amps: float) -> float: ...

    def watts_to_amps(self, station_id: str, evse_id: int, watts: float) -> float: ...

    def update(self, station_id: str, slot: Slot, **changes: Any) -> None: ...


class LimitSender:
    """One worker per charger sending what changed; `waiting(station_id)`: hold back (just reconnected)."""

    def __init__(self, central: Central, book: LimitBook, waiting: Callable[[str], bool]) -> None:
        self._central = central
        self._book = book
        self._waiting = waiting
        self._dirty: dict[str, set[int]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._last_send: dict[str, float] = {}  # loop time of the last batch sent, per station

    async def sent(self, station_id: str) -> None:
        """Wait until what is waiting to go to this charger has gone (or had to wait: offline, interval)."""
        worker = self._workers.get(station_id)
        if worker is not None and not worker.done():
            await asyncio.shield(worker)

    def discard(self, station_id: str, evse_id: int) -> None:
        """Nothing to send for this EVSE any more (its limit was cleared)."""
        self._dirty.get(station_id, set()).discard(evse_id)

    def stop(self, station_id: str) -> None:
        """The charger is gone: its worker stops (what is left to send goes when it is back)."""
        worker = self._workers.pop(station_id, None)
        if worker is not None:
            worker.cancel()

    def forget(self, station_id: str) -> None:
        """Drop everything about the charger; nothing is sent."""
        self._dirty.pop(station_id, None)
        self._last_send.pop(station_id, None)
        self.stop(station_id)

    def mark(self, station_id: str, evse_id: int) -> None:
        """The limit of this EVSE changed: send it (now, after the interval, or once the charger can take it)."""
        self._dirty.setdefault(station_id, set()).add(evse_id)
        worker = self._workers.get(station_id)
        if self._waiting(station_id):
            return  # the charger just (re)connected: sent once it has told its unit and stack level
        if (worker is None or worker.done()) and self._central.is_connected(station_id):
            self._workers[station_id] = asyncio.create_task(self._work(station_id))

    async def _work(self, station_id: str) -> None:
        """Send the station's changed limits, one batch per interval; the latest value wins."""
        loop = asyncio.get_running_loop()
        dirty = self._dirty.setdefault(station_id, set())
        while dirty and self._central.is_connected(station_id):
            last = self._last_send.get(station_id)
            wait = 0.0 if last is None else last + self._central.config.limit_interval - loop.time()
            if wait > 0:  # in steps of at most a second: a shorter interval set meanwhile applies at once
                await asyncio.sleep(min(wait, _WAIT_STEP))
                continue
            batch = sorted(dirty)
            dirty.clear()
            sent = False
            for evse_id in batch:
                sent = await self._send(station_id, evse_id) or sent
            if sent:
                self._last_send[station_id] = loop.time()

    async def _send(self, station_id: str, evse_id: int, in_watts_trial: bool = False) -> bool:
        """Send one limit; True when a SetChargingProfile went out.

        `in_watts_trial`: the charger (stating no unit) refused it in amperes; this is the one try in watts."""
        slot = self._book.slots(station_id).get(evse_id)
        station = self._central.stations.get(station_id)
        if slot is None or station is None:
            return False
        choice = self._book.choice(station, evse_id)
        transaction_id = None
        if choice.kind == "session":
            connector = station.connectors.get(evse_id)
            if connector is None or connector.transaction is None:
                self._book.update(station_id, slot, status=LimitStatus.PENDING, unit_sent=choice.unit)
                return False  # sent when a session starts
            transaction_id = connector.transaction.transaction_id
        amps = slot.state.amps
        value = amps if choice.unit == UNIT_AMPS else self._book.amps_to_watts(station_id, evse_id, amps)
        key = (choice.profile_id, choice.unit, round(value, 1), choice.stack_level, transaction_id)
        if key == slot.installed and not slot.force:
            self._book.update(station_id, slot, status=LimitStatus.ACCEPTED, unit_sent=choice.unit)
            return False
        slot.force = False
        profile = build_profile(choice, value, transaction_id)
        self._book.update(station_id, slot, status=LimitStatus.SENT, unit_sent=choice.unit, answer=None)
        try:
            answer = (await self._central.charger(station_id).set_charging_profile(evse_id, profile)).raw
        except NotConnected:
            self._book.update(station_id, slot, status=LimitStatus.PENDING)
            return True
        except CallError as err:
            failure = {"error": err.code, "description": str(err)}
            self._book.update(station_id, slot, status=LimitStatus.FAILED, answer=failure)
            return True
        except CallTimeout as err:
            self._book.update(
                station_id, slot, status=LimitStatus.FAILED, answer={"error": "timeout", "description": str(err)}
            )
            return True
        kept = self._book.kept(station_id)
        if kept is None or kept.slots.get(evse_id) is not slot or slot.state.amps != amps:
            return True  # cleared or changed meanwhile: the newer state decides
        if answer.get("status") != "Accepted":
            if choice.unit == UNIT_AMPS and not self._central.capabilities(station).rate_units and not kept.watts_only:
                kept.watts_only = True  # for the one try in watts; kept only if the charger takes them
                try:
                    return await self._send(station_id, evse_id, in_watts_trial=True)
                finally:
                    kept.watts_only = slot.installed is not None and slot.installed[1] == UNIT_WATTS
            _LOGGER.warning("%s rejected the limit of %s: %s", station_id, where(evse_id), answer)
            self._book.update(station_id, slot, status=LimitStatus.REJECTED, answer=dict(answer))
            return True
        if in_watts_trial:
            _LOGGER.info("%s states no rate unit and refused amperes but took watts: it gets watts", station_id)
        previous_id, slot.installed, slot.installed_id = slot.installed_id, key, choice.profile_id
        self._book.update(station_id, slot, status=LimitStatus.ACCEPTED, answer=dict(answer))
        self._central.state.store.save_soon()
        if previous_id is not None and previous_id != choice.profile_id:
            kept.clears.add((evse_id, previous_id))
            await self.send_clears(station_id)
        await self._read_in_force(station_id, station, slot, choice.unit)
        return True

    async def _read_in_force(self, station_id: str, station: Station, slot: Slot, unit: str) -> None:
        evse_id = slot.state.evse_id
        try:
            charger = self._central.charger(station_id)
            answer = (await charger.get_composite_schedule(evse_id, COMPOSITE_DURATION, unit)).raw
        except (CallError, CallTimeout, NotConnected) as err:
            _LOGGER.debug("%s: composite schedule of %s not read (%s)", station_id, where(evse_id), err)
            return
        found = composite_limit(answer)
        if found is None:
            self._book.update(station_id, slot, in_force_amps=None, in_force_watts=None)
            return
        limit, read_unit = found
        if read_unit == UNIT_WATTS:
            watts, amps = limit, self._book.watts_to_amps(station_id, evse_id, limit)
            above = watts > slot.state.watts * 1.01 + 1.0
        else:
            amps, watts = limit, self._book.amps_to_watts(station_id, evse_id, limit)
            above = amps > slot.state.amps + 0.05
        changes: dict[str, Any] = {"in_force_amps": amps, "in_force_watts": watts, "overridden_by": None}
        if above:  # accepted, yet more is in force: another profile wins (EVerest: the session's TxProfile)
            connector = station.connectors.get(evse_id)
            in_session = evse_id > 0 and connector is not None and connector.transaction is not None
            by = "TxProfile" if in_session and self._book.choice(station, evse_id).kind == "default" else "other"
            changes.update(status=LimitStatus.OVERRIDDEN, overridden_by=by)
            _LOGGER.info("%s: the limit of %s is accepted but overridden (%s in force)", station_id, where(evse_id), by)
        self._book.update(station_id, slot, **changes)

    async def send_clears(self, station_id: str) -> None:
        """Remove our profiles that are to go (a cleared limit, a replaced profile id)."""
        kept = self._book.kept(station_id)
        station = self._central.stations.get(station_id)
        if kept is None or not kept.clears or station is None:
            return
        pending = kept.clears
        for evse_id, profile_id in sorted(pending):
            try:
                answer = (
                    await self._central.charger(station_id).clear_charging_profile(ProfileCriteria(profile_id))
                ).raw
            except NotConnected:
                return
            except (CallError, CallTimeout) as err:
                _LOGGER.warning(
                    "%s: our profile %s of %s not cleared (%s)", station_id, profile_id, where(evse_id), err
                )
                continue
            # Unknown: it was not there (never accepted, or gone with a reboot): nothing left to do
            _LOGGER.debug("%s: ClearChargingProfile %s answered %s", station_id, profile_id, answer.get("status"))
            pending.discard((evse_id, profile_id))
        self._central.state.store.save_soon()


def where(evse_id: int) -> str:
    """The station, or EVSE n (for log lines)."""
    return "the station" if evse_id == 0 else f"EVSE {evse_id}"
