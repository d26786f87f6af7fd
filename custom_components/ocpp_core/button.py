"""Buttons: reset a charger, unlock a connector (version-neutral: `CentralSystem.charger`, csms/features/charger.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonDeviceClass, ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory, Platform

from .csms import ChargerAnswer
from .entity import EntitySpecs, OcppControlDescription, OcppEntity, ocpp_exception_handler, ocpp_platform
from .errors import Answer

PARALLEL_UPDATES = 1


# UnlockConnector answers meaning the connector stayed locked (1.6, then 2.x)
UNLOCK_REFUSED = frozenset({"UnlockFailed", "NotSupported", "OngoingAuthorizedTransaction", "UnknownConnector"})


async def _raw(answer: Awaitable[ChargerAnswer]) -> dict[str, Any]:
    """The charger's own answer (ocpp_exception_handler reads its status)."""
    return dict((await answer).raw)


@dataclass(frozen=True, kw_only=True)
class OcppButtonDescription(OcppControlDescription, ButtonEntityDescription):
    # the request; gets the entity, returns the charger's answer
    press_fn: Callable[[OcppEntity], Awaitable[Answer]]


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


class OcppButton(OcppEntity, ButtonEntity):
    entity_description: OcppButtonDescription
    shows_readings = False

    def _shown_now(self) -> tuple[Any, ...]:
        """Its state is when it was last pressed, written by Home Assistant on each press: only availability changes."""
        return (self.available,)

    @ocpp_exception_handler
    async def async_press(self) -> Answer:
        return await self.entity_description.press_fn(self)


# what each station and each of its connectors (EVSEs) gets
STATION_ENTITIES: EntitySpecs = [(OcppButton, RESET_BUTTON)]
CONNECTOR_ENTITIES: EntitySpecs = [(OcppButton, UNLOCK_BUTTON)]


async_setup_entry = ocpp_platform(Platform.BUTTON, STATION_ENTITIES, CONNECTOR_ENTITIES)
