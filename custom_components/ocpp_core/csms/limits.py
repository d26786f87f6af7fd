"""Load management: a current (or power) limit per station and per EVSE/connector, kept on the charger.

`CentralSystem.limits` (a LimitManager) is the one door: `set_limit`, `clear_limit`, `get`, and the
conversions the UI shows.  Every change of a limit's state is announced as EventType.LIMIT
(connector_id = the EVSE, 0 = the station; data = LimitState.to_dict()); a cleared limit is announced
as {"evse_id": n, "cleared": True}.

Choices (and why):
- Values: 0 A pauses (a profile limit of 0: the charger suspends the EV, SuspendedEVSE, without ending
  the session or opening its contactor under load); 6 A (IEC 61851's minimum) up to the charger's
  max_current setting (DEFAULT_MAX_AMPS when not set) charges.  Anything else raises InvalidLimit.
- The station limit (EVSE 0) is a ChargePointMaxProfile (1.6) / ChargingStationMaxProfile (2.x): it
  caps the station's TOTAL whatever its connectors or other profiles do, which is what protects the
  house fuse.  A TxDefaultProfile on connector 0 would give every connector that limit (two cars, twice
  the current).
- An EVSE limit is a TxDefaultProfile (settings.limit_profile "default"): it holds between sessions too,
  so a 0 A pause also holds for the next car.  With "session" it is a TxProfile of the running session
  (chargers that write default profiles to flash, or ignore them, are spared): while no session runs
  the limit waits ("pending") and goes out when one starts.
- Profile ids are stable per (EVSE, purpose) (limit_profiles.profile_id, from 8 800 000 on, away from
  the small ids people pick), so a new value REPLACES our profile instead of piling up.  The stack level
  is the highest the charger allows (ChargeProfileMaxStackLevel / SmartChargingCtrlr.ProfileStackLevel;
  0 while unknown), so within its purpose our limit prevails.  Absolute schedules start at the start of
  the previous UTC day (a charger clock running behind still has the limit in force).
- Unit: amperes when the charger takes them (ChargingScheduleAllowedChargingRateUnit /
  SmartChargingCtrlr.RateUnit), else watts = A × voltage × phases.  Phases: the setting, else the
  2.x SupplyPhases, else 3 when currents were measured on L2/L3, else 1 — with 1 a watt limit never lets
  a charger take more current per phase than asked.  Voltage: the measured one, else 230 V.
- Flash wear: an unchanged value is not re-sent; sends to one charger are at most one batch per
  `CentralSystemConfig.limit_interval` seconds, and what is set meanwhile is sent at the end of the
  interval, the latest value winning.
- Re-apply: when a charger connects, after its BootNotification (and, on 1.6, after the configuration
  read that follows it, which tells the unit and stack level; on 2.x after the first inventory when the
  device model is still empty), every limit is sent again — also unchanged ones, as a rebooted charger
  may have lost them.  A charger that reconnects without booting gets them after BOOT_GRACE seconds.
- After each accepted change, GetCompositeSchedule reads back the limit actually in force.
- Limits are persisted (state section "limits"); a clear while offline is sent when it connects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .events import Event, EventType
from .limit_profiles import (
    COMPOSITE_DURATION,
    DEFAULT_MAX_AMPS,
    MIN_CHARGING_AMPS,
    NOMINAL_VOLTAGE,
    UNIT_AMPS,
    UNIT_WATTS,
    build_profile,
    choose_profile,
    composite_limit,
    is_v2,
    phases,
    voltage,
)
from .model import RegistrationStatus, Station
from .rpc_types import CallError, CallTimeout, NotConnected, OcppVersion
from .timeutil import utcnow

if TYPE_CHECKING:
    from .central import CentralSystem

_LOGGER = logging.getLogger(__name__)

# the events this module acts on (the steady stream of meter values never reaches it)
_EVENTS = (
    EventType.CONNECTED,
    EventType.DISCONNECTED,
    EventType.BOOTED,
    EventType.CONFIGURATION,
    EventType.DEVICE_MODEL,
    EventType.TRANSACTION_STARTED,
    EventType.TRANSACTION_ENDED,
    EventType.SETTINGS_CHANGED,
)


STATUS_PENDING = "pending"  # wanted, not sent yet (rate limit, offline, no session for a TxProfile)
STATUS_SENT = "sent"  # on its way, no answer yet
STATUS_ACCEPTED = "accepted"
STATUS_REJECTED = "rejected"  # the charger answered something else than Accepted (see answer)
STATUS_FAILED = "failed"  # no answer, or a CALLERROR (see answer)
BOOT_GRACE = 5.0  # s a connected charger gets to send its BootNotification before limits go out anyway


class InvalidLimit(ValueError):
    """A limit the charger must not get; the message says why."""


@dataclass(slots=True)
class LimitState:
    """One limit as wanted, sent, answered and read back."""

    evse_id: int  # 0: the whole station
    amps: float
    watts: float  # the same limit converted (see LimitManager.amps_to_watts)
    unit_sent: str  # "A" | "W": the unit it goes (went) out in
    status: str  # "pending" | "sent" | "accepted" | "rejected" | "failed"
    answer: dict[str, Any] | None = None  # the charger's answer as sent (status, statusInfo …) or {"error", …}
    in_force_amps: float | None = None  # GetCompositeSchedule after the last accepted change; None: unknown
    in_force_watts: float | None = None
    updated: datetime = field(default_factory=utcnow)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["updated"] = self.updated.isoformat()
        return data


@dataclass(slots=True)
class _Slot:
    state: LimitState
    # what the charger accepted last: (profile id, unit, value, stack level, transaction id)
    installed: tuple[Any, ...] | None = None
    installed_id: int | None = None  # our profile id on the charger (cleared when the purpose changes)
    force: bool = False  # send even when unchanged (re-apply after a (re)connect)


class LimitManager:
    """Limits per station and EVSE, sent as charging profiles (see the module docstring)."""

    def __init__(self, central: CentralSystem) -> None:
        self._central = central
        self._slots: dict[str, dict[int, _Slot]] = {}
        self._clears: dict[str, set[tuple[int, int]]] = {}  # station -> {(evse id, profile id)} to clear
        self._dirty: dict[str, set[int]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._reapply: dict[str, asyncio.Task[None]] = {}
        self._signals: dict[str, asyncio.Event] = {}  # booted / capabilities known, per station
        self._next_send: dict[str, float] = {}
        self.boot_grace = BOOT_GRACE
        central.state.register_section("limits", self._load, self._dump)
        central.events.subscribe(self._on_event, _EVENTS)

    # ---- queries -------------------------------------------------------------

    def get(self, station_id: str, evse_id: int) -> LimitState | None:
        slot = self._slots.get(station_id, {}).get(evse_id)
        return replace(slot.state) if slot is not None else None

    def all(self, station_id: str) -> dict[int, LimitState]:
        """Every limit of a station, by EVSE id."""
        return {evse_id: replace(slot.state) for evse_id, slot in self._slots.get(station_id, {}).items()}

    def max_amps(self, station_id: str) -> float:
        """The most a limit may be: settings.max_current, else DEFAULT_MAX_AMPS."""
        station = self._central.stations.get(station_id)
        if station is None or station.settings.max_current is None:
            return DEFAULT_MAX_AMPS
        return float(station.settings.max_current)

    def phases(self, station_id: str) -> int:
        """Phases wired (see limit_profiles.phases); 1 for an unknown station."""
        station = self._central.stations.get(station_id)
        return phases(station) if station is not None else 1

    def voltage(self, station_id: str, evse_id: int = 0) -> float:
        """Phase voltage: measured on the EVSE, else on the station, else NOMINAL_VOLTAGE."""
        station = self._central.stations.get(station_id)
        return voltage(station, evse_id) if station is not None else NOMINAL_VOLTAGE

    def amps_to_watts(self, station_id: str, evse_id: int, amps: float) -> float:
        return round(amps * self.voltage(station_id, evse_id) * self.phases(station_id), 1)

    def watts_to_amps(self, station_id: str, evse_id: int, watts: float) -> float:
        return round(watts / (self.voltage(station_id, evse_id) * self.phases(station_id)), 2)

    async def sent(self, station_id: str) -> None:
        """Wait until what is waiting to go to this charger has gone (or had to wait: offline, interval)."""
        worker = self._workers.get(station_id)
        if worker is not None and not worker.done():
            await asyncio.shield(worker)

    # ---- changes -------------------------------------------------------------

    async def set_limit(
        self, station_id: str, evse_id: int, *, amps: float | None = None, watts: float | None = None
    ) -> LimitState:
        """Keep the charger (evse_id 0) or one EVSE at this limit; exactly one of amps / watts.

        KeyError for an unknown station, InvalidLimit for a bad value or EVSE.  Returns at once: the
        limit is sent now, or at the end of the rate-limit interval, or when the charger connects; an
        unchanged value is not sent again.  Follow EventType.LIMIT for the answer and the limit in force.
        """
        station = self._central.stations[station_id]
        amps = self._validated(station, evse_id, amps, watts)
        slots = self._slots.setdefault(station_id, {})
        slot = slots.get(evse_id)
        if slot is not None and slot.state.amps == amps and slot.state.status not in (STATUS_REJECTED, STATUS_FAILED):
            return replace(slot.state)
        state = LimitState(
            evse_id=evse_id,
            amps=amps,
            watts=self.amps_to_watts(station_id, evse_id, amps),
            unit_sent=choose_profile(station, evse_id).unit,
            status=STATUS_PENDING,
        )
        if slot is None:
            slot = slots[evse_id] = _Slot(state)
        else:
            slot.state = state
        self._changed(station_id, slot)
        self._central.state.save_soon()
        self._mark(station_id, evse_id)
        return replace(state)

    async def clear_limit(self, station_id: str, evse_id: int) -> bool:
        """Forget a limit and remove our profile from the charger (now, or when it connects); False: none set."""
        slot = self._slots.get(station_id, {}).pop(evse_id, None)
        if slot is None:
            return False
        self._dirty.get(station_id, set()).discard(evse_id)
        pending = self._clears.setdefault(station_id, set())
        if slot.installed_id is not None:
            pending.add((evse_id, slot.installed_id))
        station = self._central.stations.get(station_id)
        if station is not None:  # also the id it would have had (a send may be on its way)
            pending.add((evse_id, choose_profile(station, evse_id).profile_id))
        self._central.events.emit(Event(EventType.LIMIT, station_id, evse_id, {"evse_id": evse_id, "cleared": True}))
        await self._central.state.save_now()
        if self._central.is_connected(station_id):
            await self._send_clears(station_id)
        return True

    def _validated(self, station: Station, evse_id: int, amps: float | None, watts: float | None) -> float:
        if (amps is None) == (watts is None):
            raise InvalidLimit("give the limit in amperes or in watts (one of them)")
        if evse_id < 0 or (evse_id > 0 and station.connectors and evse_id not in station.connectors):
            raise InvalidLimit(f"{station.station_id} has no connector / EVSE {evse_id}")
        if watts is not None:
            if watts < 0:
                raise InvalidLimit(f"{watts:g} W is negative")
            amps = self.watts_to_amps(station.station_id, evse_id, watts)
        assert amps is not None
        top = self.max_amps(station.station_id)
        if amps != 0 and not MIN_CHARGING_AMPS <= amps <= top + 1e-6:
            given = f"{watts:g} W ({amps:g} A)" if watts is not None else f"{amps:g} A"
            raise InvalidLimit(
                f"{given} is not 0 (pause) nor between {MIN_CHARGING_AMPS:g} A and {top:g} A (the charger's maximum)"
            )
        return round(float(amps), 2)

    # ---- sending -------------------------------------------------------------

    def _mark(self, station_id: str, evse_id: int) -> None:
        self._dirty.setdefault(station_id, set()).add(evse_id)
        worker = self._workers.get(station_id)
        if station_id in self._reapply:
            return  # the charger just (re)connected: sent once it has told its unit and stack level
        if (worker is None or worker.done()) and self._central.is_connected(station_id):
            self._workers[station_id] = asyncio.create_task(self._work(station_id))

    async def _work(self, station_id: str) -> None:
        """Send the station's changed limits, one batch per interval; the latest value wins."""
        loop = asyncio.get_running_loop()
        dirty = self._dirty.setdefault(station_id, set())
        while dirty and self._central.is_connected(station_id):
            wait = self._next_send.get(station_id, 0.0) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            batch = sorted(dirty)
            dirty.clear()
            sent = False
            for evse_id in batch:
                sent = await self._send(station_id, evse_id) or sent
            if sent:
                self._next_send[station_id] = loop.time() + self._central.config.limit_interval

    async def _send(self, station_id: str, evse_id: int) -> bool:
        """Send one limit; True when a SetChargingProfile went out."""
        slot = self._slots.get(station_id, {}).get(evse_id)
        station = self._central.stations.get(station_id)
        if slot is None or station is None:
            return False
        choice = choose_profile(station, evse_id)
        transaction_id = None
        if choice.kind == "session":
            connector = station.connectors.get(evse_id)
            if connector is None or connector.transaction is None:
                self._update(station_id, slot, status=STATUS_PENDING, unit_sent=choice.unit)
                return False  # sent when a session starts
            transaction_id = connector.transaction.transaction_id
        amps = slot.state.amps
        value = amps if choice.unit == UNIT_AMPS else self.amps_to_watts(station_id, evse_id, amps)
        key = (choice.profile_id, choice.unit, round(value, 1), choice.stack_level, transaction_id)
        if key == slot.installed and not slot.force:
            self._update(station_id, slot, status=STATUS_ACCEPTED, unit_sent=choice.unit)
            return False
        slot.force = False
        profile = build_profile(station, choice, value, transaction_id)
        self._update(station_id, slot, status=STATUS_SENT, unit_sent=choice.unit, answer=None)
        try:
            if is_v2(station):
                answer = await self._central.v201(station_id).set_charging_profile(evse_id, profile)
            else:
                answer = await self._central.v16(station_id).set_charging_profile(evse_id, profile)
        except NotConnected:
            self._update(station_id, slot, status=STATUS_PENDING)
            return True
        except CallError as err:
            failure = {"error": err.code, "description": str(err)}
            self._update(station_id, slot, status=STATUS_FAILED, answer=failure)
            return True
        except CallTimeout as err:
            self._update(station_id, slot, status=STATUS_FAILED, answer={"error": "timeout", "description": str(err)})
            return True
        if self._slots.get(station_id, {}).get(evse_id) is not slot or slot.state.amps != amps:
            return True  # cleared or changed meanwhile: the newer state decides
        if answer.get("status") != "Accepted":
            _LOGGER.warning("%s rejected the limit of %s: %s", station_id, _where(evse_id), answer)
            self._update(station_id, slot, status=STATUS_REJECTED, answer=dict(answer))
            return True
        previous_id, slot.installed, slot.installed_id = slot.installed_id, key, choice.profile_id
        self._update(station_id, slot, status=STATUS_ACCEPTED, answer=dict(answer))
        self._central.state.save_soon()
        if previous_id is not None and previous_id != choice.profile_id:
            self._clears.setdefault(station_id, set()).add((evse_id, previous_id))
            await self._send_clears(station_id)
        await self._read_in_force(station_id, station, slot, choice.unit)
        return True

    async def _read_in_force(self, station_id: str, station: Station, slot: _Slot, unit: str) -> None:
        evse_id = slot.state.evse_id
        try:
            if is_v2(station):
                answer = await self._central.v201(station_id).get_composite_schedule(evse_id, COMPOSITE_DURATION, unit)
            else:
                answer = await self._central.v16(station_id).get_composite_schedule(evse_id, COMPOSITE_DURATION, unit)
        except (CallError, CallTimeout, NotConnected) as err:
            _LOGGER.debug("%s: composite schedule of %s not read (%s)", station_id, _where(evse_id), err)
            return
        found = composite_limit(answer)
        if found is None:
            self._update(station_id, slot, in_force_amps=None, in_force_watts=None)
            return
        limit, read_unit = found
        if read_unit == UNIT_WATTS:
            watts, amps = limit, self.watts_to_amps(station_id, evse_id, limit)
        else:
            amps, watts = limit, self.amps_to_watts(station_id, evse_id, limit)
        self._update(station_id, slot, in_force_amps=amps, in_force_watts=watts)

    async def _send_clears(self, station_id: str) -> None:
        pending = self._clears.get(station_id)
        station = self._central.stations.get(station_id)
        if not pending or station is None:
            return
        for evse_id, profile_id in sorted(pending):
            try:
                if is_v2(station):
                    answer = await self._central.v201(station_id).clear_charging_profile(profile_id)
                else:
                    answer = await self._central.v16(station_id).clear_charging_profile(profile_id)
            except NotConnected:
                return
            except (CallError, CallTimeout) as err:
                _LOGGER.warning(
                    "%s: our profile %s of %s not cleared (%s)", station_id, profile_id, _where(evse_id), err
                )
                continue
            # Unknown: it was not there (never accepted, or gone with a reboot): nothing left to do
            _LOGGER.debug("%s: ClearChargingProfile %s answered %s", station_id, profile_id, answer.get("status"))
            pending.discard((evse_id, profile_id))
        self._central.state.save_soon()

    def _update(self, station_id: str, slot: _Slot, **changes: Any) -> None:
        """Change the slot's state; announce it when something really changed."""
        current = slot.state
        updated = replace(current, **changes)
        if updated == current:
            return
        updated.updated = utcnow()
        slot.state = updated
        self._changed(station_id, slot)

    def _changed(self, station_id: str, slot: _Slot) -> None:
        evse_id = slot.state.evse_id
        self._central.events.emit(Event(EventType.LIMIT, station_id, evse_id, slot.state.to_dict()))

    # ---- what happens to the chargers ----------------------------------------

    def _on_event(self, event: Event) -> None:
        station_id = event.station_id
        kind = event.type
        if kind == EventType.CONNECTED:
            self._start_reapply(station_id, wait_boot=True)
        elif kind == EventType.BOOTED:
            if event.data.get("registration_status") != RegistrationStatus.ACCEPTED:
                return
            signal = self._signals.get(station_id)
            if signal is not None and not signal.is_set() and station_id in self._reapply:
                signal.set()  # the waiting re-apply goes on
            else:
                self._start_reapply(station_id, wait_boot=False)
        elif kind == EventType.DEVICE_MODEL or (kind == EventType.CONFIGURATION and event.data.get("full")):
            signal = self._signals.get(station_id)
            if signal is not None:
                signal.set()
        elif kind == EventType.DISCONNECTED:
            for tasks in (self._workers, self._reapply):
                task = tasks.pop(station_id, None)
                if task is not None:
                    task.cancel()
            for slot in self._slots.get(station_id, {}).values():
                if slot.state.status == STATUS_SENT:  # no answer will come: sent again when it is back
                    self._update(station_id, slot, status=STATUS_PENDING)
        elif kind in (EventType.TRANSACTION_STARTED, EventType.TRANSACTION_ENDED):
            self._on_session(station_id, event.connector_id, kind == EventType.TRANSACTION_STARTED)
        elif kind == EventType.SETTINGS_CHANGED:
            self._on_settings(station_id, set(event.data.get("changed") or ()))

    def _on_session(self, station_id: str, evse_id: int | None, started: bool) -> None:
        station = self._central.stations.get(station_id)
        slot = self._slots.get(station_id, {}).get(evse_id) if evse_id is not None else None
        if station is None or slot is None or choose_profile(station, slot.state.evse_id).kind != "session":
            return
        if started:
            self._mark(station_id, slot.state.evse_id)
        else:  # the TxProfile ended with the session; the limit waits for the next one
            slot.installed = None
            self._update(station_id, slot, status=STATUS_PENDING, in_force_amps=None, in_force_watts=None)

    def _on_settings(self, station_id: str, changed: set[str]) -> None:
        slots = self._slots.get(station_id, {})
        top = self.max_amps(station_id)
        for evse_id, slot in slots.items():
            resend = "limit_profile" in changed and evse_id > 0
            if "max_current" in changed and slot.state.amps > top:
                slot.state = replace(slot.state, amps=top)  # a lower maximum lowers the limit with it
                resend = True
            if changed & {"phases", "max_current"}:
                self._update(station_id, slot, watts=self.amps_to_watts(station_id, evse_id, slot.state.amps))
                resend = resend or slot.state.unit_sent == UNIT_WATTS
            if resend:
                self._update(station_id, slot, status=STATUS_PENDING)
                self._mark(station_id, evse_id)
        if slots:
            self._central.state.save_soon()

    def _start_reapply(self, station_id: str, wait_boot: bool) -> None:
        previous = self._reapply.pop(station_id, None)
        if previous is not None:
            previous.cancel()
        self._signals[station_id] = asyncio.Event()
        self._reapply[station_id] = asyncio.create_task(self._reapply_all(station_id, wait_boot))

    async def _reapply_all(self, station_id: str, wait_boot: bool) -> None:
        """Send every limit again once the charger has booted and told its capabilities."""
        try:
            go_on = await self._capabilities_known(station_id, wait_boot)
        finally:
            if self._reapply.get(station_id) is asyncio.current_task():
                del self._reapply[station_id]
        if not go_on:
            return
        await self._send_clears(station_id)
        for evse_id, slot in self._slots.get(station_id, {}).items():
            slot.force = True
            self._mark(station_id, evse_id)

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
        if booted and self._capabilities_follow(station):
            signal.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), self._central.config.call_timeout + 1.0)
        return True

    @staticmethod
    def _capabilities_follow(station: Station) -> bool:
        """After a boot, does a read of the charger's configuration (1.6) / inventory (2.x) follow?"""
        if station.ocpp_version == OcppVersion.V16:
            return True
        return station.v2 is None or len(station.v2.device_model) == 0

    # ---- persistence ---------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        stations: dict[str, Any] = {}
        for station_id, slots in self._slots.items():
            stations[station_id] = {
                "limits": [
                    {"evse_id": e, "amps": s.state.amps, "installed_id": s.installed_id} for e, s in slots.items()
                ]
            }
        for station_id, clears in self._clears.items():
            if clears:
                stations.setdefault(station_id, {})["clear"] = sorted([list(item) for item in clears])
        return {"stations": stations}

    def _load(self, data: Any) -> None:
        if not isinstance(data, dict):
            return
        for station_id, saved in (data.get("stations") or {}).items():
            station = self._central.stations.get(station_id)
            for item in saved.get("limits") or []:
                try:
                    evse_id, amps = int(item["evse_id"]), float(item["amps"])
                except (KeyError, TypeError, ValueError):
                    continue
                unit = choose_profile(station, evse_id).unit if station is not None else UNIT_AMPS
                state = LimitState(evse_id, amps, self.amps_to_watts(station_id, evse_id, amps), unit, STATUS_PENDING)
                installed_id = item.get("installed_id")
                self._slots.setdefault(station_id, {})[evse_id] = _Slot(
                    state, installed_id=installed_id if isinstance(installed_id, int) else None
                )
            for pair in saved.get("clear") or []:
                with contextlib.suppress(TypeError, ValueError):
                    self._clears.setdefault(station_id, set()).add((int(pair[0]), int(pair[1])))


def _where(evse_id: int) -> str:
    return "the station" if evse_id == 0 else f"EVSE {evse_id}"
