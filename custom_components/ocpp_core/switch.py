"""The charge switch: on starts a session remotely, off stops it."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .coordinator import OcppConfigEntry
from .entity import OcppEntity, ocpp_command

PARALLEL_UPDATES = 1

CHARGE_SWITCH = SwitchEntityDescription(key="charge", translation_key="charge")


async def async_setup_entry(
    hass: HomeAssistant, entry: OcppConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data

    @callback
    def add_connector(station_id: str, connector_id: int) -> None:
        async_add_entities([ChargeSwitch(runtime, entry.entry_id, station_id, connector_id, CHARGE_SWITCH)])

    runtime.track_stations(lambda station_id: None, add_connector)


class ChargeSwitch(OcppEntity, SwitchEntity):
    """On while a transaction runs on the connector."""

    @property
    def is_on(self) -> bool:
        connector = self.connector
        return connector is not None and connector.transaction is not None

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._start()

    async def async_turn_off(self, **kwargs: Any) -> None:
        connector = self.connector
        if connector is None or connector.transaction is None:
            return
        await self._stop(connector.transaction.transaction_id)

    @ocpp_command
    async def _start(self) -> dict[str, Any]:
        return await self.runtime.central.remote_start(self.station_id, self.connector_id, self.runtime.default_id_tag)

    @ocpp_command
    async def _stop(self, transaction_id: str) -> dict[str, Any]:
        return await self.runtime.central.remote_stop(self.station_id, transaction_id)
