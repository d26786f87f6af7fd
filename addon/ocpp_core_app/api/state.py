"""The central system's state as the API shows it: plain JSON of chargers, connectors (EVSEs), sessions, tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..central_import import csms

# the measurand of the energy register (the charger's meter count; OCPP's name for it)
ENERGY_IMPORT_REGISTER = "Energy.Active.Import.Register"


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def session_view(tx: Any) -> dict[str, Any]:
    """A transaction (open or ended)."""
    return {**tx.to_dict(), "energy_wh": tx.energy_wh, "open": tx.is_open}


def connector_view(station: Any, connector: Any) -> dict[str, Any]:
    """A 1.6 connector or a 2.x EVSE (connector_id is then the EVSE's id)."""
    name = station.settings.connector_names.get(connector.connector_id)
    view: dict[str, Any] = {
        "connector_id": connector.connector_id,
        "name": name,
        "status": csms.connector_status(station, connector),
        "ocpp_status": connector.status,
        "error_code": connector.error_code,
        "status_time": _time(connector.status_time),
        "power_w": connector.reading(csms.POWER_IMPORT),
        "energy_register_wh": connector.reading(ENERGY_IMPORT_REGISTER),
        "lifetime_energy_wh": connector.lifetime_energy_wh,
        "delivering": csms.delivering(station, connector),
        "session": session_view(connector.transaction) if connector.transaction is not None else None,
    }
    if station.is_v2:
        view["charging_state"] = connector.charging_state
        view["connector_statuses"] = {str(k): v for k, v in sorted(connector.connector_statuses.items())}
    return view


def charger_view(central: Any, station: Any) -> dict[str, Any]:
    version = station.ocpp_version
    return {
        "id": station.station_id,
        "name": station.settings.friendly_name,
        "ocpp_version": str(version).removeprefix("ocpp") if version is not None else None,  # 1.6, 2.0.1, 2.1
        "connected": central.is_connected(station.station_id),
        "registration_status": station.registration_status,
        "vendor": station.vendor,
        "model": station.model,
        "serial_number": station.serial_number,
        "firmware_version": station.firmware_version,
        "status": station.status,
        "error_code": station.error_code,
        "last_heartbeat": _time(station.last_heartbeat),
        "last_boot": _time(station.last_boot),
        "connectors": [
            connector_view(station, connector)
            for number, connector in sorted(station.connectors.items())
            if number > 0  # connector 0 is the charger itself (its status is the charger's)
        ],
        "limits": [limit.to_dict() for limit in _limits(central, station)],
        "paused_from": _paused_from(central, station),
    }


def _paused_from(central: Any, station: Any) -> dict[str, float]:
    """The limit each paused connector (0: the charger) goes back to on resume."""
    kept = central.limits.kept(station.station_id)
    return {str(n): amps for n, amps in sorted(kept.paused_from.items())} if kept is not None else {}


def mirror_view(central: Any, station: Any, *, connectors: bool = True) -> dict[str, Any]:
    """Everything Home Assistant's entities read of a charger, for the integration's mirror of it (remote mode:
    csms.mirror_station builds csms's own Station from it)."""
    station_id = station.station_id
    return csms.station_state(
        station, central.is_connected(station_id), central.limits.phases(station_id), connectors=connectors
    )


def _limits(central: Any, station: Any) -> list[Any]:
    numbers = [0, *sorted(n for n in station.connectors if n > 0)]
    found = (central.limits.get(station.station_id, number) for number in numbers)
    return [limit for limit in found if limit is not None]


def tag_view(record: Any) -> dict[str, Any]:
    """A tag as HA's list_tags shows it (with its status now: an Accepted tag past its expiry is Expired)."""
    return {**record.to_dict(), "status_now": record.status_at(csms.utcnow())}


def event_view(event: Any) -> dict[str, Any]:
    """An event of the central system's stream, as a WebSocket message."""
    return {
        "type": str(event.type),
        "station_id": event.station_id,
        "connector_id": event.connector_id,
        "data": event.data or {},
    }
