"""One live charger connection: its RPC endpoint, its version adapter, its socket."""

from __future__ import annotations

import logging

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from .adapter import VersionAdapter
from .rpc import Payload, RpcEndpoint

_LOGGER = logging.getLogger(__name__)


class ChargerSession:
    def __init__(self, station_id: str, connection: ServerConnection) -> None:
        self.station_id = station_id
        self.connection = connection
        # set by the central system right after construction (they need each other's methods)
        self.rpc: RpcEndpoint
        self.adapter: VersionAdapter

    async def send(self, text: str) -> None:
        try:
            await self.connection.send(text)
        except ConnectionClosed as err:
            raise ConnectionError(str(err)) from err

    async def call(self, action: str, payload: Payload) -> Payload:
        return await self.rpc.call(action, payload)

    async def serve(self) -> None:
        """Receive until the socket closes."""
        try:
            async for raw in self.connection:
                await self.rpc.receive(raw)
        except ConnectionClosed:
            pass
        finally:
            self.rpc.close()

    async def close(self, reason: str) -> None:
        self.rpc.close()
        await self.connection.close(1000, reason[:120])
