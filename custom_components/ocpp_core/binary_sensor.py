"""Binary sensors: is the charger connected."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .coordinator import OcppConfigEntry
from .entity import OcppEntity

PARALLEL_UPDATES = 0

CONNECTED = BinarySensorEntityDescription(
    key="connected", device_class=BinarySensorDeviceClass.CONNECTIVITY, entity_category=EntityCategory.DIAGNOSTIC
)


async def async_setup_entry(
    hass: HomeAssistant, entry: OcppConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data

    @callback
    def add_station(station_id: str) -> None:
        async_add_entities([ConnectedSensor(runtime, entry.entry_id, station_id, None, CONNECTED)])

    runtime.track_stations(add_station, lambda station_id, connector_id: None)


class ConnectedSensor(OcppEntity, BinarySensorEntity):
    """On while the charger's WebSocket is open; the one entity that stays available offline."""

    @property
    def available(self) -> bool:
        return True

    @property
    def is_on(self) -> bool:
        return self.runtime.central.is_connected(self.station_id)
