"""Reservations: the ones chargers accepted, kept on their connector (or station) until used, cancelled,
replaced or expired; each expiry has a timer, and every message of the station checks its deadline too."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from ..model.events import Event, EventType
from ..model.station import Connector, Reservation, Station
from ..rpc.timeutil import utcnow
from .store import StateStore


class Reservations:
    """Records reservations in the store and expires them."""

    def __init__(self, store: StateStore) -> None:
        self._store = store
        # the earliest reservation expiry per station (checked on every message of that station)
        self.deadlines: dict[str, datetime] = {}
        self._expiry_timers: dict[str, asyncio.TimerHandle] = {}

    def allocate_id(self) -> int:
        """A reservation id never handed out before, nor held by a reservation (persisted with the next save)."""
        in_use = {r.reservation_id for s in self._store.stations.values() for r in s.reservations(include_expired=True)}
        while True:
            reservation_id = self._store.next_id("reservation")
            if reservation_id not in in_use:
                break
        self._store.save_soon()
        return reservation_id

    def set(self, station_id: str, reservation: Reservation) -> None:
        """The charger accepted a reservation; one with the same id elsewhere is replaced, as in OCPP."""
        station = self._store.station(station_id)
        self.remove(station_id, reservation.reservation_id, "replaced")
        holder = station if reservation.connector_id == 0 else self._store.connector(station, reservation.connector_id)
        holder.reservation = reservation
        self._store.save_soon()
        self._store.events.emit(
            Event(EventType.RESERVATION, station_id, reservation.connector_id, _data(reservation, True, "reserved"))
        )
        self.schedule_expiry(station_id)

    def remove(self, station_id: str, reservation_id: int, reason: str) -> bool:
        """Forget a reservation (cancelled, used, replaced); False when there was none with that id."""
        station = self._store.stations.get(station_id)
        if station is None:
            return False
        for reservation in station.reservations(include_expired=True):
            if reservation.reservation_id == reservation_id:
                holder = station.reservation_holder(reservation.connector_id)
                if holder is not None:
                    self.drop(station, holder, reason)
                    return True
        return False

    def expire(self, station_id: str) -> None:
        """Clear the station's expired reservations (at their expiry, and on any message of the station)."""
        station = self._store.stations.get(station_id)
        if station is None:
            return
        now = utcnow()
        for reservation in station.reservations(include_expired=True):
            holder = station.reservation_holder(reservation.connector_id)
            if holder is not None and reservation.expired(now):
                self.drop(station, holder, "expired")
        self.schedule_expiry(station_id)

    def drop(self, station: Station, holder: Station | Connector, reason: str) -> None:
        """The holder's reservation is over (announced with `reason`)."""
        reservation = holder.stored_reservation
        if reservation is None:
            return
        holder.reservation = None
        if isinstance(holder, Connector):
            holder.reservation_end = reason
        self._store.save_soon()
        self._store.events.emit(
            Event(
                EventType.RESERVATION, station.station_id, reservation.connector_id, _data(reservation, False, reason)
            )
        )
        self.schedule_expiry(station.station_id)

    def schedule_expiry(self, station_id: str) -> None:
        """A timer for the station's earliest expiry (none when it holds no reservation)."""
        timer = self._expiry_timers.pop(station_id, None)
        if timer is not None:
            timer.cancel()
        station = self._store.stations.get(station_id)
        stored = station.reservations(include_expired=True) if station is not None else []
        if not stored:
            self.deadlines.pop(station_id, None)
            return
        deadline = min(r.expiry_date for r in stored)
        self.deadlines[station_id] = deadline
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a synchronous caller): the next message of the station clears it
        delay = (deadline - utcnow() + timedelta(milliseconds=5)).total_seconds()
        self._expiry_timers[station_id] = loop.call_later(max(0.0, delay), self.expire, station_id)

    def forget(self, station_id: str) -> None:
        """The station is gone: no deadline, no timer."""
        self.deadlines.pop(station_id, None)
        if (timer := self._expiry_timers.pop(station_id, None)) is not None:
            timer.cancel()

    def close(self) -> None:
        """Stop the expiry timers (the central system stops)."""
        for timer in self._expiry_timers.values():
            timer.cancel()
        self._expiry_timers.clear()


def _data(reservation: Reservation, active: bool, reason: str) -> dict[str, Any]:
    data = reservation.to_dict()
    data["active"] = active
    data["reason"] = reason
    return data
