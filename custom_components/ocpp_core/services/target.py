"""Which charger (and connector) a service call is for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from ..backend import CentralBackend
from ..const import DOMAIN
from ..coordinator import OcppConfigEntry, device_target
from ..csms import CentralSystem, Station, V16Commands, V201Commands
from ..device_lookup import entry_ids
from ..errors import validation_error
from .fields import ATTR_CONNECTOR_ID

# ---- targets -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """The charger a service call is for (and the connector, when a connector device was named)."""

    entry: OcppConfigEntry
    station_id: str
    device_connector: int | None

    @property
    def backend(self) -> CentralBackend:
        """The charger's central system, embedded or the add-on's."""
        return self.entry.runtime_data.central

    @property
    def central(self) -> CentralSystem:
        """The embedded central system: what the services' implementations run on (backend.run_service runs
        them only there; the add-on runs its own)."""
        central = self.entry.runtime_data.embedded
        if central is None:
            raise validation_error("remote_not_supported", charger=self.station_id)
        return central

    @property
    def station(self) -> Station:
        return self.backend.stations[self.station_id]

    def v16(self) -> V16Commands:
        return self.central.v16(self.station_id)

    def v201(self) -> V201Commands:
        """The 2.0.1 operations, for 2.0.1 and 2.1 chargers alike."""
        return self.central.v201(self.station_id)

    def named_connector(self, data: Mapping[str, Any]) -> int | None:
        """connector_id if given, else the connector device's number, else None."""
        explicit = data.get(ATTR_CONNECTOR_ID)
        return int(explicit) if explicit is not None else self.device_connector

    def connector(self, data: Mapping[str, Any], default: int = 1) -> int:
        """The named connector, else `default`."""
        named = self.named_connector(data)
        return default if named is None else named


@callback
def resolve_target(hass: HomeAssistant, device_id: str) -> Target:
    """device id → loaded config entry → station (and connector).

    A device belongs to one entry (its identifiers are scoped by it); should one
    name a charger of several, the entry it is connected to wins.
    """
    device = dr.async_get(hass).async_get(device_id)
    names = [value for domain, value in device.identifiers if domain == DOMAIN] if device is not None else []
    if device is None or not names:
        raise validation_error("device_not_found", device_id=device_id)
    found: list[Target] = []
    not_loaded = False
    for entry_id in entry_ids(device):
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            continue
        if entry.state is not ConfigEntryState.LOADED:
            not_loaded = True
            continue
        stations = entry.runtime_data.central.stations
        for name in names:
            if (named := device_target(entry_id, name, stations)) is not None:
                found.append(Target(entry, *named))
    if found:
        return next((target for target in found if target.backend.is_connected(target.station_id)), found[0])
    if not_loaded:
        raise validation_error("entry_not_loaded", device=device.name_by_user or device.name or device_id)
    raise validation_error("device_not_found", device_id=device_id)
