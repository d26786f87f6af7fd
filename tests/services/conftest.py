"""Fixtures and helpers of the service tests: an entry, simulated chargers, a call helper."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from ocpp.v16 import call_result
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms.state.tags import TagRecord
from sim.charger16 import SimulatedChargePoint, connect
from sim.charger201 import Station as Station201

from ..helpers_ha import boot_station, find_device, until
from ..helpers_remote import ocpp_url

ROOT = Path(__file__).resolve().parent.parent.parent
COMPONENT = ROOT / "custom_components" / "ocpp_core"
OCPP_SCHEMAS = Path(call_result.__file__).parent / "schemas"

Open = Callable[..., Awaitable[SimulatedChargePoint]]
OpenStation = Callable[..., Awaitable[Station201]]


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None) -> None:
    """Load our integration from custom_components."""


@pytest.fixture
async def open_charger(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[Open]:
    """Connect and boot simulated chargers; all are closed after the test."""
    opened: list[tuple[asyncio.Task[None], Any]] = []

    async def open_(cp_id: str, connectors: int = 1, on: MockConfigEntry | None = None) -> SimulatedChargePoint:
        charger, task, ws = await connect(ocpp_url(on or entry), cp_id, connectors)
        opened.append((task, ws))
        await charger.boot()
        for connector_id in range(connectors + 1):
            await charger.send_status(connector_id, "Available")
        identifier = f"{cp_id}:{connectors}" if connectors >= 2 else cp_id
        await until(hass, lambda: device(hass, identifier, missing_ok=True) is not None)
        return charger

    yield open_
    for task, ws in opened:
        await ws.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def open_station(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[OpenStation]:
    """Connect and boot simulated OCPP 2.0.1 / 2.1 stations (inventory read, statuses sent); closed after the test."""
    opened: list[Station201] = []

    async def open_(cp_id: str, version: str = "2.0.1", evses: int = 1) -> Station201:
        station = await boot_station(hass, entry.runtime_data.central, cp_id, version, evses, ocpp_url(entry))
        opened.append(station)
        identifier = f"{cp_id}:{evses}" if evses >= 2 else cp_id
        await until(hass, lambda: device(hass, identifier, missing_ok=True) is not None)
        return station

    yield open_
    for station in opened:
        await station.close()


async def settled(station: Station201) -> None:
    """Every follow-up message of the station sent and answered."""
    async with asyncio.timeout(5):
        await station.settle()


def device(hass: HomeAssistant, identifier: str, missing_ok: bool = False) -> str:
    found = find_device(hass, identifier)
    if found is None and missing_ok:
        return None  # type: ignore[return-value]
    assert found is not None, identifier
    return found.id


def answer(
    charger: SimulatedChargePoint,
    action: str,
    result: dict[str, Any] | None = None,
    *,
    delay: float = 0.0,
    fail: bool = False,
) -> list[dict[str, Any]]:
    """Make the simulated charger answer `action` with `result`; returns the requests it receives (snake_case)."""
    received: list[dict[str, Any]] = []

    async def handler(**request: Any) -> Any:
        received.append(request)
        if delay:
            await asyncio.sleep(delay)
        if fail:
            raise RuntimeError("the charger's handler broke")
        return getattr(call_result, action)(**(result or {}))

    charger.route_map[action] = {"_on_action": handler, "_skip_schema_validation": False}
    return received


async def call(hass: HomeAssistant, service: str, data: dict[str, Any], response: bool = True) -> Any:
    return await hass.services.async_call(DOMAIN, service, data, blocking=True, return_response=response)


# ---- every service, answered ---------------------------------------------------------------


@pytest.fixture
def known_2x_tags(entry: MockConfigEntry) -> None:
    """The tags the remote starts here use are known: a remote start with an unknown one is refused up front."""
    embedded = entry.runtime_data.embedded
    for id_tag in ("TAG-5", "TAG-9"):
        if embedded is not None:  # (the add-on accepts unknown tags)
            embedded.tags.add(TagRecord(id_tag))


def last_request(station: Station201, action: str) -> dict[str, Any]:
    sent = [payload for name, payload in station.requests if name == action]
    assert sent, f"the station received no {action}"
    return sent[-1]
