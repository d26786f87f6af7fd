"""Runtime data of a config entry: the central system and its bridge to Home Assistant.

There is no polling: the central system pushes events, and the bridge turns
them into dispatcher signals that wake exactly the entities concerned.  One
charger message often brings several events for the same connector (an OCPP
2.x TransactionEvent: readings, a new charging state, the update itself): the
bridge sends each station's and connector's signal once per turn of the event
loop, however many events asked for it.  A meter message that changed readings
alone (`Event.readings_only`) wakes only the entities that show readings
(`OcppEntity.shows_readings`): a status, a tag or a limit cannot have changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY, ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store

from .backend import CentralBackend
from .const import (
    CONF_DEFAULT_ID_TAG,
    CONF_UNKNOWN_CHARGERS,
    DEFAULT_ID_TAG,
    DEFAULT_UNKNOWN_CHARGERS,
    DOMAIN,
    POLICY_ACCEPT,
    POLICY_REJECT,
    SAVE_DELAY_SECONDS,
    STORAGE_VERSION,
)
from .csms import CentralSystem, Event, EventType, Persistence, RegistrationStatus, Station
from .device_lookup import device_by_identifier, parent_link

_LOGGER = logging.getLogger(__name__)

type OcppConfigEntry = ConfigEntry[OcppRuntimeData]


# Unique ids and device identifiers are scoped by the config entry: one entry per port, and the same
# charger id may connect to two of them (__init__.async_migrate moved the unscoped ones of version 1).


def station_device_id(entry_id: str, station_id: str) -> tuple[str, str]:
    return (DOMAIN, f"{entry_id}:{station_id}")


def connector_device_id(entry_id: str, station_id: str, connector_id: int) -> tuple[str, str]:
    return (DOMAIN, f"{entry_id}:{station_id}:{connector_id}")


def entity_unique_id(entry_id: str, station_id: str, connector_id: int | None, key: str) -> str:
    """The unique id of a station's (connector_id None or 0) or a connector's entity; `key` "": their prefix."""
    return f"{entry_id}_{station_id}_{connector_id or 0}_{key}"


def device_target(entry_id: str, name: str, stations: Container[str]) -> tuple[str, int | None] | None:
    """(station id, connector number or None) of one of this entry's device identifier names; None if not one."""
    scope = f"{entry_id}:"
    if not name.startswith(scope):
        return None
    name = name.removeprefix(scope)
    if name in stations:
        return name, None
    station_id, colon, number = name.rpartition(":")
    if colon and station_id in stations and number.isdigit():
        return station_id, int(number)
    return None


def has_connector_devices(station: Station) -> bool:
    """OCPP.Core's rule: a station with two or more connectors shows each one on its own."""
    return len(station.connectors) >= 2


def signal_update(entry_id: str, station_id: str, connector_id: int | None) -> str:
    return f"{DOMAIN}_{entry_id}_{station_id}_{connector_id or 0}"


def signal_readings(entry_id: str, station_id: str, connector_id: int | None) -> str:
    """The connector's meter readings alone changed: only the entities that show readings listen (see EventBridge)."""
    return f"{signal_update(entry_id, station_id, connector_id)}_readings"


def signal_evses(entry_id: str, station_id: str) -> str:
    """Any EVSE of an OCPP 2.x station changed (for what the station shows summed up from its EVSEs)."""
    return f"{DOMAIN}_{entry_id}_{station_id}_evses"


StationAdder = Callable[[str], None]
ConnectorAdder = Callable[[str, int], None]
VersionListener = Callable[[str], None]


def _everyone(station: Station) -> bool:
    return True


@dataclass
class OcppRuntimeData:
    """What every platform of one central system needs."""

    # the central system, embedded or the add-on's (backend.py): what the platforms read and call
    central: CentralBackend
    default_id_tag: str = DEFAULT_ID_TAG
    # which stations get devices and entities (not those awaiting the user's approval)
    visible: Callable[[Station], bool] = _everyone
    station_adders: list[StationAdder] = field(default_factory=list)
    connector_adders: list[ConnectorAdder] = field(default_factory=list)
    shown_connectors: dict[str, set[int]] = field(default_factory=dict)
    # whether each shown station's entities are those of OCPP 2.x, and who adds and removes the
    # entities of one version only when a charger comes back speaking the other (firmware update)
    shown_v2: dict[str, bool] = field(default_factory=dict)
    version_listeners: list[VersionListener] = field(default_factory=list)

    @property
    def embedded(self) -> CentralSystem | None:
        """The central system itself when it runs here (what only it has: options, tags, passwords, pricing)."""
        central = self.central
        return central if isinstance(central, CentralSystem) else None

    def track_stations(self, add_station: StationAdder, add_connector: ConnectorAdder) -> None:
        """Call the adders for every shown station and connector, now and as they appear."""
        self.station_adders.append(add_station)
        self.connector_adders.append(add_connector)
        for station_id, connectors in self.shown_connectors.items():
            add_station(station_id)
            for connector_id in sorted(connectors):
                add_connector(station_id, connector_id)

    def show(self, station_id: str) -> bool:
        """Give a visible station (and its connectors) its entities, once; False while it stays hidden.

        Not before its OCPP version is known (a station is first seen a moment before that): which
        entities it gets depends on it.
        """
        station = self.central.stations[station_id]
        if station.ocpp_version is None or not self.visible(station):
            return False
        shown = self.shown_connectors.get(station_id)
        v2 = station.is_v2
        if shown is None:
            shown = self.shown_connectors[station_id] = set()
            self.shown_v2[station_id] = v2
            for add_station in self.station_adders:
                add_station(station_id)
        elif self.shown_v2.get(station_id) != v2:
            self.shown_v2[station_id] = v2
            for listener in self.version_listeners:
                listener(station_id)
        for connector_id in sorted(station.connectors):
            if connector_id not in shown:
                shown.add(connector_id)
                for add_connector in self.connector_adders:
                    add_connector(station_id, connector_id)
        return True


