"""Finding and linking this integration's devices the same way on every Home Assistant we support.

Home Assistant 2026.8 made a device belong to one config entry, with identifiers unique within that entry only,
and deprecated what assumed otherwise (a warning in the log until 2027.8): `async_get_device`,
`DeviceEntry.config_entries` and `via_device`.  Where the replacement exists it is used; before 2026.8 (down to
our floor, 2025.1) the old calls are the only ones, and nothing deprecates them there.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, cast

from homeassistant.helpers import device_registry as dr

# 2026.8 and later: a device's parent is named by its device id (identifiers no longer name one device)
_PARENT_BY_ID = "via_device_id" in inspect.signature(dr.DeviceRegistry.async_get_or_create).parameters

ScopedLookup = Callable[[tuple[str, str], str], dr.DeviceEntry | None]


def device_by_identifier(
    registry: dr.DeviceRegistry, identifier: tuple[str, str], entry_id: str
) -> dr.DeviceEntry | None:
    """The entry's device with this identifier (ours are scoped by the entry id, so either look-up finds one)."""
    scoped = getattr(registry, "async_get_device_by_identifier", None)  # 2026.8 and later
    if scoped is not None:
        return cast(ScopedLookup, scoped)(identifier, entry_id)
    return registry.async_get_device(identifiers={identifier})


def entry_ids(device: dr.DeviceEntry) -> set[str]:
    """The config entries a device belongs to: its one from 2026.8, any number before."""
    entry_id = getattr(device, "config_entry_id", None)  # 2026.8 and later
    return {entry_id} if isinstance(entry_id, str) else set(device.config_entries)


def parent_link(registry: dr.DeviceRegistry, parent: tuple[str, str], entry_id: str) -> dict[str, Any]:
    """The keyword linking a device to its parent (a connector's to its charger's), as `async_get_or_create` and
    `DeviceInfo` take it: the parent's device id from 2026.8 (no link while it does not exist yet), else its
    identifier."""
    if not _PARENT_BY_ID:
        return {"via_device": parent}
    device = device_by_identifier(registry, parent, entry_id)
    return {} if device is None else {"via_device_id": device.id}
