"""Helpers for the Home Assistant side tests."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from homeassistant import config_entries
from homeassistant.const import CONF_HOST, CONF_PORT, MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.ocpp_core.backend import CentralBackend
from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms import CentralSystem
from sim import charger201
from sim.charger16 import SimulatedChargePoint
from sim.charger16 import connect as connect16
from sim.charger201 import Station as Station201


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


def find_device(hass: HomeAssistant, name: str) -> dr.DeviceEntry | None:
    """Our device named `name` ("<charger>" or "<charger>:<connector>") in whichever entry it is.

    Identifiers are "<entry id>:<name>"; the tests that are about two entries look them up themselves.
    """
    for device in dr.async_get(hass).devices.values():
        if any(domain == DOMAIN and value.partition(":")[2] == name for domain, value in device.identifiers):
            return device
    return None


def device_entry(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry:
    """The device of a charger ("<id>") or of a connector ("<id>:<n>"); the test fails when there is none."""
    device = find_device(hass, identifier)
    assert device is not None, identifier
    return device


async def wait_device(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry:
    """The device, once Home Assistant has made it (bounded wait)."""
    await until(hass, lambda: find_device(hass, identifier) is not None)
    return device_entry(hass, identifier)


def state(hass: HomeAssistant, entity_id: str) -> str | None:
    current = hass.states.get(entity_id)
    return current.state if current else None


# the tests that are not about admission let every charger in
ACCEPT_ALL = {"unknown_chargers": "accept"}


async def add_entry(
    hass: HomeAssistant, *, data: dict[str, Any] | None = None, options: dict[str, Any] | None = None, **kwargs: Any
) -> MockConfigEntry:
    """A central system on 127.0.0.1 and a free port, set up; it lets every charger in unless `options` say else.

    `data` adds to (or overrides) host and port; `kwargs` go to MockConfigEntry (entry_id, title …).
    """
    kwargs.setdefault("title", "OCPP")
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port(), **(data or {})},
        options=dict(ACCEPT_ALL if options is None else options),
        **kwargs,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@asynccontextmanager
async def charger16(
    hass: HomeAssistant, entry: MockConfigEntry, cp_id: str = "wb"
) -> AsyncIterator[SimulatedChargePoint]:
    """A simulated OCPP 1.6 charger with one connector: booted, available in Home Assistant; closed after."""
    port = getattr(entry, "ocpp_port", None) or entry.data[CONF_PORT]  # (remote: the add-on's, helpers_remote.py)
    cp, task, ws = await connect16(f"ws://127.0.0.1:{port}", cp_id)
    try:
        await cp.boot()
        await cp.send_status(0, "Available")
        await cp.send_status(1, "Available")
        await until(hass, lambda: state(hass, f"sensor.{cp_id}_status") == "available")
        yield cp
        async with asyncio.timeout(5):
            await cp.settle()
    finally:
        await ws.close()
        task.cancel()


async def boot_station(
    hass: HomeAssistant,
    central: CentralSystem | CentralBackend,
    cp_id: str,
    version: str = "2.0.1",
    evses: int | dict[int, int] = 1,
    url: str | None = None,
) -> Station201:
    """A simulated OCPP 2.0.1 / 2.1 station: connected, booted, its inventory read, its statuses sent (`url`: where
    it connects, else the embedded central system's port)."""
    if url is None:
        assert isinstance(central, CentralSystem)
        url = f"ws://127.0.0.1:{central.port}"
    station = await charger201.connect(url, cp_id, version, evses)
    await station.boot()
    await until(
        hass,
        lambda: (
            (known := central.stations.get(cp_id)) is not None
            and (v2 := known.v2) is not None
            and v2.inventory_time is not None
        ),
        timeout=10,
    )
    async with asyncio.timeout(5):
        await station.settle()
    await station.send_all_statuses()
    return station


class PerVersionSnapshots(HomeAssistantSnapshotExtension):
    """Registry entries gain fields between HA releases: one snapshot folder per tested version."""

    @classmethod
    def dirname(cls, *, test_location: Any) -> str:
        return f"{super().dirname(test_location=test_location)}/ha{MAJOR_VERSION}.{MINOR_VERSION}"


_BACKEND_ID = re.compile(r"(?<=[\[-])(?:embedded|remote)(?:-|(?=\]))|-(?:embedded|remote)(?=\])")


class SameOnBothBackends(PerVersionSnapshots):
    """A test parametrised over the back ends (tests/helpers_remote.py) compares both with one snapshot, named
    as without the parameter: every entity the same whichever central system is behind it."""

    @classmethod
    def get_snapshot_name(cls, *, test_location: Any, index: Any = 0) -> str:
        name = super().get_snapshot_name(test_location=test_location, index=index)
        return _BACKEND_ID.sub("", name).replace("[]", "")


def assert_entities_match(hass: HomeAssistant, entries: list[er.RegistryEntry], snapshot: SnapshotAssertion) -> None:
    """Each entity's registry entry and state match their snapshots (a state that is a timestamp of now is not
    compared: the last heartbeat's, an event's)."""
    for reg_entry in entries:
        assert reg_entry == snapshot(name=f"{reg_entry.entity_id}-entry")
        current = hass.states.get(reg_entry.entity_id)
        if current is not None and (reg_entry.unique_id.endswith("last_heartbeat") or reg_entry.domain == "event"):
            continue  # a timestamp of now
        assert current == snapshot(name=f"{reg_entry.entity_id}-state")


async def embedded_form(hass: HomeAssistant) -> Any:
    """The config flow's first form for the central system in Home Assistant: the user step's menu, embedded chosen."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": config_entries.SOURCE_USER})
    assert result["type"] == "menu" and result["menu_options"] == ["embedded", "remote"]
    return await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "embedded"})
