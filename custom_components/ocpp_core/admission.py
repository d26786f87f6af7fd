"""Which chargers may charge: the unknown-charger policy, and the discovery flow of `ask`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import HomeAssistant, callback

from .const import CONF_UNKNOWN_CHARGERS, DEFAULT_UNKNOWN_CHARGERS, DOMAIN, POLICY_ACCEPT, POLICY_REJECT
from .coordinator import OcppConfigEntry
from .csms import Station

ACCEPTED = "Accepted"
PENDING = "Pending"
REJECTED = "Rejected"

BootPolicy = Callable[[str, dict[str, Any]], str]


def admission(entry: OcppConfigEntry) -> Callable[[str], bool]:
    """Policy reject: a charger nobody accepted is refused before the WebSocket upgrade (HTTP 403)."""

    def admitted(station_id: str) -> bool:
        if entry.options.get(CONF_UNKNOWN_CHARGERS, DEFAULT_UNKNOWN_CHARGERS) != POLICY_REJECT:
            return True
        station = entry.runtime_data.central.stations.get(station_id)
        return station is not None and station.registration_status == ACCEPTED

    return admitted


def station_visible(entry: OcppConfigEntry) -> Callable[[Station], bool]:
    """Devices and entities only for accepted chargers (with policy accept: any charger that booted and was not
    refused; one that never booted is forgotten by the central system when it leaves, and must leave no device)."""

    def visible(station: Station) -> bool:
        status = station.registration_status
        if status == ACCEPTED:
            return True
        policy = entry.options.get(CONF_UNKNOWN_CHARGERS, DEFAULT_UNKNOWN_CHARGERS)
        return policy == POLICY_ACCEPT and status not in (None, REJECTED)

    return visible


def boot_policy(hass: HomeAssistant, entry: OcppConfigEntry) -> BootPolicy:
    """The central system's boot policy for this entry (read live, so option changes apply at once)."""

    @callback
    def decide(station_id: str, boot: dict[str, Any]) -> str:
        station = entry.runtime_data.central.stations.get(station_id)
        if station is not None and station.registration_status == ACCEPTED:
            return ACCEPTED  # accepted before (by the user or by the accept policy)
        policy = entry.options.get(CONF_UNKNOWN_CHARGERS, DEFAULT_UNKNOWN_CHARGERS)
        if policy == POLICY_ACCEPT:
            return ACCEPTED
        if policy == POLICY_REJECT:
            return REJECTED
        # ask: the charger stays connected, Pending, while a discovery card asks the user
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                DOMAIN,
                context={"source": SOURCE_INTEGRATION_DISCOVERY},
                data={
                    "entry_id": entry.entry_id,
                    "station_id": station_id,
                    "vendor": boot.get("chargePointVendor") or boot.get("chargingStation", {}).get("vendorName"),
                    "model": boot.get("chargePointModel") or boot.get("chargingStation", {}).get("model"),
                },
            ),
            f"{DOMAIN} discovery of {station_id}",
        )
        return PENDING

    return decide
