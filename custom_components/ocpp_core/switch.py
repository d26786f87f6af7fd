"""Switches: charging (remote start / stop) and availability (ChangeAvailability) of a charger and its connectors."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .coordinator import OcppConfigEntry
from .entity import OcppEntity, ocpp_command
from .errors import ocpp_call

PARALLEL_UPDATES = 1

CHARGE_SWITCH = SwitchEntityDescription(key="charge", translation_key="charge")
# on = Operative; for the station it covers every connector (connectorId 0)
STATION_AVAILABILITY_SWITCH = SwitchEntityDescription(key="availability", translation_key="station_availability")
AVAILABILITY_SWITCH = SwitchEntityDescription(key="availability", translation_key="availability")
# "Scheduled" means it happens once the running session ends: not a refusal
_AVAILABILITY_REFUSED = frozenset({"Rejected"})


async def async_setup_entry(
    hass: HomeAssistant, entry: OcppConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data

    @callback
    def add_station(station_id: str) -> None:
        async_add_entities([AvailabilitySwitch(runtime, entry.entry_id, station_id, None, STATION_AVAILABILITY_SWITCH)])

    @callback
    def add_connector(station_id: str, connector_id: int) -> None:
        async_add_entities(
            [
                ChargeSwitch(runtime, entry.entry_id, station_id, connector_id, CHARGE_SWITCH),
                AvailabilitySwitch(runtime, entry.entry_id, station_id, connector_id, AVAILABILITY_SWITCH),
            ]
        )

    runtime.track_stations(add_station, add_connector)


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


class AvailabilitySwitch(OcppEntity, SwitchEntity):
    """On while the charger (connector 0) or the connector is Operative, as its status tells."""

    @property
    def is_on(self) -> bool | None:
        status = self.station.status if self.connector_id is None else getattr(self.connector, "status", None)
        return None if status is None else status != "Unavailable"

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._change("Operative")

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._change("Inoperative")

    async def _change(self, availability: str) -> None:
        commands = self.runtime.central
        await ocpp_call(
            commands,
            self.station_id,
            lambda: commands.v16(self.station_id).change_availability(self.connector_id or 0, availability),
            _AVAILABILITY_REFUSED,
        )