# events that change what a connector (EVSE) shows: its signal
_CONNECTOR_EVENTS = frozenset(
    {
        EventType.CONNECTOR_UPDATED,
        EventType.TRANSACTION_STARTED,
        EventType.TRANSACTION_UPDATED,
        EventType.TRANSACTION_ENDED,
        EventType.RESERVATION,  # connector 0 (any connector) is the station itself
        EventType.EV_CHARGING_NEEDS,
    }
)
# events that change what the station shows: its signal.  Monitors, charging profiles, display
# messages, customer information, certificate requests and 2.1 event streams show nowhere (yet).
_STATION_EVENTS = frozenset(
    {
        EventType.STATION_UPDATED,
        EventType.CONFIGURATION,
        EventType.FIRMWARE_STATUS,
        EventType.DIAGNOSTICS_STATUS,
        EventType.LOG_STATUS,
        EventType.SECURITY_EVENT,
        EventType.DEVICE_MODEL,
        EventType.DEVICE_EVENT,
        EventType.PUBLISH_FIRMWARE_STATUS,
    }
)

# events that add a station's or a connector's device and entities, move them, rename them or change their
# availability or range
_DEVICE_EVENTS = frozenset(
    {
        EventType.STATION_ADDED,
        EventType.BOOTED,
        EventType.REGISTRATION,
        EventType.CONNECTOR_ADDED,
        EventType.CONNECTED,
        EventType.DISCONNECTED,
        EventType.SETTINGS_CHANGED,
        EventType.LIMIT,
        EventType.CHARGING_LIMIT,
    }
)


