"""Switches: charging (remote start / stop), charging allowed (pause / resume by the limit, the session
goes on) and availability (ChangeAvailability) of a charger and its connectors."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .coordinator import OcppConfigEntry, signal_evses
from .entity import OcppEntity, ocpp_command
from .errors import ocpp_call

PARALLEL_UPDATES = 1

CHARGE_SWITCH = SwitchEntityDescription(key="charge", translation_key="charge")
# on = Operative; for the station it covers every connector (connectorId 0)
STATION_AVAILABILITY_SWITCH = SwitchEntityDescription(key="availability", translation_key="station_availability")
AVAILABILITY_SWITCH = SwitchEntityDescription(key="availability", translation_key="availability")
# off = paused: the connector's limit at 0 A (the session goes on, SuspendedEVSE); on: the limit before, or none
CHARGING_ALLOWED_SWITCH = SwitchEntityDescription(key="charging_allowed", translation_key="charging_allowed")
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
                ChargingAllowedSwitch(runtime, entry.entry_id, station_id, connector_id, CHARGING_ALLOWED_SWITCH),
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


class ChargingAllowedSwitch(OcppEntity, SwitchEntity):
    """Off while the connector's (EVSE's) charging is paused by a 0 A limit: for evcc and automations that
    pause and resume without ending the session (its energy stays one session on the Energy dashboard).

    Like the limit numbers it stays available while the charger is offline: the pause is sent when it connects.
    """

    @property
    def available(self) -> bool:
        return self.station_id in self.runtime.central.stations

    @property
    def is_on(self) -> bool:
        return not self.runtime.central.limits.paused(self.station_id, self.connector_id or 0)

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.runtime.central.limits.resume(self.station_id, self.connector_id or 0)
        self._on_update()

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.runtime.central.limits.pause(self.station_id, self.connector_id or 0)
        self._on_update()


class AvailabilitySwitch(OcppEntity, SwitchEntity):
    """On while the charger (connector 0) or the connector (EVSE) is Operative, as its status tells.

    A 2.x station reports no status of its own: the charger is on while any of its EVSEs is.
    """

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if self.connector_id is None and self.station.is_v2:
            self.async_on_remove(
                async_dispatcher_connect(self.hass, signal_evses(self._entry_id, self.station_id), self._on_update)
            )

    @property
    def is_on(self) -> bool | None:
        station = self.station
        if self.connector_id is not None:
            status = getattr(self.connector, "status", None)
        elif station.is_v2:
            known = [evse.status for evse in station.connectors.values() if evse.status is not None]
            return any(status != "Unavailable" for status in known) if known else None
        else:
            status = station.status
        return None if status is None else status != "Unavailable"

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._change(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._change(False)

    async def _change(self, operative: bool) -> None:
        central = self.runtime.central

        async def send() -> dict[str, Any]:
            answer = await central.charger(self.station_id).change_availability(self.connector_id, operative)
            return dict(answer.raw)

        await ocpp_call(central, self.station_id, send, _AVAILABILITY_REFUSED)
