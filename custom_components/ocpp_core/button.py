"""Buttons: reset a charger, unlock a connector (version-neutral: `CentralSystem.charger`, csms/features/charger.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonDeviceClass, ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .coordinator import OcppConfigEntry
from .csms import ChargerAnswer
from .entity import OcppEntity
from .errors import ocpp_call

PARALLEL_UPDATES = 1


# UnlockConnector answers meaning the connector stayed locked (1.6, then 2.x)
UNLOCK_REFUSED = frozenset({"UnlockFailed", "NotSupported", "OngoingAuthorizedTransaction", "UnknownConnector"})


async def _raw(answer: Awaitable[ChargerAnswer]) -> dict[str, Any]:
    """The charger's own answer (ocpp_call reads its status)."""
    return dict((await answer).raw)


@dataclass(frozen=True, kw_only=True)
class OcppButtonDescription(ButtonEntityDescription):
    # the request; gets the entity, returns the charger's answer
    press_fn: Callable[[OcppEntity], Awaitable[dict[str, Any]]]
    # answer statuses meaning the charger did not do it (None: all but Accepted)
    refused: frozenset[str] | None = None


RESET_BUTTON = OcppButtonDescription(
    key="reset",
    device_class=ButtonDeviceClass.RESTART,
    entity_category=EntityCategory.CONFIG,
    press_fn=lambda entity: _raw(entity.runtime.central.charger(entity.station_id).restart()),
)

UNLOCK_BUTTON = OcppButtonDescription(
    key="unlock",
    translation_key="unlock",
    press_fn=lambda entity: _raw(entity.runtime.central.charger(entity.station_id).unlock(entity.connector_id or 1)),
    refused=UNLOCK_REFUSED,
)


async def async_setup_entry(
    hass: HomeAssistant, entry: OcppConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data

    @callback
    def add_station(station_id: str) -> None:
        async_add_entities([OcppButton(runtime, entry.entry_id, station_id, None, RESET_BUTTON)])

    @callback
    def add_connector(station_id: str, connector_id: int) -> None:
        async_add_entities([OcppButton(runtime, entry.entry_id, station_id, connector_id, UNLOCK_BUTTON)])

    runtime.track_stations(add_station, add_connector)


class OcppButton(OcppEntity, ButtonEntity):
    entity_description: OcppButtonDescription

    def _shown_now(self) -> tuple[Any, ...]:
        """Its state is when it was last pressed, written by Home Assistant on each press: only availability changes."""
        return (self.available,)

    async def async_press(self) -> None:
        description = self.entity_description
        await ocpp_call(self.runtime.central, self.station_id, lambda: description.press_fn(self), description.refused)
