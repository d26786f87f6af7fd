"""OCPP Core: Home Assistant as a local OCPP central system for EV chargers."""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady, HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from .backend import EmbeddedCentral
from .const import (
    CONF_CAFILE,
    CONF_CERTFILE,
    CONF_HEARTBEAT_INTERVAL,
    CONF_HISTORY_SIZE,
    CONF_KEYFILE,
    CONF_LIMIT_INTERVAL,
    CONF_MAX_MESSAGE_RATE,
    CONF_METER_INTERVAL,
    CONF_REFUSE_CONCURRENT_TAGS,
    CONF_SECURITY_PROFILE,
    CONF_STRICT_VALIDATION,
    CONF_UNKNOWN_TAGS,
    CONFIG_VERSION,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_HISTORY_SIZE,
    DEFAULT_HOST,
    DEFAULT_LIMIT_INTERVAL,
    DEFAULT_MAX_MESSAGE_RATE,
    DEFAULT_UNKNOWN_TAGS,
    DOMAIN,
    TAGS_ACCEPT,
)
from .coordinator import (
    HaStorePersistence,
    OcppConfigEntry,
    admission,
    attach_runtime,
    boot_policy,
    default_id_tag,
    device_target,
)
from .csms import CentralSystemConfig, CentralSystemOptions, TlsSetupError
from .device_lookup import entry_ids
from .entry_updates import listen_for_updates
from .remote.setup import async_remove_remote_entry, async_setup_remote_entry, is_remote
from .repairs import raise_entry_issue
from .repairs.charger_issues import clear_charger_issues
from .repairs.configuration import ConfigurationIssues
from .services import async_setup_services
from .services.security import async_setup_security_services

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services once; they serve every config entry."""
    async_setup_services(hass)
    async_setup_security_services(hass)
    return True


def _central_config(entry: OcppConfigEntry) -> CentralSystemConfig:
    """What the entry's data fixes (where to listen, how chargers prove who they are); options: central_options."""
    return CentralSystemConfig(
        host=entry.data.get(CONF_HOST, DEFAULT_HOST),
        port=int(entry.data[CONF_PORT]),
        security_profile=int(entry.data.get(CONF_SECURITY_PROFILE, 0)),
        certfile=entry.data.get(CONF_CERTFILE),
        keyfile=entry.data.get(CONF_KEYFILE),
        cafile=entry.data.get(CONF_CAFILE),
    )


def central_options(entry: OcppConfigEntry, default_id_tag: str) -> CentralSystemOptions:
    """The entry's options as the central system takes them (the one place they are mapped)."""
    options = entry.options
    meter_interval = options.get(CONF_METER_INTERVAL)
    return CentralSystemOptions(
        heartbeat_interval=int(options.get(CONF_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_INTERVAL)),
        lenient=not options.get(CONF_STRICT_VALIDATION, False),
        limit_interval=float(options.get(CONF_LIMIT_INTERVAL, DEFAULT_LIMIT_INTERVAL)),
        max_message_rate=float(options.get(CONF_MAX_MESSAGE_RATE, DEFAULT_MAX_MESSAGE_RATE)),
        history_size=int(options.get(CONF_HISTORY_SIZE, DEFAULT_HISTORY_SIZE)),
        # None (not set): chargers without their own setting keep theirs
        meter_interval=None if meter_interval is None else int(meter_interval),
        accept_unknown_tags=options.get(CONF_UNKNOWN_TAGS, DEFAULT_UNKNOWN_TAGS) == TAGS_ACCEPT,
        refuse_concurrent_tags=bool(options.get(CONF_REFUSE_CONCURRENT_TAGS, False)),
        # Home Assistant's own tag: accepted only for the remote starts asked with it
        remote_only_tags=(default_id_tag,),
    )


async def async_migrate_entry(hass: HomeAssistant, entry: OcppConfigEntry) -> bool:
    """Unique ids and device identifiers of version 1 get scoped by the entry (async_migrate)."""
    return await async_migrate(hass, entry)


