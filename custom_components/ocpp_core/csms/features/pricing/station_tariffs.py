"""Tariffs installed on the stations that calculate costs themselves (OCPP 2.1, TariffCostCtrlr.Enabled[Tariff]).

Such a station gets its default tariffs with SetDefaultTariff: the charger's (else the central system's) for
every EVSE (evseId 0), or, when one of its connectors has a tariff of its own, each EVSE's own.  A tag's
tariff goes in the AuthorizeResponse (v21/adapter.py).  A tariff's id is a hash of its content (2.1 wants
a new id for new content), so the station's transactionInfo.tariffId tells which of ours it costs a session
with: when it is the session's own tariff, the station shows its own cost and is sent no CostUpdated or
totalCost (manager.py); otherwise, and for every other station, the central system's cost is sent as before.

A push happens when such a station boots or its device model is read, and when a tariff changes; what was
installed is kept (persisted with the pricing section), so a change first clears the ids installed before
(ClearTariffs), then sets the new ones.  A tariff the station refuses (Rejected, TooManyElements,
ConditionNotSupported; v21/charger.py answers the last two itself, unsent, for a tariff with conditions to a
station without ConditionsSupported[Tariff], or more prices than its MaxElements[Tariff]): its sessions keep
the central system's costs, the reason is logged and kept in `results`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ...model.events import Event, EventType
from ...model.station import RegistrationStatus
from ...rpc.types import CallError, CallTimeout, InvalidCall, NotConnected
from .book import CONNECTOR, TariffBook
from .tariff import Tariff

if TYPE_CHECKING:
    from ..port import Central

_LOGGER = logging.getLogger(__name__)

_ID_PREFIX = "ocpp-core-"
_TAKEN = frozenset({"Accepted", "DuplicateTariffId"})  # a duplicate id: that very content is there already
_MAX_ROUNDS = 5


@lru_cache(maxsize=512)
def tariff_id(tariff: Tariff) -> str:
    """The tariff's 2.1 tariffId: a hash of its content (at most 60 characters)."""
    text = json.dumps(tariff.to_dict(), sort_keys=True, separators=(",", ":"))
    return _ID_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:24]