class EventBridge:
    """Turns central-system events into device updates and entity signals."""

    # what `handle` is subscribed to
    EVENTS = _CONNECTOR_EVENTS | _STATION_EVENTS | _DEVICE_EVENTS

    def __init__(self, hass: HomeAssistant, entry: OcppConfigEntry) -> None:
        self._hass = hass
        self._entry = entry
        self._runtime = entry.runtime_data
        # (station, connector or 0) whose signal goes out at the next turn of the event loop: True while
        # every event that asked for it changed meter readings alone (then only `signal_readings` goes out)
        self._pending: dict[tuple[str, int], bool] = {}

    @callback
    def handle(self, event: Event) -> None:
        station_id = event.station_id
        kind = event.type
        if kind in _CONNECTOR_EVENTS:
            self._signal(station_id, event.connector_id, event.readings_only)
            if kind is EventType.TRANSACTION_ENDED:
                self._signal(station_id, None)  # the station's session count
        elif kind in _STATION_EVENTS:
            self._signal(station_id, None)
        elif kind in (EventType.STATION_ADDED, EventType.BOOTED, EventType.REGISTRATION):
            if self._runtime.show(station_id):
                self._ensure_station_device(station_id)
                self._signal(station_id, None)
        elif kind is EventType.CONNECTOR_ADDED:
            assert event.connector_id is not None
            self._on_connector_added(station_id, event.connector_id)
            self._signal(station_id, None)  # the station's connector count
        elif kind in (EventType.CONNECTED, EventType.DISCONNECTED):
            online = kind is EventType.CONNECTED
            # a charger reconnecting in a loop: a few lines a minute (see csms/rpc/loglimit.py)
            self._runtime.central.state.logs.log(
                _LOGGER,
                logging.INFO,
                station_id,
                "Charger %s is %s",
                station_id,
                "online" if online else "offline; its entities are unavailable",
            )
            if online and self._runtime.show(station_id):  # a new station: its version is known now
                self._ensure_station_device(station_id)
            self._signal_all(station_id)
        elif kind is EventType.SETTINGS_CHANGED:
            changed = set(event.data.get("changed", ()))
            if {"friendly_name", "connector_names"} & changed:
                self._rename_devices(station_id)
            if {"max_current", "phases"} & changed:  # the limit numbers' range (A, and W with the phases)
                self._signal_all(station_id)
        elif kind is EventType.LIMIT:  # load management: the EVSE's (0: the station's) limit changed
            self._signal(station_id, event.connector_id)
        elif kind is EventType.CHARGING_LIMIT:
            if event.connector_id:
                self._signal(station_id, event.connector_id)
            else:  # the whole station: each EVSE shows it as its own limit's source
                self._signal_all(station_id)

    @callback
    def _signal(self, station_id: str, connector_id: int | None, readings_only: bool = False) -> None:
        pending = self._pending
        if not pending:
            self._hass.loop.call_soon(self._flush)
        key = (station_id, connector_id or 0)
        pending[key] = readings_only and pending.get(key, True)

    @callback
    def _signal_all(self, station_id: str) -> None:
        station = self._runtime.central.stations.get(station_id)
        for connector_id in (0, *(station.connectors if station is not None else ())):
            self._signal(station_id, connector_id)

    @callback
    def _flush(self) -> None:
        pending, self._pending = self._pending, {}
        entry_id = self._entry.entry_id
        stations = self._runtime.central.stations
        evses_changed: set[str] = set()
        for (station_id, connector_id), readings_only in pending.items():
            signal = signal_readings if readings_only else signal_update
            async_dispatcher_send(self._hass, signal(entry_id, station_id, connector_id))
            if connector_id and not readings_only:  # the station's availability follows its EVSEs' statuses
                station = stations.get(station_id)
                if station is not None and station.is_v2:
                    evses_changed.add(station_id)
        for station_id in evses_changed:
            async_dispatcher_send(self._hass, signal_evses(entry_id, station_id))

    @callback
    def _ensure_station_device(self, station_id: str) -> None:
        station = self._runtime.central.stations[station_id]
        dr.async_get(self._hass).async_get_or_create(
            config_entry_id=self._entry.entry_id,
            identifiers={station_device_id(self._entry.entry_id, station_id)},
            name=station_device_name(station),
            manufacturer=station.vendor,
            model=station.model,
            serial_number=station.serial_number,
            sw_version=station.firmware_version,
        )

    @callback
    def _rename_devices(self, station_id: str) -> None:
        """Names set in the options apply at once (a name the user gave the device in HA still wins)."""
        station = self._runtime.central.stations[station_id]
        devices = dr.async_get(self._hass)
        entry_id = self._entry.entry_id
        named = [(station_device_id(entry_id, station_id), station_device_name(station))]
        named += [
            (connector_device_id(entry_id, station_id, cid), connector_device_name(station, cid))
            for cid in station.connectors
        ]
        for identifier, name in named:
            device = device_by_identifier(devices, identifier, entry_id)
            if device is not None and device.name != name:
                devices.async_update_device(device.id, name=name)

    @callback
    def _on_connector_added(self, station_id: str, connector_id: int) -> None:
        station = self._runtime.central.stations[station_id]
        if station_id in self._runtime.shown_connectors and len(station.connectors) == 2:
            # The first connector's entities sat on the station device; give it its own now.
            self._move_to_connector_devices(station)
        self._runtime.show(station_id)

    @callback
    def _move_to_connector_devices(self, station: Station) -> None:
        devices = dr.async_get(self._hass)
        entities = er.async_get(self._hass)
        entry_id = self._entry.entry_id
        for connector_id in station.connectors:
            device = devices.async_get_or_create(
                config_entry_id=entry_id,
                identifiers={connector_device_id(entry_id, station.station_id, connector_id)},
                name=connector_device_name(station, connector_id),
                **parent_link(devices, station_device_id(entry_id, station.station_id), entry_id),
            )
            prefix = entity_unique_id(entry_id, station.station_id, connector_id, "")
            for entity in er.async_entries_for_config_entry(entities, entry_id):
                if entity.unique_id.startswith(prefix) and entity.device_id != device.id:
                    entities.async_update_entity(entity.entity_id, device_id=device.id)


def station_device_name(station: Station) -> str:
    """The charger's device name: its friendly name (per-charger settings), else its id."""
    return station.settings.friendly_name or station.station_id


def connector_device_name(station: Station, connector_id: int) -> str:
    """The connector's (EVSE's) device name: the name set for it, else OCPP.Core's '<charger>:<connector no.>'."""
    return station.settings.connector_name(station_device_name(station), connector_id)


def loaded_central(entry: ConfigEntry) -> CentralBackend | None:
    """The entry's central system, embedded or the add-on's; None while the entry is not loaded (an options flow
    may outlive it)."""
    if entry.state is not ConfigEntryState.LOADED:
        return None
    central: CentralBackend = entry.runtime_data.central
    return central


