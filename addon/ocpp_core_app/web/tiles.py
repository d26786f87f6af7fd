"""The overview's tiles: one per charger, or one per connector where a charger has two or more; named as the
integration names them (the connector's own name, else `<charger name>:<n>`), coloured by state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..central_import import csms

AVAILABLE, OCCUPIED, CHARGING, FAULTED, OFFLINE, UNKNOWN = (
    "available", "occupied", "charging", "faulted", "offline", "unknown",
)  # fmt: skip
_OCCUPIED = frozenset({"Preparing", "SuspendedEV", "SuspendedEVSE", "Finishing", "Reserved", "Occupied"})
_FAULTED = frozenset({"Faulted", "Unavailable"})
SOC = "SoC"


@dataclass(frozen=True, slots=True)
class Tile:
    charger_id: str
    connector_id: int | None
    name: str
    state: str
    # the OCPP status as the charger reported it (shown beneath the state)
    status: str | None
    error_code: str | None
    session_start: datetime | None
    power_w: float | None
    soc: float | None


def charger_name(station: Any) -> str:
    return str(station.settings.friendly_name or station.station_id)


def connector_name(station: Any, number: int) -> str:
    """The integration's rule (csms's ChargerSettings.connector_name): its own name, else <charger>:<n>."""
    return str(station.settings.connector_name(charger_name(station), number))


def tile_state(connected: bool, station: Any, connector: Any | None) -> str:
    if not connected:
        return OFFLINE
    status = csms.connector_status(station, connector) if connector is not None else station.status
    if status == "Charging":
        return CHARGING
    if status in _FAULTED or (station.status in _FAULTED and connector is not None and status is None):
        return FAULTED
    if status in _OCCUPIED or (connector is not None and connector.transaction is not None):
        return OCCUPIED
    if status == "Available":
        return AVAILABLE
    return UNKNOWN


def _reading(connector: Any, measurand: str) -> float | None:
    value = connector.reading(measurand) if connector is not None else None
    return float(value) if isinstance(value, int | float) else None


def station_tiles(central: Any, station: Any) -> list[Tile]:
    connected = bool(central.is_connected(station.station_id))
    numbers = sorted(n for n in station.connectors if n > 0)
    if len(numbers) < 2:
        connector = station.connectors.get(numbers[0]) if numbers else None
        return [_tile(station, connector, connected, None, charger_name(station))]
    return [_tile(station, station.connectors[n], connected, n, connector_name(station, n)) for n in numbers]


def _tile(station: Any, connector: Any | None, connected: bool, number: int | None, name: str) -> Tile:
    tx = connector.transaction if connector is not None else None
    status = csms.connector_status(station, connector) if connector is not None else station.status
    error = connector.error_code if connector is not None else station.error_code
    return Tile(
        charger_id=station.station_id,
        connector_id=number,
        name=name,
        state=tile_state(connected, station, connector),
        status=status,
        error_code=error if error not in (None, "NoError") else None,
        session_start=tx.start_time if tx is not None else None,
        # only while a session runs: a charger often sends no last 0 W (nor a SoC) when it ends
        power_w=_reading(connector, csms.POWER_IMPORT) if connected and tx is not None else None,
        soc=_reading(connector, SOC) if connected and tx is not None else None,
    )


def all_tiles(central: Any) -> list[Tile]:
    stations = sorted(central.stations.values(), key=lambda s: (charger_name(s).casefold(), s.station_id))
    return [tile for station in stations for tile in station_tiles(central, station)]