class StationTariffs:
    """The default tariffs on the stations that calculate costs themselves (see the module's docstring)."""

    def __init__(self, central: Central, book: TariffBook) -> None:
        self._central = central
        self._book = book
        # station id -> {evse id: tariff id} it accepted
        self.installed: dict[str, dict[int, str]] = {}
        # station id -> the outcome of the last push: status ("Installed", "Cleared", "Central"), detail
        self.results: dict[str, dict[str, Any]] = {}
        self._wanted: set[str] = set()
        # station id -> the tariff ids it refused: not sent again until it boots or a tariff changes
        self._refused: dict[str, dict[int, str]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        central.events.subscribe(self._on_event, (EventType.BOOTED, EventType.DEVICE_MODEL))

    def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()

    def forget(self, station_id: str) -> None:
        self.installed.pop(station_id, None)
        self.results.pop(station_id, None)
        self._refused.pop(station_id, None)

    # ---- triggers ----------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.type is EventType.BOOTED and event.data.get("registration_status") != RegistrationStatus.ACCEPTED:
            return
        if event.type is EventType.BOOTED:
            self._refused.pop(event.station_id, None)  # a new boot, perhaps a new firmware: asked again
        self.schedule(event.station_id)

    def tariffs_changed(self) -> None:
        """A tariff was set or cleared: every connected station that takes tariffs, or has ours, is brought up
        to date."""
        self._refused.clear()
        for station_id in list(self._central.stations):
            if self._central.is_connected(station_id):
                self.schedule(station_id)

    def schedule(self, station_id: str) -> None:
        self._wanted.add(station_id)
        task = self._tasks.get(station_id)
        if task is None or task.done():
            try:
                task = asyncio.get_running_loop().create_task(self._run(station_id))
                self._tasks[station_id] = task
                # a finished push is not kept: one per station that ever booted added up (with asyncio's
                # debug mode each task also holds its creation traceback, ~11 KiB)
                task.add_done_callback(functools.partial(self._drop_task, station_id))
            except RuntimeError:  # no loop (a synchronous caller): the next boot brings it up to date
                self._wanted.discard(station_id)

    def _drop_task(self, station_id: str, done: asyncio.Task[None]) -> None:
        if self._tasks.get(station_id) is done:
            del self._tasks[station_id]

    async def _run(self, station_id: str) -> None:
        for _ in range(_MAX_ROUNDS):
            if station_id not in self._wanted:
                return
            self._wanted.discard(station_id)
            try:
                await self.sync(station_id)
            except (CallError, CallTimeout, NotConnected, InvalidCall) as err:
                self._result(station_id, "Error", f"{type(err).__name__}: {err}")
            except Exception as err:
                _LOGGER.exception("%s: installing the tariffs failed", station_id, exc_info=err)

    # ---- one push ----------------------------------------------------------------------

    def wanted(self, station_id: str) -> dict[int, Tariff]:
        """The default tariff of each EVSE (0: all of them) the station is to hold."""
        station = self._central.stations.get(station_id)
        base = self._book.resolve(station_id, 0, None)
        own = {
            scope.connector_id: tariff
            for scope, tariff in self._book.items()
            if scope.kind == CONNECTOR and scope.station_id == station_id and scope.connector_id is not None
        }
        if not own:
            return {} if base is None else {0: base[1]}
        evses = set(station.connectors) if station is not None else set()
        wanted = dict(own)
        if base is not None:
            for evse_id in evses - set(own):
                wanted[evse_id] = base[1]
        return dict(sorted(wanted.items()))

    async def sync(self, station_id: str) -> None:
        """Bring the station's default tariffs in line with the book (see the module's docstring)."""
        if not self._central.is_connected(station_id):
            return
        charger = self._central.charger(station_id)
        support = charger.tariff_support
        installed = self.installed.get(station_id, {})
        wanted = self.wanted(station_id) if support is not None else {}
        ids = {evse_id: tariff_id(tariff) for evse_id, tariff in wanted.items()}
        if ids == installed or ids == self._refused.get(station_id):
            return
        if installed:
            with contextlib.suppress(NotImplementedError):  # a station that went back to 2.0.1
                await charger.clear_tariffs(sorted(set(installed.values())))
            self.installed.pop(station_id, None)
            self._central.state.store.save_soon()
        if not wanted:
            self._result(station_id, "Cleared" if support is not None else "Central", "")
            return
        accepted: dict[int, str] = {}
        for evse_id, tariff in wanted.items():
            answer = await charger.set_default_tariff(evse_id, tariff, ids[evse_id])
            if answer.status not in _TAKEN:
                self._refused[station_id] = ids
                self._keep(station_id, accepted)
                self._result(station_id, "Central", f"SetDefaultTariff for EVSE {evse_id}: {answer.status}")
                return
            accepted[evse_id] = ids[evse_id]
        self._keep(station_id, accepted)
        self._result(station_id, "Installed", ", ".join(f"EVSE {e}: {i}" for e, i in accepted.items()))

    def _keep(self, station_id: str, accepted: dict[int, str]) -> None:
        if accepted:
            self.installed[station_id] = accepted
        self._central.state.store.save_soon()

    def _result(self, station_id: str, status: str, detail: str) -> None:
        self.results[station_id] = {"status": status, "detail": detail}
        level = logging.WARNING if status in ("Central", "Error") else logging.INFO
        _LOGGER.log(level, "%s: tariffs at the station: %s %s", station_id, status, detail)

    # ---- persistence -------------------------------------------------------------------

    def dump(self) -> dict[str, dict[str, str]]:
        return {station_id: {str(e): i for e, i in ids.items()} for station_id, ids in self.installed.items()}

    def load(self, data: Any) -> None:
        self.installed.clear()
        for station_id, ids in (data if isinstance(data, dict) else {}).items():
            if isinstance(ids, dict):
                try:
                    self.installed[str(station_id)] = {int(e): str(i) for e, i in ids.items()}
                except (TypeError, ValueError):
                    _LOGGER.warning("%s: the tariffs installed there could not be read", station_id)