def default_id_tag(entry: ConfigEntry) -> str:
    return str(entry.options.get(CONF_DEFAULT_ID_TAG, DEFAULT_ID_TAG))


# ---- persistence on Home Assistant's Store ----


class HaStorePersistence(Persistence):
    """One Store file per config entry (per central system)."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")
        self._data_fn: Callable[[], dict[str, Any]] = dict
        self._scheduled = False

    async def async_load(self) -> dict[str, Any] | None:
        return await self._store.async_load()

    async def async_save(self, data: dict[str, Any]) -> None:
        self._scheduled = False  # Store drops a pending delayed write when it writes now
        await self._store.async_save(data)

    def schedule_save(self, data_fn: Callable[[], dict[str, Any]]) -> None:
        # Store.async_delay_save restarts its timer on every call, so a charger sending meter
        # values more often than the delay would postpone the write forever: schedule once.
        self._data_fn = data_fn
        if not self._scheduled:
            self._scheduled = True
            self._store.async_delay_save(self._take_data, SAVE_DELAY_SECONDS)

    def _take_data(self) -> dict[str, Any]:
        self._scheduled = False
        return self._data_fn()

    async def async_remove(self) -> None:
        await self._store.async_remove()


# ---- which chargers may charge ----


BootPolicy = Callable[[str, dict[str, Any]], str]


def admission(entry: OcppConfigEntry) -> Callable[[str], bool]:
    """Policy reject: a charger nobody accepted is refused before the WebSocket upgrade (HTTP 403)."""

    def admitted(station_id: str) -> bool:
        if entry.options.get(CONF_UNKNOWN_CHARGERS, DEFAULT_UNKNOWN_CHARGERS) != POLICY_REJECT:
            return True
        station = entry.runtime_data.central.stations.get(station_id)
        return station is not None and station.registration_status == RegistrationStatus.ACCEPTED

    return admitted


def station_visible(entry: OcppConfigEntry) -> Callable[[Station], bool]:
    """Devices and entities only for accepted chargers (with policy accept: any charger that booted and was not
    refused; one that never booted is forgotten by the central system when it leaves, and must leave no device)."""

    def visible(station: Station) -> bool:
        status = station.registration_status
        if status == RegistrationStatus.ACCEPTED:
            return True
        policy = entry.options.get(CONF_UNKNOWN_CHARGERS, DEFAULT_UNKNOWN_CHARGERS)
        return policy == POLICY_ACCEPT and status not in (None, RegistrationStatus.REJECTED)

    return visible


def boot_policy(hass: HomeAssistant, entry: OcppConfigEntry) -> BootPolicy:
    """The central system's boot policy for this entry (read live, so option changes apply at once)."""

    @callback
    def decide(station_id: str, boot: dict[str, Any]) -> str:
        station = entry.runtime_data.central.stations.get(station_id)
        if station is not None and station.registration_status == RegistrationStatus.ACCEPTED:
            return RegistrationStatus.ACCEPTED  # accepted before (by the user or by the accept policy)
        policy = entry.options.get(CONF_UNKNOWN_CHARGERS, DEFAULT_UNKNOWN_CHARGERS)
        if policy == POLICY_ACCEPT:
            return RegistrationStatus.ACCEPTED
        if policy == POLICY_REJECT:
            return RegistrationStatus.REJECTED
        # ask: the charger stays connected, Pending, while a discovery card asks the user
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                DOMAIN,
                context={"source": SOURCE_INTEGRATION_DISCOVERY},
                data={
                    "entry_id": entry.entry_id,
                    "station_id": station_id,
                    "vendor": boot.get("chargePointVendor") or boot.get("chargingStation", {}).get("vendorName"),
                    "model": boot.get("chargePointModel") or boot.get("chargingStation", {}).get("model"),
                },
            ),
            f"{DOMAIN} discovery of {station_id}",
        )
        return RegistrationStatus.PENDING

    return decide


def attach_runtime(hass: HomeAssistant, entry: OcppConfigEntry, central: CentralBackend) -> OcppRuntimeData:
    """The entry's runtime data on its central system (embedded, or the add-on's), and the bridge, the automation
    events and the repairs subscribed to its events, each to the types it names: the same in both modes."""
    from .automation_events import AutomationEvents  # (here: both import this module)
    from .repairs import EventListener, charger_repairs

    runtime = entry.runtime_data = OcppRuntimeData(central, default_id_tag(entry), visible=station_visible(entry))
    listeners: list[EventListener] = [
        EventBridge(hass, entry),
        AutomationEvents(hass, entry.entry_id, central),
        *charger_repairs(hass, entry.entry_id, central),
    ]
    for listener in listeners:
        entry.async_on_unload(central.events.subscribe(listener.handle, listener.EVENTS))
    return runtime
