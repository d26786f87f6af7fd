"""Event entities: the latest charger happening (boot, tag, error, firmware) and session start/end."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .automation_events import CONNECTOR_EVENT_TYPES, STATION_EVENT_TYPES, signal_event
from .coordinator import OcppConfigEntry
from .entity import OcppEntity

PARALLEL_UPDATES = 0

STATION_EVENTS = EventEntityDescription(
    key="charger_event", translation_key="charger_event", event_types=STATION_EVENT_TYPES
)
SESSION_EVENTS = EventEntityDescription(
    key="session_event", translation_key="session_event", event_types=CONNECTOR_EVENT_TYPES
)


async def async_setup_entry(
    hass: HomeAssistant, entry: OcppConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data

    @callback
    def add_station(station_id: str) -> None:
        async_add_entities([OcppEventEntity(runtime, entry.entry_id, station_id, None, STATION_EVENTS)])

    @callback
    def add_connector(station_id: str, connector_id: int) -> None:
        async_add_entities([OcppEventEntity(runtime, entry.entry_id, station_id, connector_id, SESSION_EVENTS)])

    runtime.track_stations(add_station, add_connector)


class OcppEventEntity(OcppEntity, EventEntity):
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
