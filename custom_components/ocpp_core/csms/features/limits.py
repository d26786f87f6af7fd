"""Load management: a current (or power) limit per station and per EVSE/connector, kept on the charger.

`CentralSystem.limits` (a LimitManager) is the one door: `set_limit`, `clear_limit`, `get`, and the
conversions the UI shows.  Every change of a limit's state is announced as EventType.LIMIT
(connector_id = the EVSE, 0 = the station; data = LimitState.to_dict()); a cleared limit is announced
as {"evse_id": n, "cleared": True}.

Choices (and why):
- Values: 0 A pauses (a profile limit of 0: the charger suspends the EV, SuspendedEVSE, without ending
  the session or opening its contactor under load; `pause` / `resume` keep the limit before the pause
  and go back to it, or to no limit); 6 A (IEC 61851's minimum) up to the charger's
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
  1 while unknown: above set_charging_profile's default 0, which would otherwise take the same slot and
  replace it), so within its purpose our limit prevails.  Absolute schedules start at the start of
  the previous UTC day (a charger clock running behind still has the limit in force).
- Unit: amperes when the charger takes them (ChargingScheduleAllowedChargingRateUnit /
  SmartChargingCtrlr.RateUnit), else watts = A × voltage × phases.  A charger that states no unit and
  rejects a limit in amperes is asked once more in watts; when it takes them, it gets watts from then on
  (remembered per charger, until it states its units).  Phases: one rule for every version and every
  limit of a charger (limit_profiles.phases): the setting, else the 2.x SupplyPhases (the EVSEs' before
  the station's), else 3 once a current was measured on L2/L3 (kept), else 1 — with 1 a watt limit never
  lets a charger take more current per phase than asked.  Voltage: the measured one, else 230 V.
- Flash wear: an unchanged value is not re-sent; sends to one charger are at most one batch per
  `CentralSystemConfig.limit_interval` seconds (changed live: it applies to a wait under way), and what
  is set meanwhile is sent at the end of the interval, the latest value winning.
- Re-apply: when a charger (re)connects, every limit is sent again once it can take them, also
  unchanged ones, as a rebooted charger may have lost them (limit_reapply.py says when).
- After each accepted change, GetCompositeSchedule reads back the limit actually in force.  More in
  force than asked: status "overridden", with `overridden_by` "TxProfile" when a session runs under a
  TxDefaultProfile limit (EVerest: the session's own TxProfile wins; settings.limit_profile "session"
  sends the limit as that TxProfile), else "other".
- Limits are persisted (state section "limits", limit_state.py); a clear while offline is sent when
  the charger connects.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..model.events import Event, EventType
from ..model.station import Station
from ..rpc.timeutil import utcnow
from .charger import UNIT_AMPS, UNIT_WATTS
from .limit_profiles import (
    MIN_CHARGING_AMPS,
    NOMINAL_VOLTAGE,
    ProfileChoice,
    choose_profile,
    max_amps,
    max_watts,
    phases,
    voltage,
)
from .limit_reapply import BOOT_GRACE, ReapplyGate
from .limit_reapply import EVENTS as _REAPPLY_EVENTS
from .limit_sender import LimitSender
from .limit_state import (
    InvalidLimit,
    LimitState,
    LimitStatus,
    Slot,
    StationLimits,
    dump,
    load,
)

if TYPE_CHECKING:
    from .port import Central

__all__ = [
    "BOOT_GRACE",
    "InvalidLimit",
    "LimitManager",
    "LimitState",
    "LimitStatus",
]

_LOGGER = logging.getLogger(__name__)

# the events this module acts on (the steady stream of meter values never reaches it)
_EVENTS = (
    *_REAPPLY_EVENTS,
    EventType.TRANSACTION_STARTED,
    EventType.TRANSACTION_ENDED,
    EventType.SETTINGS_CHANGED,
)


class LimitManager:
    """Limits per station and EVSE, sent as charging profiles (see the module docstring)."""

    def __init__(self, central: Central) -> None:
        self._central = central
        self._stations: dict[str, StationLimits] = {}
        self._gate = ReapplyGate(central, self._reapply)
        # gets the changed limits onto the chargers (limit_sender.py)
        self._sender = LimitSender(central, self, self._gate.waiting)
        central.state.store.register_section("limits", self._load, self._dump)
        central.events.subscribe(self._on_event, _EVENTS)

    @property
    def boot_grace(self) -> float:
        """s a connected charger gets to boot before its limits go out anyway."""
        return self._gate.boot_grace

    @boot_grace.setter
    def boot_grace(self, seconds: float) -> None:
        self._gate.boot_grace = seconds

    # ---- queries -------------------------------------------------------------

    def get(self, station_id: str, evse_id: int) -> LimitState | None:
        slot = self.slots(station_id).get(evse_id)
        return replace(slot.state) if slot is not None else None

    def all(self, station_id: str) -> dict[int, LimitState]:
        """Every limit of a station, by EVSE id."""
        return {evse_id: replace(slot.state) for evse_id, slot in self.slots(station_id).items()}

    def watts_only(self, station_id: str) -> bool:
        """The charger states no rate unit and took a limit only in watts: it gets watts."""
        kept = self._stations.get(station_id)
        return kept is not None and kept.watts_only

    def max_amps(self, station_id: str) -> float:
        """The most a limit may be (limit_profiles.max_amps)."""
        return max_amps(self._central.stations.get(station_id))

    def max_watts(self, station_id: str, evse_id: int) -> float:
        """The most a power limit may ask (limit_profiles.max_watts)."""
        return max_watts(self.max_amps(station_id), self.phases(station_id))

    def phases(self, station_id: str) -> int:
        """Phases wired (see limit_profiles.phases); 1 for an unknown station."""
        station = self._central.stations.get(station_id)
        return phases(station, self._central.capabilities(station)) if station is not None else 1

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
        await self._sender.sent(station_id)

    def kept(self, station_id: str) -> StationLimits | None:
        """The station's limits as kept (for the sender)."""
        return self._stations.get(station_id)

    def slots(self, station_id: str) -> dict[int, Slot]:
        """The station's limits by EVSE, as kept (for the sender)."""
        kept = self._stations.get(station_id)
        return kept.slots if kept is not None else {}

    def choice(self, station: Station, evse_id: int) -> ProfileChoice:
        """The profile a limit of this EVSE goes out as."""
        return choose_profile(
            station, self._central.capabilities(station), evse_id, self.watts_only(station.station_id)
        )

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
        kept = self._stations.setdefault(station_id, StationLimits())
        if amps > 0:
            kept.paused_from.pop(evse_id, None)  # a limit set meanwhile is what a resume keeps
        slots = kept.slots
        slot = slots.get(evse_id)
        if (
            slot is not None
            and slot.state.amps == amps
            and slot.state.status not in (LimitStatus.REJECTED, LimitStatus.FAILED)
        ):
            return replace(slot.state)
        state = LimitState(
            evse_id=evse_id,
            amps=amps,
            watts=self.amps_to_watts(station_id, evse_id, amps),
            unit_sent=self.choice(station, evse_id).unit,
            status=LimitStatus.PENDING,
        )
        if slot is None:
            slot = slots[evse_id] = Slot(state)
        else:
            slot.state = state
        self._changed(station_id, slot)
        self._central.state.store.save_soon()
        self._sender.mark(station_id, evse_id)
        return replace(state)

    def paused(self, station_id: str, evse_id: int) -> bool:
        """Charging is paused here: the limit asked for is 0 A."""
        slot = self.slots(station_id).get(evse_id)
        return slot is not None and slot.state.amps == 0

    async def pause(self, station_id: str, evse_id: int) -> LimitState:
        """Pause charging without ending the session (a limit of 0 A); `resume` goes back to the limit before."""
        slot = self.slots(station_id).get(evse_id)
        kept = self._stations.setdefault(station_id, StationLimits())
        if slot is not None and slot.state.amps > 0:
            kept.paused_from[evse_id] = slot.state.amps
        return await self.set_limit(station_id, evse_id, amps=0)

    async def resume(self, station_id: str, evse_id: int) -> LimitState | None:
        """End a pause: the limit before it again, or no limit when there was none (None)."""
        kept = self._stations.get(station_id)
        previous = kept.paused_from.pop(evse_id, None) if kept is not None else None
        if not self.paused(station_id, evse_id):
            return self.get(station_id, evse_id)
        if previous is not None:
            return await self.set_limit(station_id, evse_id, amps=min(previous, self.max_amps(station_id)))
        await self.clear_limit(station_id, evse_id)
        return None

    async def clear_limit(self, station_id: str, evse_id: int) -> bool:
        """Forget a limit and remove our profile from the charger (now, or when it connects); False: none set."""
        kept = self._stations.get(station_id)
        slot = kept.slots.pop(evse_id, None) if kept is not None else None
        if kept is None or slot is None:
            return False
        kept.paused_from.pop(evse_id, None)
        self._sender.discard(station_id, evse_id)
        if slot.installed_id is not None:
            kept.clears.add((evse_id, slot.installed_id))
        station = self._central.stations.get(station_id)
        if station is not None:  # also the id it would have had (a send may be on its way)
            kept.clears.add((evse_id, self.choice(station, evse_id).profile_id))
        self._central.events.emit(Event(EventType.LIMIT, station_id, evse_id, {"evse_id": evse_id, "cleared": True}))
        await self._central.state.store.save_now()
        if self._central.is_connected(station_id):
            await self._sender.send_clears(station_id)
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
            if watts <= self.max_watts(station.station_id, evse_id) + 1e-6:
                # above the maximum current only because the measured voltage is below nominal
                amps = min(amps, self.max_amps(station.station_id))
        assert amps is not None
        top = self.max_amps(station.station_id)
        if amps != 0 and not MIN_CHARGING_AMPS <= amps <= top + 1e-6:
            given = f"{watts:g} W ({amps:g} A)" if watts is not None else f"{amps:g} A"
            raise InvalidLimit(
                f"{given} is not 0 (pause) nor between {MIN_CHARGING_AMPS:g} A and {top:g} A (the charger's maximum)"
            )
        return round(float(amps), 2)

    def update(self, station_id: str, slot: Slot, **changes: Any) -> None:
        """Change the slot's state; announce it when something really changed.

        A slot cleared while a send or a read-back was on its way is no longer the book's: its late answer
        changes nothing (announced, it would bring the cleared limit back in the add-on's mirror)."""
        if self.slots(station_id).get(slot.state.evse_id) is not slot:
            return
        current = slot.state
        updated = replace(current, **changes)
        if updated == current:
            return
        updated.updated = utcnow()
        slot.state = updated
        self._changed(station_id, slot)

    def _changed(self, station_id: str, slot: Slot) -> None:
        evse_id = slot.state.evse_id
        self._central.events.emit(Event(EventType.LIMIT, station_id, evse_id, slot.state.to_dict()))

    # ---- what happens to the chargers ----------------------------------------

    def _on_event(self, event: Event) -> None:
        station_id = event.station_id
        kind = event.type
        if kind in _REAPPLY_EVENTS:
            self._gate.on_event(event)
        if kind == EventType.DISCONNECTED:
            self._sender.stop(station_id)
            for slot in self.slots(station_id).values():
                if slot.state.status == LimitStatus.SENT:  # no answer will come: sent again when it is back
                    self.update(station_id, slot, status=LimitStatus.PENDING)
        elif kind in (EventType.TRANSACTION_STARTED, EventType.TRANSACTION_ENDED):
            self._on_session(station_id, event.connector_id, kind == EventType.TRANSACTION_STARTED)
        elif kind == EventType.SETTINGS_CHANGED:
            self._on_settings(station_id, set(event.data.get("changed") or ()))

    def _on_session(self, station_id: str, evse_id: int | None, started: bool) -> None:
        station = self._central.stations.get(station_id)
        slot = self.slots(station_id).get(evse_id) if evse_id is not None else None
        if station is None or slot is None or self.choice(station, slot.state.evse_id).kind != "session":
            return
        if started:
            self._sender.mark(station_id, slot.state.evse_id)
        else:  # the TxProfile ended with the session; the limit waits for the next one
            slot.installed = None
            self.update(station_id, slot, status=LimitStatus.PENDING, in_force_amps=None, in_force_watts=None)

    def _on_settings(self, station_id: str, changed: set[str]) -> None:
        slots = self.slots(station_id)
        top = self.max_amps(station_id)
        for evse_id, slot in slots.items():
            resend = "limit_profile" in changed and evse_id > 0
            if "max_current" in changed and slot.state.amps > top:
                slot.state = replace(slot.state, amps=top)  # a lower maximum lowers the limit with it
                resend = True
            if changed & {"phases", "max_current"}:
                self.update(station_id, slot, watts=self.amps_to_watts(station_id, evse_id, slot.state.amps))
                resend = resend or slot.state.unit_sent == UNIT_WATTS
            if resend:
                self.update(station_id, slot, status=LimitStatus.PENDING)
                self._sender.mark(station_id, evse_id)
        if slots:
            self._central.state.store.save_soon()

    async def _reapply(self, station_id: str) -> None:
        """The charger (re)connected and can take limits: clear what is to clear, send every limit again."""
        await self._sender.send_clears(station_id)
        for evse_id, slot in self.slots(station_id).items():
            slot.force = True
            self._sender.mark(station_id, evse_id)

    def forget(self, station_id: str) -> None:
        """Drop the charger's limits (its device was removed); nothing is sent."""
        self._stations.pop(station_id, None)
        self._sender.forget(station_id)

    # ---- persistence ---------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        return dump(self._stations)

    def _load(self, data: Any) -> None:
        self._stations.clear()
        self._stations.update(load(data, self._loaded_state))

    def _loaded_state(self, station_id: str, evse_id: int, amps: float, watts_only: bool) -> LimitState:
        station = self._central.stations.get(station_id)
        if station is None:
            return LimitState(
                evse_id, amps, self.amps_to_watts(station_id, evse_id, amps), UNIT_AMPS, LimitStatus.PENDING
            )
        unit = choose_profile(station, self._central.capabilities(station), evse_id, watts_only).unit
        return LimitState(evse_id, amps, self.amps_to_watts(station_id, evse_id, amps), unit, LimitStatus.PENDING)
