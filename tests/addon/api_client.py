"""The add-on's API in-process: a real central system (the app's csms) and the API on 127.0.0.1, a real HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from ocpp_core_app.admin.central_options import CentralOptions
from ocpp_core_app.api import ApiServer
from ocpp_core_app.central_import import csms
from ocpp_core_app.store import RowStore

from sim.charger16 import connect as connect16
from tests.csms.support.helpers import wait_for

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Api:
    central: Any
    server: ApiServer
    http: aiohttp.ClientSession

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/api/v1"

    @property
    def ocpp_url(self) -> str:
        return f"ws://127.0.0.1:{self.central.port}"

    async def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        headers = kwargs.pop("headers", AUTH)
        async with self.http.request(method, self.base + path, json=body, headers=headers, **kwargs) as response:
            return response.status, await response.json()

    async def command(self, charger: str, name: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        return await self.request("POST", f"/chargers/{charger}/commands/{name}", body or {})


def client_session() -> aiohttp.ClientSession:
    """A client that resolves nothing (127.0.0.1 only): aiodns's resolver leaves a thread behind when closed,
    which the HA test harness counts as a leak."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver()))


@asynccontextmanager
async def running_api(
    call_timeout: float = 5.0,
    persistence: csms.Persistence | None = None,
    configured_options: dict[str, Any] | None = None,
    **options: Any,
) -> AsyncIterator[Api]:
    """The add-on's API on a central system (in memory, or on `persistence`: the add-on's store); with
    `configured_options` (the add-on's configuration of them) its options are the app's (admin/central_options.py:
    those set over the API kept in that store)."""
    config = csms.CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=call_timeout, heartbeat_interval=60)
    central = csms.CentralSystem(config, persistence or csms.MemoryPersistence())
    await central.start()
    if configured_options is not None:
        store = persistence if isinstance(persistence, RowStore) else None
        live = options["central_options"] = CentralOptions(central, store, configured_options, ())
        await live.load()
    server = ApiServer(central, TOKEN, "127.0.0.1", 0, **options)
    await server.start()
    try:
        async with client_session() as http:
            yield Api(central, server, http)
    finally:
        await server.stop()
        await central.stop()


async def charger16(api: Api, cp_id: str) -> Any:
    """A simulated 1.6 charger with two connectors at the add-on: booted, its configuration read, its
    statuses sent; (charger, its task, its socket)."""
    cp, task, ws = await connect16(api.ocpp_url, cp_id, connectors=2)
    await cp.boot()
    await wait_for(lambda: api.central.stations[cp_id].configuration_time is not None)
    await cp.send_all_statuses()
    return cp, task, ws
