"""The seam between the HA side and a central system (docs/remote_mode.md): what entities, controls, services,
automation events, repairs and diagnostics read and call, whichever central system runs the chargers.

Two back ends implement `CentralBackend`:
- `EmbeddedCentral`: csms's CentralSystem in Home Assistant's event loop, as it is (its own stations,
  connectors and limits are what the entities read: no copy, no adapter layer to cross);
- `remote.central.RemoteCentral`: the add-on's central system, over its API (mirror objects of the same csms
  classes, kept current from the add-on's event stream; commands over its API).

The platforms never ask which one they have.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from .csms import CentralSystem, ChargerAnswer, Event, EventType, LimitState, Station
from .csms.rpc.loglimit import LogLimiter

Answer = dict[str, Any]
Listener = Callable[[Event], None]


class EventSource(Protocol):
    """Where the central system's events come from (csms's EventBus)."""

    def subscribe(self, listener: Listener, types: Iterable[EventType] | None = None) -> Callable[[], None]: ...


class StateView(Protocol):
    @property
    def logs(self) -> LogLimiter:
        """A log line per charger, a few a minute at most."""
        ...


class CallTimeouts(Protocol):
    @property
    def call_timeout(self) -> float: ...


class LimitsBackend(Protocol):
    """Load management as the number, switch and sensor entities use it (csms's LimitManager)."""

    def get(self, station_id: str, evse_id: int) -> LimitState | None: ...
    def paused(self, station_id: str, evse_id: int) -> bool: ...
    def max_amps(self, station_id: str) -> float: ...
    def max_watts(self, station_id: str, evse_id: int) -> float: ...
    async def set_limit(
        self, station_id: str, evse_id: int, *, amps: float | None = None, watts: float | None = None
    ) -> LimitState: ...
    async def pause(self, station_id: str, evse_id: int) -> LimitState: ...
    async def resume(self, station_id: str, evse_id: int) -> LimitState | None: ...
    async def clear_limit(self, station_id: str, evse_id: int) -> bool: ...


class ChargerControls(Protocol):
    """The commands the buttons and switches send (csms's Charger)."""

    async def restart(
        self, hard: bool = False, *, evse_id: int | None = None, on_idle: bool = False
    ) -> ChargerAnswer: ...
    async def unlock(self, connector_id: int, evse_connector_id: int | None = None) -> ChargerAnswer: ...
    async def change_availability(
        self, connector_id: int | None, operative: bool, evse_connector_id: int | None = None
    ) -> ChargerAnswer: ...


class CallContext(Protocol):
    """What the one error translation (errors.ocpp_call) reads of a central system: its stations and timeouts."""

    @property
    def stations(self) -> Mapping[str, Station]: ...
    @property
    def config(self) -> CallTimeouts: ...


class CentralBackend(CallContext, Protocol):
    """A central system as the HA side sees it."""

    @property
    def limits(self) -> LimitsBackend: ...
    @property
    def events(self) -> EventSource: ...
    @property
    def state(self) -> StateView: ...

    def is_connected(self, station_id: str) -> bool: ...
    def is_known(self, station_id: str) -> bool:
        """The station is known (and its central system reachable): controls that work offline are available."""
        ...

    def charger(self, station_id: str) -> ChargerControls: ...
    async def remote_start(self, station_id: str, connector_id: int | None, id_tag: str) -> Answer: ...
    async def remote_stop(self, station_id: str, transaction_id: str) -> Answer: ...

    async def session_history(
        self, station_id: str | None, since: datetime | None, until: datetime | None
    ) -> list[dict[str, Any]]:
        """Open and recent sessions (CentralSystem.transactions: one station's or all, in [since, until])."""
        ...

    async def run_service(
        self, station_id: str, name: str, fields: dict[str, Any], local: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        """A charger service (its name and fields as the service got them): `local` runs it here, a remote back
        end sends it to its central system.  Raises what csms raises (errors.ocpp_call translates it)."""
        ...


class EmbeddedCentral(CentralSystem):
    """The central system in Home Assistant's event loop: csms's CentralSystem, plus the seam's two hooks."""

    def is_known(self, station_id: str) -> bool:
        return station_id in self.stations

    async def session_history(
        self, station_id: str | None, since: datetime | None, until: datetime | None
    ) -> list[dict[str, Any]]:
        return self.transactions(station_id, since=since, until=until)

    async def run_service(
        self, station_id: str, name: str, fields: dict[str, Any], local: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        return await local()
