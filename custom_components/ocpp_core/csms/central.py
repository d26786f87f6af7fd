"""The central system: the WebSocket server, the sessions, the domain state and commands."""

from __future__ import annotations

import logging
from typing import Any

from websockets.asyncio.server import ServerConnection

from .adapter import VersionAdapter
from .config import CentralSystemConfig
from .events import EventBus
from .model import Station
from .persistence import MemoryPersistence, Persistence
from .rpc import Payload
from .rpc_types import NotConnected, OcppVersion
from .server import OcppServer
from .session import ChargerSession
from .state import CentralState
from .v16.adapter import V16Adapter
from .v16.commands import V16Commands
from .validation import SchemaRegistry

_LOGGER = logging.getLogger(__name__)

_ADAPTERS: dict[OcppVersion, type[VersionAdapter]] = {
    OcppVersion.V16: V16Adapter,
}


class UnsupportedVersion(NotImplementedError):
    """The charger speaks an OCPP version whose adapter is not there yet."""


class CentralSystem:
    """An OCPP central system, usable with or without Home Assistant."""

    def __init__(self, config: CentralSystemConfig | None = None, persistence: Persistence | None = None) -> None:
        self.config = config or CentralSystemConfig()
        self.events = EventBus()
        self.state = CentralState(persistence or MemoryPersistence(), self.events)
        self.schemas = SchemaRegistry()
        self._server = OcppServer(self.config, self._on_connection, tuple(_ADAPTERS))
        self._sessions: dict[str, ChargerSession] = {}

    # ---- life cycle --------------------------------------------------------

    async def start(self) -> None:
        await self.state.load()
        await self.schemas.get(OcppVersion.V16)
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()
        await self.state.save_now()

    @property
    def port(self) -> int:
        return self._server.port

    # ---- queries -----------------------------------------------------------

    @property
    def stations(self) -> dict[str, Station]:
        return self.state.stations

    def is_connected(self, station_id: str) -> bool:
        return station_id in self._sessions

    # ---- commands ----------------------------------------------------------

    def _session(self, station_id: str) -> ChargerSession:
        session = self._sessions.get(station_id)
        if session is None:
            raise NotConnected(station_id)
        return session

    async def call(self, station_id: str, action: str, payload: Payload, timeout: float | None = None) -> Payload:  # noqa: ASYNC109 - per-call OCPP timeout
        """Send any action to a charger (the payload in that charger's OCPP version)."""
        return await self._session(station_id).rpc.call(action, payload, timeout)

    def v16(self, station_id: str) -> V16Commands:
        """The typed OCPP 1.6 operations of a connected 1.6 charger."""
        adapter = self._session(station_id).adapter
        if not isinstance(adapter, V16Adapter):
            raise UnsupportedVersion(f"{station_id} does not speak OCPP 1.6")
        return adapter.commands

    async def remote_start(self, station_id: str, connector_id: int | None, id_tag: str) -> dict[str, Any]:
        return await self._session(station_id).adapter.remote_start(connector_id, id_tag)

    async def remote_stop(self, station_id: str, transaction_id: str) -> dict[str, Any]:
        return await self._session(station_id).adapter.remote_stop(transaction_id)

    # ---- connections -------------------------------------------------------

    async def _on_connection(self, station_id: str, version: OcppVersion, connection: ServerConnection) -> None:
        adapter_type = _ADAPTERS.get(version)
        if adapter_type is None:
            _LOGGER.warning("%s speaks %s, which this central system does not handle yet", station_id, version)
            await connection.close(1002, f"{version} not supported yet")
            return
        schemas = await self.schemas.get(version)
        session = ChargerSession(station_id, connection, version, schemas, adapter_type, self.state, self.config)
        previous = self._sessions.get(station_id)
        self._sessions[station_id] = session
        if previous is not None:
            _LOGGER.info("%s connected again; closing its previous connection", station_id)
            await previous.close("replaced by a new connection")
        _LOGGER.info("%s connected (%s) from %s", station_id, version, connection.remote_address)
        self.state.set_connected(station_id, version, True)
        try:
            await session.serve()
        finally:
            if self._sessions.get(station_id) is session:
                del self._sessions[station_id]
                _LOGGER.info("%s disconnected", station_id)
                self.state.set_connected(station_id, None, False)
