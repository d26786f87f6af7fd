"""Diagnostics: what the central system knows of each charger, secrets redacted."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .const import DOMAIN
from .coordinator import OcppConfigEntry
from .csms import CentralSystem, Station

# station fields never shown
_REDACTED_FIELDS = {"certificate_signing_request"}


def _station(central: CentralSystem, station: Station) -> dict[str, Any]:
    data = station.to_dict()
    configuration = data.get("configuration") or {}
    data["configuration"] = {
        key: ({**entry, "value": "**REDACTED**"} if _secret(key) else entry) for key, entry in configuration.items()
    }
    data["connected"] = central.is_connected(station.station_id)
    data["last_heartbeat"] = station.last_heartbeat.isoformat() if station.last_heartbeat else None
    data["status"] = station.status
    data["connector_status"] = {str(cid): c.status for cid, c in station.connectors.items()}
    data["recent_frames"] = [
        {"time": datetime.fromtimestamp(when, UTC).isoformat(), "direction": direction, "frame": _redact_frame(text)}
        for when, direction, text in central.recent_frames(station.station_id)
    ]
    data["open_transactions"] = [
        c.transaction.to_dict() for c in station.connectors.values() if c.transaction is not None
    ]
    return async_redact_data(data, _REDACTED_FIELDS)


# frames naming a secret (configuration keys, device-model variables, certificates' private parts)
_SECRET_IN_FRAME = re.compile(r"(?i)password|authorizationkey|secret|privatekey|private_key|\bpin\b")


def _redact_frame(text: str) -> str:
    """A frame that names a secret keeps its envelope only: [type, id, action] and no payload."""
    if not _SECRET_IN_FRAME.search(text):
        return text
    head = text.split("{", 1)[0]
    return f"{head}**REDACTED**]"


def _secret(key: str) -> bool:
    """Configuration keys chargers use for secrets: AuthorizationKey (1.6 security profiles), passwords, vendor keys."""
    lowered = key.lower()
    return "password" in lowered or "secret" in lowered or lowered.endswith(("key", "pin"))


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: OcppConfigEntry) -> dict[str, Any]:
    central = entry.runtime_data.central
    return {
        "entry": {"data": dict(entry.data), "options": dict(entry.options)},
        "config": {
            "heartbeat_interval": central.config.heartbeat_interval,
            "lenient": central.config.lenient,
            "call_timeout": central.config.call_timeout,
        },
        "stations": {station_id: _station(central, station) for station_id, station in central.stations.items()},
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: OcppConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    central = entry.runtime_data.central
    for domain, name in device.identifiers:
        station_id = name.split(":", 1)[0] if domain == DOMAIN else None
        if station_id in central.stations:
            return _station(central, central.stations[station_id])
    return {}
