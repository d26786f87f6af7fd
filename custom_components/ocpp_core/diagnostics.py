"""Diagnostics: what the central system knows of each charger, secrets redacted.

Redacted: the values of configuration keys (1.6) and device-model variables
(2.x, also when a NotifyEvent reports them) whose names look secret; id tags
(a card's id is what the card authorizes with); the SIM card's ICCID and IMSI;
what a 2.x station reported about a customer; the certificate signing request.
The recent frames: those naming a secret keep only their envelope, id tags and
SIM identifiers in the others are masked.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .const import CONF_API_TOKEN, DOMAIN
from .coordinator import OcppConfigEntry, device_target
from .csms import CentralSystem, Station
from .remote.central import RemoteCentral

# station fields never shown, wherever they are
_REDACTED_FIELDS = {
    "certificate_signing_request",
    "id_tag",
    "parent_id_tag",
    "iccid",
    "imsi",
    "customer_information",
}
# parts of configuration key and variable names that mark a secret
_SECRET_WORDS = ("password", "secret", "private", "token", "masterpass", "credential", "passphrase")
_SECRET_ENDINGS = ("key", "pin", "psk")


def _secret(name: object) -> bool:
    """Names chargers use for secrets: AuthorizationKey (1.6 security profiles), BasicAuthPassword (2.x),
    private keys, master pass groups, PINs, passwords and vendor keys."""
    if not isinstance(name, str):
        return False
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS) or lowered.endswith(_SECRET_ENDINGS)


def _secret_variable(entry: dict[str, Any]) -> bool:
    variable = entry.get("variable")
    return isinstance(variable, dict) and (_secret(variable.get("name")) or _secret(variable.get("instance")))


def _device_model(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """reportData entries, the attribute values of secret variables redacted."""
    return [
        {
            **entry,
            "variableAttribute": [
                {**attribute, "value": REDACTED} if "value" in attribute else attribute
                for attribute in entry.get("variableAttribute") or ()
            ],
        }
        if _secret_variable(entry)
        else entry
        for entry in entries
    ]


def _v2(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **data,
        "device_model": _device_model(data.get("device_model") or []),
        "device_events": [
            {**event, "actual_value": REDACTED} if _secret_variable(event) and "actual_value" in event else event
            for event in data.get("device_events") or ()
        ],
    }


def _station(central: CentralSystem | RemoteCentral, station: Station) -> dict[str, Any]:
    """A charger as the central system knows it: csms's own Station (remote: the mirror of the add-on's)."""
    data = station.to_dict()
    configuration = data.get("configuration") or {}
    data["configuration"] = {
        key: ({**entry, "value": REDACTED} if _secret(key) else entry) for key, entry in configuration.items()
    }
    if data.get("v2") is not None:
        data["v2"] = _v2(data["v2"])
    data["connected"] = central.is_connected(station.station_id)
    if isinstance(central, CentralSystem):  # (the add-on's page shows these of its chargers: not mirrored)
        data["has_password"] = central.credentials.has_password(station.station_id)
        # the last local authorization list push (status, version, entries, when, why not), None before any
        data["local_list"] = central.local_lists.results.get(station.station_id)
    data["last_heartbeat"] = station.last_heartbeat.isoformat() if station.last_heartbeat else None
    data["status"] = station.status
    data["connector_status"] = {str(cid): c.status for cid, c in station.connectors.items()}
    if isinstance(central, CentralSystem):
        data["recent_frames"] = [
            {
                "time": datetime.fromtimestamp(when, UTC).isoformat(),
                "direction": direction,
                "frame": _redact_frame(text),
            }
            for when, direction, text in central.recent_frames(station.station_id)
        ]
    data["open_transactions"] = [
        c.transaction.to_dict() for c in station.connectors.values() if c.transaction is not None
    ]
    return async_redact_data(data, _REDACTED_FIELDS)


# frames naming a secret (configuration keys, device-model variables, certificates' private parts),
# and what a 2.x station reports about a customer
_SECRET_IN_FRAME = re.compile(
    r'(?i)password|authorizationkey|secret|privatekey|private_key|masterpass|\bpin\b|"NotifyCustomerInformation"'
)
# in the other frames: id tags (1.6 idTag / parentIdTag, 2.x idToken) and the SIM card's identifiers
_IDENTIFIER_IN_FRAME = re.compile(r'("(?:idTag|parentIdTag|idToken|iccid|imsi)"\s*:\s*)"(?:[^"\\]|\\.)*"')


def _redact_frame(text: str) -> str:
    """A frame that names a secret keeps its envelope only: [type, id, action] and no payload."""
    if not _SECRET_IN_FRAME.search(text):
        return _IDENTIFIER_IN_FRAME.sub(rf'\1"{REDACTED}"', text)
    head = text.split("{", 1)[0]
    return f"{head}{REDACTED}]"


def _entry(entry: OcppConfigEntry) -> dict[str, Any]:
    # the add-on's API token never shown (an embedded entry has none; one moved to the add-on has)
    return {"data": async_redact_data(dict(entry.data), {CONF_API_TOKEN}), "options": dict(entry.options)}


def _addon(central: RemoteCentral) -> dict[str, Any]:
    """The add-on an entry in remote mode follows: where, which version, how far its event stream was read."""
    return {
        "host": central.client.host,
        "port": central.client.port,
        "version": central.addon_version,
        "reachable": central.reachable,
        "caught_up": central.caught_up.is_set(),
        "stream": central.stream,
        "cursor": central.seq,
        # how often the stream could not go on from its cursor (the state read again, events perhaps missed)
        "reloads": central.reloads,
    }


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: OcppConfigEntry) -> dict[str, Any]:
    remote = entry.runtime_data.central
    if isinstance(remote, RemoteCentral):  # the add-on's central system, as the mirror holds it
        return {
            "entry": _entry(entry),
            "addon": _addon(remote),
            "stations": {station_id: _station(remote, station) for station_id, station in remote.stations.items()},
        }
    central = entry.runtime_data.embedded
    assert central is not None  # (not remote: an embedded entry's central system)
    return {
        "entry": _entry(entry),
        "config": {
            "heartbeat_interval": central.config.heartbeat_interval,
            "lenient": central.config.lenient,
            "call_timeout": central.config.call_timeout,
            "security_profile": central.config.security_profile,
            "max_frame_size": central.config.max_frame_size,
            "max_message_rate": central.config.max_message_rate,
            "max_pending_calls": central.config.max_pending_calls,
            # whether one is set, never the password nor its hash
            "password_for_new_chargers": central.credentials.has_new_charger_password,
        },
        "stations": {station_id: _station(central, station) for station_id, station in central.stations.items()},
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: OcppConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    central = entry.runtime_data.central
    if not isinstance(central, CentralSystem | RemoteCentral):
        return {}
    for domain, name in device.identifiers:
        found = device_target(entry.entry_id, name, central.stations) if domain == DOMAIN else None
        if found is not None:
            return _station(central, central.stations[found[0]])
    return {}
