"""Helpers for the Home Assistant side tests."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from homeassistant.core import HomeAssistant


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def until(hass: HomeAssistant, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let Home Assistant run until `predicate` holds (bounded)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()


def state(hass: HomeAssistant, entity_id: str) -> str | None:
    current = hass.states.get(entity_id)
    return current.state if current else None


# the tests that are not about admission let every charger in
ACCEPT_ALL = {"unknown_chargers": "accept"}
