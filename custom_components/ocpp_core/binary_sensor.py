"""Binary sensors: is the charger connected."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory, Platform

from .entity import EntitySpecs, OcppEntity, OcppEntityDescription, ocpp_platform

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class OcppBinarySensorDescription(OcppEntityDescription, BinarySensorEntityDescription):
    """A binary sensor of this integration."""


CONNECTED = OcppBinarySensorDescription(
    key="connected", device_class=BinarySensorDeviceClass.CONNECTIVITY, entity_category=EntityCategory.DIAGNOSTIC
)


class ConnectedSensor(OcppEntity, BinarySensorEntity):
    """On while the charger's WebSocket is open; the one entity that stays available offline."""

    entity_description: OcppBinarySensorDescription
    shows_readings = False

    @property
    def available(self) -> bool:
        return True

    @property
    def is_on(self) -> bool:
        return self.runtime.central.is_connected(self.station_id)


# what each station and each of its connectors (EVSEs) gets
STATION_ENTITIES: EntitySpecs = [(ConnectedSensor, CONNECTED)]


async_setup_entry = ocpp_platform(Platform.BINARY_SENSOR, STATION_ENTITIES)
