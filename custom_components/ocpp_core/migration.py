"""Config entry migrations.

Version 1 → 2: unique ids and device identifiers scoped by the config entry.
Version 1 named a charger's entities "<charger>_<connector>_<key>" and its
devices "<charger>" / "<charger>:<connector>", so the same charger id on two
central systems (ports) collided.  The registry entries are renamed in place:
entity ids, names the user gave, areas and history stay.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

CONFIG_VERSION = 2


async def async_migrate(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring an entry of an older version up to CONFIG_VERSION; False for one from a newer release."""
    if entry.version > CONFIG_VERSION:
        return False  # a downgrade: this release cannot read what a newer one wrote
    if entry.version == 1:
        await _scope_by_entry(hass, entry.entry_id)
        hass.config_entries.async_update_entry(entry, version=2)
        _LOGGER.debug("Entry %s: unique ids and device identifiers scoped by the entry", entry.entry_id)
    return True


async def _scope_by_entry(hass: HomeAssistant, entry_id: str) -> None:
    entity_scope, device_scope = f"{entry_id}_", f"{entry_id}:"

    def scoped(entity: er.RegistryEntry) -> dict[str, Any] | None:
        if entity.unique_id.startswith(entity_scope):
            return None
        return {"new_unique_id": entity_scope + entity.unique_id}

    await er.async_migrate_entries(hass, entry_id, scoped)

    devices = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(devices, entry_id):
        names = [name for domain, name in device.identifiers if domain == DOMAIN]
        if not names or all(name.startswith(device_scope) for name in names):
            continue
        others = [other for other in device.config_entries if other != entry_id]
        if any(name.startswith(f"{other}:") for name in names for other in others):
            # a charger that moved between ports shared one device; another entry already took it,
            # this one gets a device of its own when the charger's entities are set up
            devices.async_update_device(device.id, remove_config_entry_id=entry_id)
            continue
        identifiers = {
            (domain, f"{device_scope}{name}" if domain == DOMAIN else name) for domain, name in device.identifiers
        }
        devices.async_update_device(device.id, new_identifiers=identifiers)
