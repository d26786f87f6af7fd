"""Security profile 1 under attack: guesses sent all at once are counted when they start (not when their
slow password check ends), and a request with two Authorization headers is refused and counted, not a 500."""

from __future__ import annotations

import asyncio
import base64
import socket
from typing import Any

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, Event, EventType, MemoryPersistence

PASSWORD = "correct-horse-battery"


@pytest.fixture
def central_config() -> CentralSystemConfig:
    return CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, security_profile=1)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def _attempt(url: str, cp_id: str, headers: list[tuple[str, str]]) -> int:
    """The HTTP status of one opening handshake (101: in, and closed again at once)."""
    try:
        ws = await websockets.connect(
            f"{url}/{cp_id}",
            subprotocols=["ocpp1.6"],
            additional_headers=headers,
            open_timeout=60,  # type: ignore[list-item]
        )
    except InvalidStatus as refused:
        return refused.response.status_code
    await ws.close()
    return 101


async def test_simultaneous_guesses_are_counted_when_they_start(central: CentralSystem, url: str) -> None:
    """200 guesses at once from one address, the right one last: only `auth_failure_limit` are checked."""
    await central.credentials.set_password("CP1", PASSWORD)
    guesses = [f"guess-number-{n:03d}" for n in range(199)] + [PASSWORD]
    statuses = await asyncio.gather(
        *(_attempt(url, "CP1", [("Authorization", _basic("CP1", guess))]) for guess in guesses)
    )
    limit = central.config.auth_failure_limit
    assert statuses.count(401) == limit  # checked, and wrong
    assert statuses.count(429) == len(guesses) - limit  # never checked
    assert statuses[-1] == 429  # the right password, too late: the address had guessed enough
    assert central.credentials.failures("CP1") == limit
    assert not central.is_connected("CP1")


async def test_chargers_behind_one_address_connecting_together_all_get_in(
    central_config: CentralSystemConfig, central: CentralSystem, url: str
) -> None:
    """More chargers than the failure limit, behind one router, after a restart (no password known
    good yet): they wait their turn rather than being refused."""
    central.throttles.refused.limit = 3
    ids = [f"CP{n}" for n in range(12)]
    for cp_id in ids:
        await central.credentials.set_password(cp_id, f"{PASSWORD}-{cp_id}")
    statuses = await asyncio.gather(
        *(_attempt(url, cp_id, [("Authorization", _basic(cp_id, f"{PASSWORD}-{cp_id}"))]) for cp_id in ids)
    )
    assert statuses == [101] * len(ids)


async def test_two_authorization_headers_are_refused_and_counted(central: CentralSystem, url: str) -> None:
    await central.credentials.set_password("CP1", PASSWORD)
    seen: list[Event] = []
    central.events.subscribe(seen.append)
    central.throttles.refused.limit = 2
    twice: list[tuple[str, str]] = [("Authorization", _basic("CP1", PASSWORD)), ("Authorization", _basic("CP1", "x"))]
    assert await _attempt(url, "CP1", twice) == 401
    failures: list[dict[str, Any]] = [e.data for e in seen if e.type is EventType.AUTHENTICATION]
    assert [f["reason"] for f in failures] == ["malformed_credentials"]
    assert central.credentials.failures("CP1") == 1
    # it counted against the address: one more refusal and even the right password waits
    assert await _attempt(url, "CP1", twice) == 401
    assert await _attempt(url, "CP1", [("Authorization", _basic("CP1", PASSWORD))]) == 429


async def test_a_stored_password_is_known_from_the_first_connection(
    central_config: CentralSystemConfig, persistence: MemoryPersistence
) -> None:
    """As Home Assistant starts it: the stored state (passwords too) is read before the port opens."""
    first = CentralSystem(central_config, persistence)
    await first.start()
    await first.credentials.set_password("CP1", PASSWORD)
    await first.stop()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        central_config.port = sock.getsockname()[1]
    second = CentralSystem(central_config, persistence)
    starting = asyncio.create_task(second.start())
    status = None
    async with asyncio.timeout(30):
        while status is None:
            try:
                status = await _attempt(
                    f"ws://127.0.0.1:{central_config.port}", "CP1", [("Authorization", _basic("CP1", PASSWORD))]
                )
            except OSError:  # not listening yet
                await asyncio.sleep(0)
    await starting
    await second.stop()
    assert status == 101