async def async_setup_entry(hass: HomeAssistant, entry: OcppConfigEntry) -> bool:
    """Start the central system of this entry and its platforms (remote mode: remote/setup.py)."""
    if is_remote(entry):
        return await async_setup_remote_entry(hass, entry, PLATFORMS)
    config = _central_config(entry)
    config.time_zone = hass.config.time_zone  # the tariffs' times of day are the site's
    config.boot_policy = boot_policy(hass, entry)
    config.admission = admission(entry)
    central = EmbeddedCentral(config, HaStorePersistence(hass, entry.entry_id))
    central.apply_options(central_options(entry, default_id_tag(entry)))
    attach_runtime(hass, entry, central)
    issue_id = f"port_in_use_{entry.entry_id}"
    try:
        await central.start()
    except OSError as err:
        raise_entry_issue(hass, issue_id, "port_in_use", {"port": str(entry.data[CONF_PORT]), "error": str(err)})
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="port_unavailable",
            translation_placeholders={"port": str(entry.data[CONF_PORT]), "error": str(err)},
        ) from err
    except TlsSetupError as err:  # a certificate, key or CA file moved or broke since it was set up
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="tls_unusable", translation_placeholders={"error": str(err)}
        ) from err

    ir.async_delete_issue(hass, DOMAIN, issue_id)

    async def _stop_on_shutdown(event: Event) -> None:
        # chargers see a clean close and reconnect to the next HA; open sessions are already stored
        await central.stop()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop_on_shutdown))
    for station_id in list(central.stations):  # remembered ones, and any that connected meanwhile
        entry.runtime_data.show(station_id)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    listen_for_updates(hass, entry, lambda entry: entry.data, _async_options_updated)
    return True


async def _async_options_updated(hass: HomeAssistant, entry: OcppConfigEntry) -> None:
    """Apply new options in place: chargers stay connected (new data reloads the entry: listen_for_updates)."""
    runtime = entry.runtime_data
    runtime.default_id_tag = default_id_tag(entry)
    central = runtime.embedded
    if central is None:  # (remote: the add-on's options are its own)
        return
    changed = central.apply_options(central_options(entry, runtime.default_id_tag))
    if "meter_interval" in changed:
        ConfigurationIssues(hass, entry.entry_id, runtime.central).default_changed()


async def async_unload_entry(hass: HomeAssistant, entry: OcppConfigEntry) -> bool:
    """Stop the platforms, then the server (closing every charger's socket)."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    central = entry.runtime_data.embedded
    if unloaded and central is not None:
        await central.stop()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: OcppConfigEntry) -> None:
    """Forget the stored stations and transactions of a removed central system."""
    if is_remote(entry):
        await async_remove_remote_entry(hass, entry.entry_id)
        return
    await HaStorePersistence(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(hass: HomeAssistant, entry: OcppConfigEntry, device: DeviceEntry) -> bool:
    """Removing a charger's device forgets the charger (its stored data and history, where the central system keeps
    them: the embedded one's store, or the add-on's); not while it is connected (a translated error says so)."""
    central = entry.runtime_data.central
    for domain, name in device.identifiers:
        found = device_target(entry.entry_id, name, central.stations) if domain == DOMAIN else None
        if found is None:
            continue
        station_id = found[0]
        if not await central.forget_station(station_id):
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="forget_connected",
                translation_placeholders={"charger": station_id},
            )
        clear_charger_issues(hass, entry.entry_id, station_id)
        entry.runtime_data.shown_connectors.pop(station_id, None)
    return True


# ---- config entry migrations ----
# Version 1 → 2: unique ids and device identifiers scoped by the config entry.
# Version 1 named a charger's entities "<charger>_<connector>_<key>" and its
# devices "<charger>" / "<charger>:<connector>", so the same charger id on two
# central systems (ports) collided.  The registry entries are renamed in place:
# entity ids, names the user gave, areas and history stay.

_LOGGER = logging.getLogger(__name__)


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
        others = entry_ids(device) - {entry_id}  # (from 2026.8 none: Home Assistant split shared devices)
        if any(name.startswith(f"{other}:") for name in names for other in others):
            # a charger that moved between ports shared one device; another entry already took it,
            # this one gets a device of its own when the charger's entities are set up
            devices.async_update_device(device.id, remove_config_entry_id=entry_id)
            continue
        identifiers = {
            (domain, f"{device_scope}{name}" if domain == DOMAIN else name) for domain, name in device.identifiers
        }
        devices.async_update_device(device.id, new_identifiers=identifiers)
