"""The store every recorder writes to: the stations, the persisted sections, the ids handed out, saving.

The recorders (reservations, transactions, reports …) each hold this store and
change the stations through it; the store knows none of them.  What the store
saves: the stations (with their open transactions), the id counters and every
registered section (the history, tags, credentials, limits …).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..model.configuration import MAX_CONNECTORS, apply_configuration
from ..model.events import Event, EventBus, EventType
from ..model.station import Connector, Station
from ..model.transaction import Transaction
from ..rpc.framelog import scrub_stored_station
from ..rpc.loglimit import LogLimiter
from .persistence import Persistence
from .storable import Path, format_path, storable

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
INT32_MAX = 2_147_483_647
# the ids we hand out, each persisted as next_<name>_id
ID_NAMES = ("transaction", "reservation", "remote_start", "request")


class StateStore:
    """Stations and connectors by id, persisted sections, id counters and the log-once keys."""

    def __init__(self, persistence: Persistence, events: EventBus) -> None:
        self.stations: dict[str, Station] = {}
        self.events = events
        self._persistence = persistence
        self._next_ids = dict.fromkeys(ID_NAMES, 1)
        self._logged: set[tuple[str, str]] = set()
        # the lines a station's messages cause, rate-limited per station (see loglimit.py)
        self.logs = LogLimiter()
        # parts kept by other modules (history, tags, credentials, limits): name -> (load, dump)
        self._sections: dict[str, tuple[Callable[[Any], None], Callable[[], Any]]] = {}
        # True once an immediate save failed, until one succeeds: the charger got an error instead of its
        # answer, and its retry (a retransmission, answered from memory) must be written first
        self.unsaved = False

    def register_section(self, name: str, load: Callable[[Any], None], dump: Callable[[], Any]) -> None:
        """Persist another module's data under `name`: `dump()` is saved with the state, and
        `load(data)` gets it back at start (None when nothing was saved).  Register before `load()`;
        call `save_soon()` / `save_now()` after changing it."""
        self._sections[name] = (load, dump)

    # ---- ids ---------------------------------------------------------------------

    def next_id(self, name: str) -> int:
        """The next id of that kind (one of ID_NAMES), within int32 as 1.6 chargers expect; saved with
        the next save (the caller says how soon)."""
        value = self._next_ids[name]
        self._next_ids[name] = value + 1 if value < INT32_MAX else 1
        return value

    def allocate_id(self, name: str) -> int:
        """An id never handed out before, across restarts (saved soon)."""
        value = self.next_id(name)
        self.save_soon()
        return value

    # ---- persistence -------------------------------------------------------------

    async def load(self) -> None:
        data = await self._persistence.async_load() or {}
        for name in ID_NAMES:
            self._next_ids[name] = int(data.get(f"next_{name}_id", 1))
        for station_id, station_data in data.get("stations", {}).items():
            station = _read_station(station_id, station_data)
            if station is not None:
                self.stations[station_id] = station
        for name, (load_section, _) in self._sections.items():
            load_section(data.get(name))

    def snapshot(self) -> dict[str, Any]:
        """Everything persisted, as JSON-ready data."""
        stations: dict[str, Any] = {}
        for station_id, station in self.stations.items():
            data = scrub_stored_station(station.to_dict())
            data["open_transactions"] = [
                c.transaction.to_dict() for c in station.connectors.values() if c.transaction is not None
            ]
            stations[station_id] = data
        data, dropped = storable(
            {
                "version": STORAGE_VERSION,
                **{f"next_{name}_id": value for name, value in self._next_ids.items()},
                "stations": stations,
                **{name: dump() for name, (_, dump) in self._sections.items()},
            }
        )
        for path, reason in dropped:
            self._unstorable(path, reason)
        return data

    def _unstorable(self, path: Path, reason: str) -> None:
        """A record the store cannot write is left out of every save (see storable.py): said once per run."""
        where = format_path(path)
        station_id = str(path[1]) if len(path) > 1 and path[0] == "stations" else ""
        if (station_id, f"unstorable:{where}") in self._logged:
            return
        self._logged.add((station_id, f"unstorable:{where}"))
        _LOGGER.error("Not saved, as the store cannot write it (%s): %s; everything else is saved", reason, where)
        self.events.emit(Event(EventType.UNSTORABLE, station_id, data={"path": where, "reason": reason}))

    def save_soon(self) -> None:
        """Save everything soon (debounced): for changes that may wait a moment."""
        self._persistence.schedule_save(self.snapshot)

    async def save_now(self) -> None:
        """Save everything before going on (a session opened or closed, a change the user made)."""
        self.unsaved = True
        await self._persistence.async_save(self.snapshot())
        self.unsaved = False

    def log_once(self, station_id: str, key: str, level: int, message: str, *args: object) -> None:
        """Log a station's recurring condition the first time only (per run of the central system)."""
        if (station_id, key) not in self._logged:
            self._logged.add((station_id, key))
            _LOGGER.log(level, "%s: " + message, station_id, *args)

    def forget(self, station_id: str) -> None:
        """Drop the station and its log-once keys."""
        self.stations.pop(station_id, None)
        self._logged = {key for key in self._logged if key[0] != station_id}

    # ---- stations and connectors --------------------------------------------------

    def station(self, station_id: str) -> Station:
        """The station, created (and announced) when first seen."""
        station = self.stations.get(station_id)
        if station is None:
            station = self.stations[station_id] = Station(station_id)
            self.save_soon()
            self.events.emit(Event(EventType.STATION_ADDED, station_id))
        return station

    def connector(self, station: Station, connector_id: int) -> Connector:
        """The connector (a 2.x EVSE), created (and announced) when first seen."""
        connector = station.connectors.get(connector_id)
        if connector is None:
            connector = station.connectors[connector_id] = Connector(connector_id)
            self.save_soon()
            self.events.emit(Event(EventType.CONNECTOR_ADDED, station.station_id, connector_id))
        return connector

    def ensure_connectors(self, station: Station, count: int) -> None:
        """Connectors 1..count exist (NumberOfConnectors: shown before their first StatusNotification)."""
        if count > MAX_CONNECTORS:
            self.log_once(
                station.station_id, "too_many_connectors", logging.WARNING,
                "reports %s connectors; only the first %s are created", count, MAX_CONNECTORS,
            )  # fmt: skip
            count = MAX_CONNECTORS
        for connector_id in range(1, count + 1):
            self.connector(station, connector_id)


def _read_station(station_id: str, station_data: dict[str, Any]) -> Station | None:
    """A saved station with its open transactions; None (logged) when it cannot be read."""
    try:
        station = Station.from_dict(station_id, station_data)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        _LOGGER.error("%s: its saved data cannot be read (%r); the charger starts afresh", station_id, err)
        return None
    apply_configuration(station)
    for tx_data in station_data.get("open_transactions", []):
        try:
            tx = Transaction.from_dict(tx_data)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            _LOGGER.error("%s: a saved open transaction cannot be read (%r); left out", station_id, err)
            continue
        connector = station.connectors.setdefault(tx.connector_id, Connector(tx.connector_id))
        connector.transaction = tx
        # 2.x: a station sends its chargingState only when it changes, so the EVSE's state is
        # the running session's last one (else it would stay unknown after a restart)
        if tx.charging_state is not None:
            connector.charging_state = tx.charging_state
    return station
