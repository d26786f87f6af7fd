"""Whether a Home Assistant user (behind ingress) is an admin.

Ingress passes X-Remote-User-Id, X-Remote-User-Name and X-Remote-User-Display-Name, but no admin flag. The
documented way to learn it: ask Home Assistant Core through the Supervisor's proxy (`homeassistant_api: true`,
ws://supervisor/core/websocket with SUPERVISOR_TOKEN) for its users (`config/auth/list`): an admin is a member of
the `system-admin` group (the owner is one too). Answers are kept a minute; when Core cannot be asked, the user is
no admin (the safe side) and the log says why, once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp

_LOGGER = logging.getLogger(__name__)
ADMIN_GROUP = "system-admin"
CACHE_SECONDS = 60.0
DEFAULT_URL = "ws://supervisor/core/websocket"
# how long a page may wait for Core's answer (once a minute at most)
TIMEOUT = 5.0


class HaRoles:
    def __init__(self, url: str, token: str | None) -> None:
        self.url = url
        self.token = token
        self._admins: frozenset[str] = frozenset()
        self._fetched = float("-inf")
        self._lock = asyncio.Lock()
        self._warned = False

    async def is_admin(self, user_id: str) -> bool:
        async with self._lock:
            if time.monotonic() - self._fetched > CACHE_SECONDS:
                self._admins = await self._fetch()
                self._fetched = time.monotonic()
        return user_id in self._admins

    async def _fetch(self) -> frozenset[str]:
        if not self.token:
            self._warn("no SUPERVISOR_TOKEN: every Home Assistant user is a plain user in the web UI")
            return frozenset()
        try:
            users = await asyncio.wait_for(self._users(), TIMEOUT)
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError, KeyError) as err:
            self._warn(f"cannot ask Home Assistant which users are admins ({err or type(err).__name__})")
            return frozenset()
        self._warned = False
        return frozenset(
            str(user["id"]) for user in users if ADMIN_GROUP in (user.get("group_ids") or ()) or user.get("is_owner")
        )

    async def _users(self) -> list[dict[str, Any]]:
        # the system's resolver (aiodns, where installed, would keep a thread of its own)
        connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
        async with aiohttp.ClientSession(connector=connector) as session, session.ws_connect(self.url) as ws:
            hello = await _receive(ws)
            if hello.get("type") != "auth_required":
                raise ValueError(f"unexpected greeting {hello.get('type')!r}")
            await ws.send_json({"type": "auth", "access_token": self.token})
            # the Supervisor's proxy checks the token itself and says auth_ok before it connects to Core: a Core it
            # cannot reach then closes the socket instead of answering
            answer = await _receive(ws)
            if answer.get("type") != "auth_ok":
                raise ValueError(f"authentication failed ({answer.get('type')})")
            await ws.send_json({"id": 1, "type": "config/auth/list"})
            result = await _receive(ws)
            if result.get("id") != 1 or not result.get("success"):
                raise ValueError(f"config/auth/list failed: {result.get('error')}")
            users: list[dict[str, Any]] = result["result"]
            return users

    def _warn(self, message: str) -> None:
        if not self._warned:
            _LOGGER.warning("Web UI: %s", message)
            self._warned = True


async def _receive(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    """The next JSON object; a close (or any frame but text) is a ConnectionError, not aiohttp's TypeError."""
    message = await ws.receive()
    if message.type != aiohttp.WSMsgType.TEXT:
        raise ConnectionError(f"Home Assistant's WebSocket closed ({message.type.name})")
    data = json.loads(message.data)
    if not isinstance(data, dict):
        raise ValueError("unexpected answer")
    return data
