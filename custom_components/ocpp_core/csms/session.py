"""One live charger connection: its RPC endpoint, its version adapter, its socket."""

from __future__ import annotations

import logging

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from .adapter import VersionAdapter
from .config import CentralSystemConfig
from .framelog import FrameLog
from .rpc import Payload, RpcEndpoint
from .rpc_types import OcppVersion
from .state import CentralState
from .validation import SchemaSet

_LOGGER = logging.getLogger(__name__)


class ChargerSession:
    def __init__(
        self,
        station_id: str,
        connection: ServerConnection,
        version: OcppVersion,
        schemas: SchemaSet,
        adapter_type: type[VersionAdapter],
        state: CentralState,
        config: CentralSystemConfig,
        frames: FrameLog,
    ) -> None:
        self.station_id = station_id
        self.connection = connection
        self.frames = frames
        self.adapter = adapter_type(station_id, state, self.call, config)
        self.rpc = RpcEndpoint(station_id, version, schemas, self.send, self.adapter.handler, config)

    async def send(self, text: str) -> None:
        self.frames.add(False, text)
        try:
            await self.connection.send(text)
        except ConnectionClosed as err:
            raise ConnectionError(str(err)) from err

    async def call(self, action: str, payload: Payload, timeout: float | None = None) -> Payload:  # noqa: ASYNC109 - per-call OCPP timeout
        """Every call to the charger, typed or raw: the adapter learns from the answer."""
        self.adapter.before_call(action, payload)
        answer = await self.rpc.call(action, payload, timeout)
        self.adapter.record_answer(action, payload, answer)
        return answer

    async def serve(self) -> None:
        """Receive until the socket closes."""
        try:
            async for raw in self.connection:
                self.frames.add(True, raw)
                await self.rpc.receive(raw)
        except ConnectionClosed:
            pass
        finally:
            self.rpc.close()
            self.adapter.close()

    async def close(self, reason: str) -> None:
        self.rpc.close()
        self.adapter.close()
        await self.connection.close(1000, reason[:120])
