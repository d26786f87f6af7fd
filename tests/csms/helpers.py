"""A bare OCPP-J client over a real WebSocket, for frames no well-behaved library would send."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection


class RawCharger:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def connect(cls, url: str, cp_id: str, protocols: list[str] | None = None) -> RawCharger:
        ws = await websockets.connect(f"{url}/{cp_id}", subprotocols=protocols or ["ocpp1.6"])  # type: ignore[arg-type]
        return cls(ws)

    async def send_raw(self, text: str | bytes) -> Any:
        await self.ws.send(text)
        return json.loads(await asyncio.wait_for(self.ws.recv(), 5))

    async def call(self, action: str, payload: dict[str, Any], message_id: str = "m1") -> Any:
        return await self.send_raw(json.dumps([2, message_id, action, payload]))

    async def close(self) -> None:
        await self.ws.close()


BOOT = {"chargePointVendor": "Test", "chargePointModel": "Raw"}
