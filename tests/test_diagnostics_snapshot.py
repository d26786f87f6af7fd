"""Diagnostics as a whole, per entry and per device, for a 1.6 and a 2.0.1 charger, on the embedded central
system and on the add-on's (remote: what the mirror holds, the add-on's version and stream cursor, the API
token redacted): a changed or newly leaking field shows up in review.  Times, message ids, the ports and the
stream's id change from run to run: replaced by placeholders (the shape, every key and every other value stay)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from homeassistant.const import CONF_PORT
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.ocpp_core.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from sim.charger16 import connect

from .helpers_ha import PerVersionSnapshots, boot_station, find_device, until
from .helpers_remote import TOKEN, both_backends, ocpp_port, ocpp_url, settled

_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
# the remote entry's stream id and cursor (how many events the add-on numbered so far)
_RUN_KEYS = frozenset({"stream", "cursor"})
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def entry_args() -> dict[str, Any]:
    return {"entry_id": "diagnostics-entry"}


def stable(value: Any, *ports: int) -> Any:
    """The diagnostics with what changes between runs replaced: times, message ids, the ports, the stream's id."""
    if isinstance(value, dict):
        return {key: f"<{key}>" if key in _RUN_KEYS else stable(item, *ports) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [stable(item, *ports) for item in value]
    if isinstance(value, str):
        return _UUID.sub("<message id>", _TIME.sub("<time>", value))
    if value in ports and not isinstance(value, bool):
        return "<port>"
    return value


@both_backends
async def test_diagnostics_snapshot(
    hass: HomeAssistant, backend: str, entry: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    snapshot = snapshot.use_extension(PerVersionSnapshots)
    central = entry.runtime_data.central
    ports = (entry.data[CONF_PORT], ocpp_port(entry))

    # a 1.6 charger: booted, its configuration read, one session ended (embedded: a setting made)
    cp, task, ws = await connect(ocpp_url(entry), "wallbox16")
    await cp.boot(vendor="ACME", model="Wallbox 11")
    await until(hass, lambda: central.stations["wallbox16"].configuration_time is not None)
    await cp.send_status(0, "Available")
    await cp.send_status(1, "Available")
    await cp.authorize("TAG-1")
    await cp.start_transaction(1, "TAG-1")
    await cp.send_meter_values(1, seconds=600)
    await cp.stop_transaction(1, reason="EVDisconnected")
    if entry.runtime_data.embedded is not None:  # (the add-on's settings: its own pages)
        await central.update_settings("wallbox16", {"friendly_name": "Garage", "max_current": 16, "phases": 3})

    # a 2.0.1 station with two EVSEs, its inventory read, a session running
    station = await boot_station(hass, central, "station201", evses=2, url=ocpp_url(entry))
    await station.start_transaction(2, "CARD-4711")
    async with asyncio.timeout(5):
        await station.settle()
    await settled(hass, entry)  # remote: the mirror has what the add-on sent

    shown_entry = await async_get_config_entry_diagnostics(hass, entry)
    assert TOKEN not in str(shown_entry)
    assert stable(shown_entry, *ports) == snapshot(name="entry")
    for identifier in ("wallbox16", "station201:2"):
        device = find_device(hass, identifier)
        assert device is not None, identifier
        shown = await async_get_device_diagnostics(hass, entry, device)
        assert stable(shown, *ports) == snapshot(name=f"device-{identifier}")

    await station.close()
    await ws.close()
    task.cancel()
