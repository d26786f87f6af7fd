"""OCPP Core: Home Assistant as a local OCPP central system for EV chargers."""

from __future__ import annotations

from homeassistant.const import CONF_HOST, CONF_PORT, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from .admission import admission, boot_policy, station_visible
from .auth_repairs import AuthRepairs
from .charger_issues import clear_charger_issues
from .config_flow_tags import apply_tag_options
from .configuration_issues import ConfigurationIssues
from .const import (
    CONF_CAFILE,
    CONF_CERTFILE,
    CONF_HEARTBEAT_INTERVAL,
    CONF_HISTORY_SIZE,
    CONF_KEYFILE,
    CONF_LIMIT_INTERVAL,
    CONF_MAX_MESSAGE_RATE,
    CONF_METER_INTERVAL,
    CONF_SECURITY_PROFILE,
    CONF_STRICT_VALIDATION,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_HISTORY_SIZE,
    DEFAULT_HOST,
    DEFAULT_LIMIT_INTERVAL,
    DEFAULT_MAX_MESSAGE_RATE,
    DOMAIN,
)
from .coordinator import EventBridge, OcppConfigEntry, OcppRuntimeData, default_id_tag, device_target
from .csms import CentralSystem, CentralSystemConfig, TlsSetupError
from .limit_repairs import LimitRepairs
from .migration import async_migrate
from .notify_events import AutomationEvents
from .services import async_setup_services
from .services.security import async_setup_security_services
from .storage_issues import StorageIssues
from .store import HaStorePersistence
from .takeover_repairs import TakeoverRepairs

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
    config = CentralSystemConfig(
        host=entry.data.get(CONF_HOST, DEFAULT_HOST),
        port=int(entry.data[CONF_PORT]),
        heartbeat_interval=int(entry.options.get(CONF_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_INTERVAL)),
        lenient=not entry.options.get(CONF_STRICT_VALIDATION, False),
        history_size=int(entry.options.get(CONF_HISTORY_SIZE, DEFAULT_HISTORY_SIZE)),
        limit_interval=float(entry.options.get(CONF_LIMIT_INTERVAL, DEFAULT_LIMIT_INTERVAL)),
        security_profile=int(entry.data.get(CONF_SECURITY_PROFILE, 0)),
        certfile=entry.data.get(CONF_CERTFILE),
        keyfile=entry.data.get(CONF_KEYFILE),
        cafile=entry.data.get(CONF_CAFILE),
    )
    config.set_message_rate(float(entry.options.get(CONF_MAX_MESSAGE_RATE, DEFAULT_MAX_MESSAGE_RATE)))
    return config


async def async_migrate_entry(hass: HomeAssistant, entry: OcppConfigEntry) -> bool:
    """Unique ids and device identifiers of version 1 get scoped by the entry (migration.py)."""
    return await async_migrate(hass, entry)


async def async_setup_entry(hass: HomeAssistant, entry: OcppConfigEntry) -> bool:
    """Start the central system of this entry and its platforms."""
    config = _central_config(entry)
    config.time_zone = hass.config.time_zone  # the tariffs' times of day are the site's
    config.boot_policy = boot_policy(hass, entry)
    config.admission = admission(entry)
    central = CentralSystem(config, HaStorePersistence(hass, entry.entry_id))
    entry.runtime_data = OcppRuntimeData(central, default_id_tag(entry), visible=station_visible(entry))
    apply_tag_options(entry, entry.runtime_data.default_id_tag)
    bridge = EventBridge(hass, entry)
    entry.async_on_unload(central.events.subscribe(bridge.handle))
    entry.async_on_unload(central.events.subscribe(AutomationEvents(hass, entry.entry_id, central).handle))
    # the repairs listen to their own few event types only, not to every meter value
    for repairs in (
        LimitRepairs(hass, entry.entry_id),
        AuthRepairs(hass, entry.entry_id),
        TakeoverRepairs(hass, entry.entry_id),
        ConfigurationIssues(hass, entry.entry_id, central),
        StorageIssues(hass, entry.entry_id, central),
    ):
        entry.async_on_unload(central.events.subscribe(repairs.handle, repairs.EVENTS))
    central.meter_intervals.set_default(meter_interval(entry))
    issue_id = f"port_in_use_{entry.entry_id}"
    try:
        await central.start()
    except OSError as err:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="port_in_use",
            translation_placeholders={"port": str(entry.data[CONF_PORT]), "error": str(err)},
        )
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
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_options_updated(hass: HomeAssistant, entry: OcppConfigEntry) -> None:
    """Apply new options in place: chargers stay connected."""
    runtime = entry.runtime_data
    new = _central_config(entry)
    runtime.central.config.heartbeat_interval = new.heartbeat_interval
    runtime.central.config.lenient = new.lenient
    runtime.central.config.limit_interval = new.limit_interval
    # read at every message: connected chargers get the new rate at once
    runtime.central.config.set_message_rate(new.max_message_rate)
    if new.history_size != runtime.central.config.history_size:
        runtime.central.config.history_size = new.history_size
        runtime.central.state.history.resize(new.history_size)
    runtime.default_id_tag = default_id_tag(entry)
    apply_tag_options(entry, runtime.default_id_tag)
    if meter_interval(entry) != runtime.central.meter_intervals.default:
        ConfigurationIssues(hass, entry.entry_id, runtime.central).default_changed()
        runtime.central.meter_intervals.set_default(meter_interval(entry))


def meter_interval(entry: OcppConfigEntry) -> int | None:
    """The meter interval for chargers without their own; None (not set): each keeps its own."""
    value = entry.options.get(CONF_METER_INTERVAL)
    return None if value is None else int(value)


async def async_unload_entry(hass: HomeAssistant, entry: OcppConfigEntry) -> bool:
    """Stop the platforms, then the server (closing every charger's socket)."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.central.stop()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: OcppConfigEntry) -> None:
    """Forget the stored stations and transactions of a removed central system."""
    await HaStorePersistence(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(hass: HomeAssistant, entry: OcppConfigEntry, device: DeviceEntry) -> bool:
    """Removing a charger's device forgets the charger (its stored data and history); not while it is connected."""
    central = entry.runtime_data.central
    for domain, name in device.identifiers:
        found = device_target(entry.entry_id, name, central.stations) if domain == DOMAIN else None
        if found is None:
            continue
        station_id = found[0]
        if not await central.forget_station(station_id):
            return False
        clear_charger_issues(hass, entry.entry_id, station_id)
        entry.runtime_data.shown_connectors.pop(station_id, None)
    return True
