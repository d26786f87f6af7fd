"""Charger happenings for automations: Home Assistant bus events and event entities.

Bus events (`ocpp_core_<type>`) carry the charger's device id, so device triggers
and automations can match them; the event entities (event.py) show the latest.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .backend import CentralBackend
from .const import DOMAIN
from .coordinator import connector_device_id, has_connector_devices, station_device_id
from .csms import Event, EventType
from .device_lookup import device_by_identifier


class AutomationEvent(StrEnum):
    """What automations hear of: the bus event `ocpp_core_<value>` and the event entities' event types."""

    BOOTED = "booted"
    TAG_PRESENTED = "tag_presented"
    ERROR_REPORTED = "error_reported"
    FIRMWARE_STATUS = "firmware_status"
    TRANSACTION_STARTED = "transaction_started"
    TRANSACTION_ENDED = "transaction_ended"
    # data: reason (used, cancelled, expired, ended at the charger, replaced), reservation_id, id_tag, expiry_date
    RESERVATION_ENDED = "reservation_ended"


# a reservation of connector 0 (any connector) ends on the charger's event entity, one of a connector on its own
STATION_EVENT_TYPES: Final = ["booted", "tag_presented", "error_reported", "firmware_status", "reservation_ended"]
CONNECTOR_EVENT_TYPES: Final = ["transaction_started", "transaction_ended", "error_reported", "reservation_ended"]


def signal_event(entry_id: str, station_id: str, connector_id: int | None) -> str:
    return f"{DOMAIN}_{entry_id}_{station_id}_{connector_id or 0}_event"


class AutomationEvents:
    """Turns central-system events into bus events and event-entity signals."""

    # what `handle` is subscribed to
    EVENTS = (
        EventType.BOOTED,
        EventType.AUTHORIZE,
        EventType.FIRMWARE_STATUS,
        EventType.TRANSACTION_STARTED,
        EventType.TRANSACTION_ENDED,
        EventType.RESERVATION,
        EventType.ERROR_REPORTED,
    )

    def __init__(self, hass: HomeAssistant, entry_id: str, central: CentralBackend) -> None:
        self._hass = hass
        self._entry_id = entry_id
        self._central = central

    @callback
    def handle(self, event: Event) -> None:
        match event.type:
            case EventType.BOOTED:
                self._fire(AutomationEvent.BOOTED, event.station_id, None, dict(event.data))
            case EventType.AUTHORIZE:
                self._fire(AutomationEvent.TAG_PRESENTED, event.station_id, None, dict(event.data))
            case EventType.FIRMWARE_STATUS:
                self._fire(AutomationEvent.FIRMWARE_STATUS, event.station_id, None, dict(event.data))
            case EventType.TRANSACTION_STARTED:
                self._fire(AutomationEvent.TRANSACTION_STARTED, event.station_id, event.connector_id, dict(event.data))
            case EventType.TRANSACTION_ENDED:
                self._fire(AutomationEvent.TRANSACTION_ENDED, event.station_id, event.connector_id, _ended(event.data))
            case EventType.RESERVATION if not event.data.get("active"):
                data = {k: event.data.get(k) for k in ("reason", "reservation_id", "id_tag", "expiry_date")}
                self._fire(AutomationEvent.RESERVATION_ENDED, event.station_id, event.connector_id or None, data)
            case EventType.ERROR_REPORTED:  # the station's (connector 0) or a connector's new error
                self._fire(
                    AutomationEvent.ERROR_REPORTED, event.station_id, event.connector_id or None, dict(event.data)
                )
            case _:
                pass

    @callback
    def _fire(
        self, event_type: AutomationEvent, station_id: str, connector_id: int | None, data: dict[str, Any]
    ) -> None:
        station = self._central.stations.get(station_id)
        identifier = station_device_id(self._entry_id, station_id)
        if connector_id and station is not None and has_connector_devices(station):
            identifier = connector_device_id(self._entry_id, station_id, connector_id)
        device = device_by_identifier(dr.async_get(self._hass), identifier, self._entry_id)
        payload = {"device_id": device.id if device else None, "charger": station_id, "connector_id": connector_id}
        self._hass.bus.async_fire(f"{DOMAIN}_{event_type}", {**payload, **data})
        async_dispatcher_send(self._hass, signal_event(self._entry_id, station_id, connector_id), str(event_type), data)


def _ended(data: dict[str, Any]) -> dict[str, Any]:
    """Transaction ended: add what automations ask for (kWh, duration in seconds, the cost by our tariff)."""
    out = dict(data)
    cost = data.get("cost")
    if isinstance(cost, dict):  # exact: the total as text, and in minor units (cents)
        out["cost_total"], out["cost_currency"] = cost.get("total"), cost.get("currency")
        out["cost_minor_units"] = cost.get("minor_units")
    energy = data.get("energy_wh")
    out["energy_kwh"] = round(energy / 1000.0, 3) if isinstance(energy, int | float) else None
    start, stop = data.get("start_time"), data.get("stop_time")
    if isinstance(start, str) and isinstance(stop, str):
        out["duration_s"] = round((datetime.fromisoformat(stop) - datetime.fromisoformat(start)).total_seconds())
    return out
