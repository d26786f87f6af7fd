"""Event entities: the latest charger happening (boot, tag, error, firmware) and session start/end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .automation_events import CONNECTOR_EVENT_TYPES, STATION_EVENT_TYPES, signal_event
from .entity import EntitySpecs, OcppEntity, OcppEntityDescription, ocpp_platform

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class OcppEventDescription(OcppEntityDescription, EventEntityDescription):
    """An event entity of this integration."""


STATION_EVENTS = OcppEventDescription(
    key="charger_event", translation_key="charger_event", event_types=STATION_EVENT_TYPES
)
SESSION_EVENTS = OcppEventDescription(
    key="session_event", translation_key="session_event", event_types=CONNECTOR_EVENT_TYPES
)


class OcppEventEntity(OcppEntity, EventEntity):
    entity_description: OcppEventDescription
    shows_readings = False

    def _shown_now(self) -> tuple[Any, ...]:
        """Its state is the last event, written as it comes (`_on_event`): only availability changes."""
        return (self.available,)

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_event(self._entry_id, self.station_id, self.connector_id), self._on_event
            )
        )

    @callback
    def _on_event(self, event_type: str, data: dict[str, Any]) -> None:
        if event_type in (self.event_types or ()):
            self._trigger_event(event_type, {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)})
            self.async_write_ha_state()


# what each station and each of its connectors (EVSEs) gets
STATION_ENTITIES: EntitySpecs = [(OcppEventEntity, STATION_EVENTS)]
CONNECTOR_ENTITIES: EntitySpecs = [(OcppEventEntity, SESSION_EVENTS)]


async_setup_entry = ocpp_platform(Platform.EVENT, STATION_ENTITIES, CONNECTOR_ENTITIES)
