"""What buttons and switches ask of a charger, in the form of its OCPP version.

OCPP 1.6 has connectors; 2.0.1 and 2.1 have EVSEs, each with connectors of its
own.  Home Assistant shows a 2.x station's EVSEs where it shows a 1.6
charger's connectors (`Station.connectors`, devices `<charger>:<n>`), so an
entity's connector number is the EVSE's there.
"""

from __future__ import annotations

from .csms import CentralSystem, Connector
from .errors import Answer

# UnlockConnector answers meaning the connector stayed locked (1.6, then 2.x)
UNLOCK_REFUSED = frozenset({"UnlockFailed", "NotSupported", "OngoingAuthorizedTransaction", "UnknownConnector"})


def evse_connector(evse: Connector | None) -> int:
    """The connector of an EVSE to act on: the one in use, else the first one known, else 1."""
    if evse is None or not evse.connector_statuses:
        return 1
    in_use = [number for number, status in sorted(evse.connector_statuses.items()) if status == "Occupied"]
    return in_use[0] if in_use else min(evse.connector_statuses)


async def restart(central: CentralSystem, station_id: str) -> Answer:
    """Restart the charger: 1.6 Soft (sessions end first), 2.x Immediate (the same)."""
    if central.stations[station_id].is_v2:
        return await central.v201(station_id).reset("Immediate")
    return await central.v16(station_id).reset("Soft")


async def unlock(central: CentralSystem, station_id: str, connector_id: int) -> Answer:
    """Unlock a connector (1.6) or the connector of an EVSE (2.x, see `evse_connector`)."""
    station = central.stations[station_id]
    if station.is_v2:
        evse = station.connectors.get(connector_id)
        return await central.v201(station_id).unlock_connector(connector_id, evse_connector(evse))
    return await central.v16(station_id).unlock_connector(connector_id)


async def change_availability(
    central: CentralSystem, station_id: str, connector_id: int | None, operative: bool
) -> Answer:
    """Operative / Inoperative: the whole charger (None), or one connector (1.6) / EVSE (2.x)."""
    status = "Operative" if operative else "Inoperative"
    if central.stations[station_id].is_v2:
        return await central.v201(station_id).change_availability(status, connector_id or None)
    return await central.v16(station_id).change_availability(connector_id or 0, status)
