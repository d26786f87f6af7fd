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

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .csms import CentralSystem, ChargerAnswer, ChargerSettings, Event, EventType, LimitState, Station, TagRecord
from .csms.features.pricing import Scope, Tariff
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


class InvalidOptions(ValueError):
    """The central system refused one of its options (the message names it): nothing changed."""


class CentralOutdated(HomeAssistantError):
    """The central system is older than this integration (an add-on without the API `request` asked of it):
    nothing was done, and the translated message says to update it (the options flow aborts with it)."""

    def __init__(self, host: str, port: int, request: str) -> None:
        super().__init__(
            translation_domain=DOMAIN,
            translation_key="addon_outdated",
            translation_placeholders={"host": host, "port": str(port), "request": request},
        )


class TagList(Protocol):
    """The tag book as read (csms's TagBook; the add-on's, as it answered)."""

    @property
    def version(self) -> int: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[TagRecord]: ...
    def get(self, id_tag: str) -> TagRecord | None: ...


class CentralRecords(Protocol):
    """What lives where the central system lives (its store): tags, per-charger settings, passwords, tariffs, its
    own options.
    The options flow and the tag, password and tariff services edit them here, on either back end; each change
    is stored at once.  Errors are csms's: TagError (its code), InvalidSettings, InvalidPassword, TariffError
    (and InvalidOptions); a push's failures as a call's."""

    async def central_system_options(self) -> dict[str, Any] | None:
        """The central system's own options (by the entry's option names) where it keeps them; None: the entry's
        options are they (embedded: put in force by the entry's update listener)."""
        ...

    async def set_central_system_options(self, changes: dict[str, Any]) -> bool:
        """Some of the central system's own options changed where it keeps them (InvalidOptions: none changed);
        False: nothing kept here, the entry's options are they (the options flow saves them there)."""
        ...

    async def tag_list(self) -> TagList: ...
    async def add_tag(self, record: TagRecord) -> TagRecord: ...
    async def update_tag(self, id_tag: str, changes: dict[str, Any]) -> TagRecord: ...
    async def remove_tags(self, id_tags: Iterable[str]) -> list[TagRecord]: ...
    async def update_settings(self, station_id: str, changes: dict[str, Any]) -> ChargerSettings: ...
    async def chargers_with_password(self) -> set[str]: ...
    async def set_password(self, station_id: str, password: str | None, *, push: bool) -> str | None:
        """Store (None: remove) a charger's password; with `push` sent first: the charger's answer's status."""
        ...

    async def set_new_charger_password(self, password: str | None) -> None: ...
    async def has_new_charger_password(self) -> bool: ...

    async def tariffs(self) -> list[dict[str, Any]]:
        """Every tariff with its scope, most general first (the get_tariffs service's answer)."""
        ...

    async def tariff(self, scope: Scope) -> Tariff | None: ...
    async def set_tariff(self, scope: Scope, data: dict[str, Any]) -> Tariff: ...
    async def clear_tariff(self, scope: Scope) -> bool:
        """False: that scope had none."""
        ...


class CentralBackend(CallContext, Protocol):
    """A central system as the HA side sees it."""

    @property
    def records(self) -> CentralRecords: ...
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
    async def forget_station(self, station_id: str) -> bool:
        """Everything kept about a charger removed where the central system keeps it; False (nothing done) while
        it is connected."""
        ...

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


class EmbeddedRecords:
    """The embedded central system's own tags, settings and passwords (csms's, stored in HA's storage)."""

    def __init__(self, central: CentralSystem) -> None:
        self._central = central

    async def central_system_options(self) -> dict[str, Any] | None:
        return None  # the entry's options (__init__.py central_options maps them)

    async def set_central_system_options(self, changes: dict[str, Any]) -> bool:
        return False

    async def tag_list(self) -> TagList:
        return self._central.tags

    async def add_tag(self, record: TagRecord) -> TagRecord:
        return await self._central.add_tag(record)

    async def update_tag(self, id_tag: str, changes: dict[str, Any]) -> TagRecord:
        return await self._central.update_tag(id_tag, changes)

    async def remove_tags(self, id_tags: Iterable[str]) -> list[TagRecord]:
        return await self._central.remove_tags(id_tags)

    async def update_settings(self, station_id: str, changes: dict[str, Any]) -> ChargerSettings:
        return await self._central.update_settings(station_id, changes)

    async def chargers_with_password(self) -> set[str]:
        credentials = self._central.credentials
        return {station_id for station_id in self._central.stations if credentials.has_password(station_id)}

    async def set_password(self, station_id: str, password: str | None, *, push: bool) -> str | None:
        return await self._central.credentials.set_password(station_id, password, push=push)

    async def set_new_charger_password(self, password: str | None) -> None:
        await self._central.credentials.set_new_charger_password(password)

    async def has_new_charger_password(self) -> bool:
        return self._central.credentials.has_new_charger_password

    async def tariffs(self) -> list[dict[str, Any]]:
        return self._central.pricing.tariffs.entries()

    async def tariff(self, scope: Scope) -> Tariff | None:
        return self._central.pricing.tariffs.get(scope)

    async def set_tariff(self, scope: Scope, data: dict[str, Any]) -> Tariff:
        return await self._central.pricing.set_tariff(scope, data)

    async def clear_tariff(self, scope: Scope) -> bool:
        return await self._central.pricing.clear_tariff(scope)


class EmbeddedCentral(CentralSystem):
    """The central system in Home Assistant's event loop: csms's CentralSystem, plus the seam's hooks."""

    @property
    def records(self) -> EmbeddedRecords:
        return EmbeddedRecords(self)

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
