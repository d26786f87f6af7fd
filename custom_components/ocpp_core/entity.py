"""The base entity: device info, availability, unique ids and push updates."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription

from .coordinator import (
    OcppRuntimeData,
    connector_device_id,
    connector_device_name,
    entity_unique_id,
    has_connector_devices,
    signal_update,
    station_device_id,
    station_device_name,
)
from .csms import Connector, Station
from .errors import ocpp_call


class OcppEntity(Entity):
    """An entity of one station (connector_id None) or of one of its connectors."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self,
        runtime: OcppRuntimeData,
        entry_id: str,
        station_id: str,
        connector_id: int | None,
        description: EntityDescription,
    ) -> None:
        self.runtime = runtime
        self.entity_description = description
        self.station_id = station_id
        self.connector_id = connector_id
        self._entry_id = entry_id
        self._attr_unique_id = entity_unique_id(entry_id, station_id, connector_id, description.key)
        self._shown: tuple[Any, ...] | None = None

    @property
    def device_info(self) -> DeviceInfo:
        """The connector's (EVSE's) own device once the station has two or more, else the station's.

        Read when the entity is registered, which may be a moment after it was created: an
        OCPP 2.x inventory brings all EVSEs at once, and the first one's entities, created
        while it was the only one, must land on its own device too.
        """
        station_id, connector_id, station = self.station_id, self.connector_id, self.station
        entry_id = self._entry_id
        if connector_id is not None and has_connector_devices(station):
            return DeviceInfo(
                identifiers={connector_device_id(entry_id, station_id, connector_id)},
                name=connector_device_name(station, connector_id),
                via_device=station_device_id(entry_id, station_id),
            )
        return DeviceInfo(identifiers={station_device_id(entry_id, station_id)}, name=station_device_name(station))

    @property
    def station(self) -> Station:
        return self.runtime.central.stations[self.station_id]

    @property
    def connector(self) -> Connector | None:
        if self.connector_id is None:
            return None
        return self.station.connectors.get(self.connector_id)

    @property
    def available(self) -> bool:
        return self.runtime.central.is_connected(self.station_id)

    async def async_added_to_hass(self) -> None:
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_update(self._entry_id, self.station_id, self.connector_id), self._on_update
            )
        )

    @callback
    def _on_update(self) -> None:
        """Write the state only when what Home Assistant would show changed.

        A MeterValues message wakes every entity of its connector; most of them
        (status, tag, transaction id …) did not change, and a state write costs
        far more than this comparison.
        """
        shown = self._shown_now()
        if shown != self._shown:
            self._shown = shown
            self.async_write_ha_state()

    def _shown_now(self) -> tuple[Any, ...]:
        """What a state write would change; sensors have a cheaper one (sensor.py)."""
        return (self.available, self.state, self.extra_state_attributes)


def ocpp_command[E: OcppEntity, **P](
    func: Callable[Concatenate[E, P], Coroutine[Any, Any, dict[str, Any]]],
) -> Callable[Concatenate[E, P], Coroutine[Any, Any, dict[str, Any]]]:
    """Turn central-system failures (and any status but Accepted) into translated Home Assistant errors."""

    async def wrapper(self: E, /, *args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        return await ocpp_call(self.runtime.central, self.station_id, lambda: func(self, *args, **kwargs))

    return wrapper
