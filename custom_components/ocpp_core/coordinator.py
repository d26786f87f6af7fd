"""Runtime data of a config entry: the central system and its bridge to Home Assistant.

There is no polling: the central system pushes events, and the bridge turns
them into dispatcher signals that wake exactly the entities concerned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .const import CONF_DEFAULT_ID_TAG, DEFAULT_ID_TAG, DOMAIN
from .csms import CentralSystem, Event, EventType, Station

_LOGGER = logging.getLogger(__name__)

type OcppConfigEntry = ConfigEntry[OcppRuntimeData]


def station_device_id(station_id: str) -> tuple[str, str]:
    return (DOMAIN, station_id)


def connector_device_id(station_id: str, connector_id: int) -> tuple[str, str]:
    return (DOMAIN, f"{station_id}:{connector_id}")


def has_connector_devices(station: Station) -> bool:
    """OCPP.Core's rule: a station with two or more connectors shows each one on its own."""
    return len(station.connectors) >= 2


def signal_update(entry_id: str, station_id: str, connector_id: int | None) -> str:
    return f"{DOMAIN}_{entry_id}_{station_id}_{connector_id or 0}"


StationAdder = Callable[[str], None]
ConnectorAdder = Callable[[str, int], None]


def _everyone(station: Station) -> bool:
    return True


@dataclass
class OcppRuntimeData:
    """What every platform of one central system needs."""

    central: CentralSystem
    default_id_tag: str = DEFAULT_ID_TAG
    # which stations get devices and entities (not those awaiting the user's approval)
    visible: Callable[[Station], bool] = _everyone
    station_adders: list[StationAdder] = field(default_factory=list)
    connector_adders: list[ConnectorAdder] = field(default_factory=list)
    shown_connectors: dict[str, set[int]] = field(default_factory=dict)

    def track_stations(self, add_station: StationAdder, add_connector: ConnectorAdder) -> None:
        """Call the adders for every shown station and connector, now and as they appear."""
        self.station_adders.append(add_station)
        self.connector_adders.append(add_connector)
        for station_id, connectors in self.shown_connectors.items():
            add_station(station_id)
            for connector_id in sorted(connectors):
                add_connector(station_id, connector_id)

    def show(self, station_id: str) -> bool:
        """Give a visible station (and its connectors) its entities, once; False while it stays hidden."""
        station = self.central.stations[station_id]
        if not self.visible(station):
            return False
        shown = self.shown_connectors.get(station_id)
        if shown is None:
            shown = self.shown_connectors[station_id] = set()
            for add_station in self.station_adders:
                add_station(station_id)
        for connector_id in sorted(station.connectors):
            if connector_id not in shown:
                shown.add(connector_id)
                for add_connector in self.connector_adders:
                    add_connector(station_id, connector_id)
        return True


class EventBridge:
    """Turns central-system events into device updates and entity signals."""

    def __init__(self, hass: HomeAssistant, entry: OcppConfigEntry) -> None:
        self._hass = hass
        self._entry = entry
        self._runtime = entry.runtime_data

    @callback
    def handle(self, event: Event) -> None:
        entry_id = self._entry.entry_id
        station_id = event.station_id
        central = self._runtime.central
        match event.type:
            case EventType.STATION_ADDED | EventType.BOOTED | EventType.REGISTRATION:
                if self._runtime.show(station_id):
                    self._ensure_station_device(station_id)
                    async_dispatcher_send(self._hass, signal_update(entry_id, station_id, None))
            case EventType.CONNECTOR_ADDED:
                assert event.connector_id is not None
                self._on_connector_added(station_id, event.connector_id)
            case EventType.CONNECTED | EventType.DISCONNECTED:
                online = event.type is EventType.CONNECTED
                _LOGGER.info(
                    "Charger %s is %s", station_id, "online" if online else "offline; its entities are unavailable"
                )
                station = central.stations[station_id]
                for connector_id in (0, *station.connectors):
                    async_dispatcher_send(self._hass, signal_update(entry_id, station_id, connector_id))
            case (
                EventType.CONNECTOR_UPDATED
                | EventType.TRANSACTION_STARTED
                | EventType.TRANSACTION_ENDED
                | EventType.RESERVATION
            ):
                # connector 0 (a reservation of any connector) is the station itself
                async_dispatcher_send(self._hass, signal_update(entry_id, station_id, event.connector_id))
            case (
                EventType.STATION_UPDATED
                | EventType.REGISTRATION
                | EventType.CONFIGURATION
                | EventType.FIRMWARE_STATUS
                | EventType.DIAGNOSTICS_STATUS
                | EventType.LOG_STATUS
                | EventType.SECURITY_EVENT
            ):
                async_dispatcher_send(self._hass, signal_update(entry_id, station_id, None))
            case _:
                pass

    @callback
    def _ensure_station_device(self, station_id: str) -> None:
        station = self._runtime.central.stations[station_id]
        dr.async_get(self._hass).async_get_or_create(
            config_entry_id=self._entry.entry_id,
            identifiers={station_device_id(station_id)},
            name=station_id,
            manufacturer=station.vendor,
            model=station.model,
            serial_number=station.serial_number,
            sw_version=station.firmware_version,
        )

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
        for connector_id in station.connectors:
            device = devices.async_get_or_create(
                config_entry_id=self._entry.entry_id,
                identifiers={connector_device_id(station.station_id, connector_id)},
                name=connector_device_name(station.station_id, connector_id),
                via_device=station_device_id(station.station_id),
            )
            prefix = f"{station.station_id}_{connector_id}_"
            for entity in er.async_entries_for_config_entry(entities, self._entry.entry_id):
                if entity.unique_id.startswith(prefix) and entity.device_id != device.id:
                    entities.async_update_entity(entity.entity_id, device_id=device.id)


def connector_device_name(station_name: str, connector_id: int) -> str:
    """OCPP.Core's default connector name: '<charge point name>:<connector no.>'."""
    return f"{station_name}:{connector_id}"


def default_id_tag(entry: ConfigEntry) -> str:
    return str(entry.options.get(CONF_DEFAULT_ID_TAG, DEFAULT_ID_TAG))
