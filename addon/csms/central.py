"""The central system: the WebSocket server, the sessions, the domain state and commands."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import fields
from datetime import datetime
from typing import Any

from websockets.asyncio.server import ServerConnection

from .adapter import VersionAdapter
from .config import CentralSystemConfig, CentralSystemOptions
from .features.charger import Capabilities, Charger
from .features.charger_commands import UnsupportedVersion
from .features.charger_requests import RemoteStart
from .features.credentials import CredentialStore
from .features.intervals import MeterIntervals
from .features.limits import LimitManager
from .features.local_list import LocalListPusher
from .features.pricing import PricingManager
from .features.retention import StationCap, unregistered
from .features.takeover import peer_address, takeover
from .model.events import Event, EventBus, EventType
from .model.settings import ChargerSettings
from .model.station import RegistrationStatus, Station
from .rpc.endpoint import Payload
from .rpc.framelog import FrameLog
from .rpc.types import CallError, CallTimeout, NotConnected, OcppVersion
from .rpc.validation import SchemaRegistry
from .session import ChargerSession
from .state.authorization import TagPolicy
from .state.central_state import CentralState
from .state.persistence import MemoryPersistence, Persistence
from .state.tags import TagRecord
from .transport.server import OcppServer
from .transport.throttle import Throttles
from .v16.adapter import V16Adapter
from .v16.charger import capabilities as v16_capabilities
from .v16.commands import V16Commands
from .v21.adapter import V21Adapter
from .v201.adapter import V201Adapter
from .v201.charger import capabilities as v201_capabilities
from .v201.commands import V201Commands

_LOGGER = logging.getLogger(__name__)

_ADAPTERS: dict[OcppVersion, type[VersionAdapter]] = {
    OcppVersion.V16: V16Adapter,
    OcppVersion.V201: V201Adapter,
    OcppVersion.V21: V21Adapter,
}


# what a charger takes (rate units, stack level, phases), by its version: known while it is away too
_CAPABILITIES: dict[OcppVersion, Callable[[Station], Capabilities]] = {
    OcppVersion.V16: v16_capabilities,
    OcppVersion.V201: v201_capabilities,
    OcppVersion.V21: v201_capabilities,
}


class CentralSystem:
    """An OCPP central system, usable with or without Home Assistant."""

    def __init__(self, config: CentralSystemConfig | None = None, persistence: Persistence | None = None) -> None:
        self.config = config or CentralSystemConfig()
        self.events = EventBus()
        self.state = CentralState(persistence or MemoryPersistence(), self.events, self.config.history_size)
        self.schemas = SchemaRegistry()
        # keeps each charger's meter value interval at the user's setting (or the default)
        self.meter_intervals = MeterIntervals(self)
        # charger passwords (security profiles 1 and 2), persisted with the state
        self.credentials = CredentialStore(self.state.store, self.events, self.charger)
        # refused attempts, flood closes and replay allowances, shared by the server and the sessions
        self.throttles = Throttles(self.config)
        # a flood of new ids (profile 0, policy accept) stops at max_stations (see features/retention.py)
        self.station_cap = StationCap(self.config, self.state.stations)
        self._server = OcppServer(
            self.config,
            self._on_connection,
            tuple(_ADAPTERS),
            self.credentials,
            self.throttles,
            self.station_cap.admits,
        )
        self._loaded = False
        self._sessions: dict[str, ChargerSession] = {}
        self._frames: dict[str, FrameLog] = {}
        # load management: current / power limits per station and EVSE (registers its persisted section)
        self.limits = LimitManager(self)
        # the id tags (persisted) and the local authorization lists kept in step with them
        self.tags = self.state.authorization.tags
        self.state.store.register_section("tags", self.tags.load, self.tags.dump)
        self.local_lists = LocalListPusher(self)
        # tariffs and the cost of every session (persisted as the "pricing" section)
        self.pricing = PricingManager(self, self.limits.pause, self.limits.resume)
        # the options last applied (see apply_options); at first what the config says
        self._options = CentralSystemOptions(
            heartbeat_interval=self.config.heartbeat_interval,
            lenient=self.config.lenient,
            limit_interval=self.config.limit_interval,
            max_message_rate=self.config.max_message_rate,
            history_size=self.config.history_size,
        )

    def apply_options(self, options: CentralSystemOptions) -> frozenset[str]:
        """Put the options in force, chargers staying connected; returns the names of those that changed.

        Read at every message or use (the message rate, the heartbeat interval given at the next boot …);
        a smaller history drops its oldest sessions; a new default meter interval goes to every connected
        charger without its own."""
        changed = frozenset(
            f.name for f in fields(options) if getattr(options, f.name) != getattr(self._options, f.name)
        )
        self._options = options
        config = self.config
        config.heartbeat_interval = options.heartbeat_interval
        config.lenient = options.lenient
        config.limit_interval = options.limit_interval
        config.set_message_rate(options.max_message_rate)
        if options.history_size != config.history_size:
            config.history_size = options.history_size
            self.state.transactions.history.resize(options.history_size)
        self.meter_intervals.set_default(options.meter_interval)
        authorization = self.state.authorization
        authorization.policy = TagPolicy(
            accept_unknown=options.accept_unknown_tags, refuse_concurrent=options.refuse_concurrent_tags
        )
        authorization.set_remote_only(options.remote_only_tags)
        return changed

    @property
    def options(self) -> CentralSystemOptions:
        """The options last applied."""
        return self._options

    # ---- life cycle --------------------------------------------------------

    async def load(self) -> None:
        """Read the stored state (stations, tags, passwords …) without listening yet: what is to be set
        before the first charger may connect goes between `load` and `start`."""
        if not self._loaded:
            await self.state.load()
            await self.schemas.get(OcppVersion.V16)
            self._loaded = True

    async def start(self) -> None:
        """Load (unless done) and listen: no charger is checked against a state not read yet."""
        await self.load()
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()
        self.meter_intervals.close()
        self.local_lists.close()
        self.pricing.close()
        self.state.close()
        await self.state.store.save_now()

    @property
    def port(self) -> int:
        return self._server.port

    # ---- queries -----------------------------------------------------------

    @property
    def stations(self) -> dict[str, Station]:
        return self.state.stations

    def is_connected(self, station_id: str) -> bool:
        return station_id in self._sessions

    def recent_frames(self, station_id: str) -> list[tuple[float, str, str]]:
        """The charger's most recent frames, both directions, oldest first (kept across reconnects)."""
        frames = self._frames.get(station_id)
        return frames.entries() if frames is not None else []

    def frames_since(self, station_id: str, mark: int) -> tuple[int, list[tuple[float, str, str]]]:
        """(the new mark, the frames after `mark`): a reader that gives back the mark it got sees each frame
        once (those the ring of recent frames still holds); 0 the first time."""
        frames = self._frames.get(station_id)
        if frames is None:
            return 0, []
        # a log begun afresh (the station forgotten, then back) counts from 0 again
        return frames.added, frames.since(mark if mark <= frames.added else 0)

    async def forget_station(self, station_id: str) -> bool:
        """Remove everything kept about a station; False (nothing done) while it is connected."""
        if self.is_connected(station_id):
            return False
        self._forget(station_id)
        self.state.transactions.history.forget(station_id)
        await self.state.store.save_now()
        return True

    def _forget(self, station_id: str) -> None:
        self.state.forget(station_id)
        self._frames.pop(station_id, None)
        self.credentials.forget(station_id)
        self.limits.forget(station_id)
        self.local_lists.forget(station_id)
        self.pricing.forget(station_id)

    def _after_disconnect(self, station_id: str) -> None:
        """An id nobody accepted leaves nothing behind; a known charger keeps only its last frames."""
        station = self.state.stations.get(station_id)
        if station is not None and unregistered(station, self.credentials.has_password(station_id)):
            _LOGGER.debug("%s never registered: forgetting it", station_id)
            self._forget(station_id)
            self.state.store.save_soon()
            return
        frames = self._frames.get(station_id)
        if frames is not None:
            frames.resize(min(self.config.frame_log_size_offline, self.config.frame_log_size))

    def transactions(
        self, station_id: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Open and recent transactions, oldest start first, optionally of one station and meeting [since, until].

        Each: station_id, connector_id, transaction_id, id_tag, start_time (ISO), stop_time (ISO or None),
        meter_start_wh, meter_stop_wh, energy_wh, stop_reason, open (and total_cost, currency, tariff_id
        when an OCPP 2.1 station sent them).  For OCPP 2.x, connector_id is the EVSE and transaction_id
        the station's own.  A session priced by a tariff has its `cost` (features/pricing: total, currency,
        minor_units, the parts, final).  Naive bounds are taken as UTC.
        Ended transactions are kept up to `CentralSystemConfig.history_size`.
        """
        return self.state.transactions.query(station_id, since, until)

    async def update_settings(self, station_id: str, changes: dict[str, Any]) -> ChargerSettings:
        """Change what the user set for a charger (see ChargerSettings); saved at once.

        KeyError for an unknown station, InvalidSettings (naming the setting) for a bad value;
        announces SETTINGS_CHANGED with the names of the settings that really changed.
        """
        station = self.state.stations[station_id]
        updated = station.settings.with_changes(changes)
        changed = [name for name in changes if getattr(updated, name) != getattr(station.settings, name)]
        if not changed:
            return updated
        station.settings = updated
        await self.state.store.save_now()
        self.events.emit(Event(EventType.SETTINGS_CHANGED, station_id, data={"changed": changed}))
        return updated

    # ---- tags: each change is saved before it returns, and announced to the tag book's subscribers ----

    async def add_tag(self, record: TagRecord) -> TagRecord:
        """A new tag (TagError duplicate_tag, bad_…); the local lists follow."""
        added = self.tags.add(record)
        await self.state.store.save_now()
        return added

    async def update_tag(self, id_tag: str, changes: dict[str, Any]) -> TagRecord:
        """Change some fields of a tag (see TagBook.update; TagError unknown_tag, bad_…)."""
        updated = self.tags.update(id_tag, changes)
        await self.state.store.save_now()
        return updated

    async def remove_tags(self, id_tags: Iterable[str]) -> list[TagRecord]:
        """Remove tags, all or none (TagError unknown_tag names the first unknown one)."""
        removed = self.tags.remove(id_tags)
        await self.state.store.save_now()
        return removed

    def next_reservation_id(self) -> int:
        """A reservation id never handed out before, across restarts (for ReserveNow)."""
        return self.state.reservations.allocate_id()

    # ---- commands ----------------------------------------------------------

    def _session(self, station_id: str) -> ChargerSession:
        session = self._sessions.get(station_id)
        if session is None:
            raise NotConnected(station_id)
        return session

    async def call(self, station_id: str, action: str, payload: Payload, timeout: float | None = None) -> Payload:  # noqa: ASYNC109 - per-call OCPP timeout
        """Send any action to a charger (the payload in that charger's OCPP version)."""
        return await self._session(station_id).call(action, payload, timeout)

    def charger(self, station_id: str) -> Charger:
        """The version-neutral commands of a connected charger (features/charger.py); NotConnected if it is not."""
        return self._session(station_id).adapter.charger

    def capabilities(self, station: Station) -> Capabilities:
        """What the charger takes, from what it reported (a station never connected: 1.6's rules, nothing stated)."""
        return _CAPABILITIES.get(station.ocpp_version or OcppVersion.V16, v16_capabilities)(station)

    def v16(self, station_id: str) -> V16Commands:
        """The typed OCPP 1.6 operations of a connected 1.6 charger."""
        adapter = self._session(station_id).adapter
        if not isinstance(adapter, V16Adapter):
            raise UnsupportedVersion(f"{station_id} does not speak OCPP 1.6")
        return adapter.commands

    def v201(self, station_id: str) -> V201Commands:
        """The typed OCPP 2.0.1 operations of a connected 2.0.1 or 2.1 station (2.1 keeps their names)."""
        adapter = self._session(station_id).adapter
        if not isinstance(adapter, V201Adapter):
            raise UnsupportedVersion(f"{station_id} does not speak OCPP 2.0.1 or 2.1")
        return adapter.commands

    def next_remote_start_id(self) -> int:
        """A remoteStartId never handed out before, across restarts (for RequestStartTransaction)."""
        return self.state.store.allocate_id("remote_start")

    def next_request_id(self) -> int:
        """A requestId never handed out before, across restarts (GetBaseReport, GetReport, GetLog …)."""
        return self.state.store.allocate_id("request")

    async def accept_station(self, station_id: str) -> dict[str, Any] | None:
        """Accept a station (e.g. one answered Pending while it awaited the user's approval).

        The decision is kept (a later Pending from the boot policy does not undo it).  When the
        charger is connected it is asked to boot again (TriggerMessage BootNotification, in its
        OCPP version's form), so it
        becomes Accepted without reconnecting; returns the charger's answer to that, or None
        when it is not connected or did not answer (logged).  KeyError for an unknown station.
        """
        if station_id not in self.state.stations:
            raise KeyError(station_id)
        self.state.activity.set_registration(station_id, RegistrationStatus.ACCEPTED)
        session = self._sessions.get(station_id)
        if session is None:
            return None
        try:
            return await session.adapter.request_boot()
        except (CallError, CallTimeout, NotConnected) as err:
            _LOGGER.warning("%s accepted, but could not be asked to boot again (%s)", station_id, err)
            return None

    async def remote_start(self, station_id: str, connector_id: int | None, id_tag: str) -> dict[str, Any]:
        return dict((await self.charger(station_id).remote_start(RemoteStart(id_tag, connector_id))).raw)

    async def remote_stop(self, station_id: str, transaction_id: str) -> dict[str, Any]:
        return dict((await self.charger(station_id).remote_stop(transaction_id)).raw)

    # ---- connections -------------------------------------------------------

    async def _on_connection(self, station_id: str, version: OcppVersion, connection: ServerConnection) -> None:
        adapter_type = _ADAPTERS.get(version)
        if adapter_type is None:
            _LOGGER.warning("%s speaks %s, which this central system does not handle yet", station_id, version)
            await connection.close(1002, f"{version} not supported yet")
            return
        schemas = await self.schemas.get(version)
        frames = self._frames.setdefault(station_id, FrameLog(self.config.frame_log_size))
        frames.resize(self.config.frame_log_size)
        session = ChargerSession(
            station_id, connection, version, schemas, adapter_type, self.state, self.config, frames, self.throttles
        )
        previous = self._sessions.get(station_id)
        self._sessions[station_id] = session
        logs = self.state.logs  # a charger reconnecting in a loop is one line a few times a minute
        if previous is not None:
            logs.log(
                _LOGGER, logging.INFO, station_id, "%s connected again; closing its previous connection", station_id
            )
            # profile 0 only: with a password (or a certificate) the new connection proved who it is
            suspect = (
                takeover(
                    self.state.stations.get(station_id),
                    previous.remote,
                    previous.last_received,
                    peer_address(connection),
                )
                if self.config.security_profile == 0
                else None
            )
            await previous.close("replaced by a new connection")
            if suspect is not None:
                self.events.emit(Event(EventType.CONNECTION_REPLACED, station_id, data=suspect))
        logs.log(
            _LOGGER,
            logging.INFO,
            station_id,
            "%s connected (%s) from %s",
            station_id,
            version,
            connection.remote_address,
        )
        self.state.activity.set_connected(station_id, version, True)
        try:
            await session.serve()
        finally:
            if self._sessions.get(station_id) is session:
                del self._sessions[station_id]
                logs.log(_LOGGER, logging.INFO, station_id, "%s disconnected", station_id)
                self.state.activity.set_connected(station_id, None, False)
                self._after_disconnect(station_id)
