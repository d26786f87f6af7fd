"""Switches: charging (remote start / stop), charging allowed (pause / resume by the limit, the session
goes on) and availability (ChangeAvailability) of a charger and its connectors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import Platform
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .coordinator import signal_evses
from .entity import EntitySpecs, OcppControlDescription, OcppEntity, ocpp_exception_handler, ocpp_platform
from .errors import Answer

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class OcppSwitchDescription(OcppControlDescription, SwitchEntityDescription):
    is_on_fn: Callable[[OcppEntity], bool | None]
    # turn on (True) or off; returns the charger's answer, None when nothing was asked of it
    set_fn: Callable[[OcppEntity, bool], Awaitable[Answer | None]]


def _charging(entity: OcppEntity) -> bool:
    connector = entity.connector
    return connector is not None and connector.transaction is not None


async def _start_or_stop(entity: OcppEntity, on: bool) -> Answer | None:
    central = entity.runtime.central
    if on:
        return await central.remote_start(entity.station_id, entity.connector_id, entity.runtime.default_id_tag)
    connector = entity.connector
    if connector is None or connector.transaction is None:
        return None
    return await central.remote_stop(entity.station_id, connector.transaction.transaction_id)


def _allowed(entity: OcppEntity) -> bool:
    return not entity.runtime.central.limits.paused(entity.station_id, entity.connector_id or 0)


async def _allow(entity: OcppEntity, on: bool) -> None:
    limits = entity.runtime.central.limits
    await (limits.resume if on else limits.pause)(entity.station_id, entity.connector_id or 0)


def _operative(entity: OcppEntity) -> bool | None:
    """Operative, as the status tells.  A 2.x station reports no status of its own: on while any of its EVSEs is."""
    station = entity.station
    if entity.connector_id is not None:
        status = getattr(entity.connector, "status", None)
    elif station.is_v2:
        known = [evse.status for evse in station.connectors.values() if evse.status is not None]
        return any(status != "Unavailable" for status in known) if known else None
    else:
        status = station.status
    return None if status is None else status != "Unavailable"


async def _change_availability(entity: OcppEntity, operative: bool) -> Answer:
    answer = await entity.runtime.central.charger(entity.station_id).change_availability(entity.connector_id, operative)
    return dict(answer.raw)


CHARGE_SWITCH = OcppSwitchDescription(key="charge", translation_key="charge", is_on_fn=_charging, set_fn=_start_or_stop)
# off = paused: the connector's limit at 0 A (the session goes on, SuspendedEVSE); on: the limit before, or none.
# For evcc and automations that pause and resume without ending the session (its energy stays one session on the
# Energy dashboard); like the limit numbers it stays available offline: the pause is sent when the charger connects.
CHARGING_ALLOWED_SWITCH = OcppSwitchDescription(
    key="charging_allowed",
    translation_key="charging_allowed",
    is_on_fn=_allowed,
    set_fn=_allow,
    available_offline=True,
    waits_for_charger=False,
)
# on = Operative; for the station it covers every connector (connectorId 0).  "Scheduled" means it happens once
# the running session ends: not a refusal
AVAILABILITY_SWITCH = OcppSwitchDescription(
    key="availability",
    translation_key="availability",
    is_on_fn=_operative,
    set_fn=_change_availability,
    refused=frozenset({"Rejected"}),
)
STATION_AVAILABILITY_SWITCH = replace(AVAILABILITY_SWITCH, translation_key="station_availability")


class OcppSwitch(OcppEntity, SwitchEntity):
    entity_description: OcppSwitchDescription
    shows_readings = False  # a session, a limit, a status: none follows from a reading

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if self.connector_id is None and self.station.is_v2:  # the station's state is summed up from its EVSEs
            self.async_on_remove(
                async_dispatcher_connect(self.hass, signal_evses(self._entry_id, self.station_id), self._on_update)
            )

    @property
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self)

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._set(False)

    @ocpp_exception_handler
    async def _set(self, on: bool) -> Answer | None:
        return await self.entity_description.set_fn(self, on)


# what each station and each of its connectors (EVSEs) gets
STATION_ENTITIES: EntitySpecs = [(OcppSwitch, STATION_AVAILABILITY_SWITCH)]
CONNECTOR_ENTITIES: EntitySpecs = [
    (OcppSwitch, d) for d in (CHARGE_SWITCH, CHARGING_ALLOWED_SWITCH, AVAILABILITY_SWITCH)
]


async_setup_entry = ocpp_platform(Platform.SWITCH, STATION_ENTITIES, CONNECTOR_ENTITIES)
