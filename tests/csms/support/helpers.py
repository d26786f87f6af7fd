"""A bare OCPP-J client over a real WebSocket, for frames no well-behaved library would send."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from custom_components.ocpp_core.csms.transport.fastsend import KNOWN_WEBSOCKETS


class RawCharger:
    """Sends frames as given; CALLs from the central system (e.g. GetConfiguration after a boot)
    are kept in `server_calls` and answered with a NotImplemented CALLERROR, as a bare charger would."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.server_calls: list[list[Any]] = []

    @classmethod
    async def connect(cls, url: str, cp_id: str, protocols: list[str] | None = None) -> RawCharger:
        ws = await websockets.connect(f"{url}/{cp_id}", subprotocols=protocols or ["ocpp1.6"])  # type: ignore[arg-type]
        return cls(ws)

    async def send_raw(self, text: str | bytes) -> Any:
        """Send one frame; return the first frame back that is not a CALL of the central system."""
        await self.ws.send(text)
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
            if not (isinstance(frame, list) and frame and frame[0] == 2):
                return frame
            self.server_calls.append(frame)
            await self.ws.send(json.dumps([4, frame[1], "NotImplemented", "raw test charger", {}]))

    async def call(self, action: str, payload: dict[str, Any], message_id: str = "m1") -> Any:
        return await self.send_raw(json.dumps([2, message_id, action, payload]))

    async def close(self) -> None:
        await self.ws.close()


BOOT = {"chargePointVendor": "Test", "chargePointModel": "Raw"}


async def wait_for(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll until `predicate()` is truthy (fails the test with TimeoutError otherwise)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


# the fast paths (transport/fastsend.py, fastrecv.py) read websockets 15.0.1's internals and step aside for any
# other release, which Home Assistant may ship instead: their tests of the fast path itself run on 15.0.1 only
only_with_known_websockets = pytest.mark.skipif(
    not KNOWN_WEBSOCKETS, reason="the fast paths are for websockets 15.0.1; another release goes through websockets"
)
