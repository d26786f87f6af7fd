"""Security profile 0 cannot tell a charger from anyone using its id; this notices the likely takeover.

A known (accepted) charger's connection that was alive a moment ago, replaced by a new one from another
address, is either the charger moving (rare: it would first lose its old connection) or someone else
speaking with its id.  The central system then logs a warning and emits CONNECTION_REPLACED, so the
user can be told (a repair in Home Assistant) to use security profile 1 with a password per charger.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from websockets.asyncio.server import ServerConnection

from ..model.station import RegistrationStatus, Station

_LOGGER = logging.getLogger(__name__)

# the replaced connection counts as alive when its last frame came at most this long ago (s)
LIVE_WITHIN = 60.0


def peer_address(connection: ServerConnection) -> str:
    """The peer's IP address (the port changes with every connection)."""
    remote = connection.remote_address
    return str(remote[0]) if isinstance(remote, tuple) and remote else str(remote)


def takeover(station: Station | None, previous_remote: str, previous_seen: float, remote: str) -> dict[str, Any] | None:
    """The event data when a known charger's live connection from one address is replaced from another.

    `previous_seen`: time.monotonic() of the replaced connection's last frame.  None: nothing suspicious.
    """
    if station is None or station.registration_status != RegistrationStatus.ACCEPTED or previous_remote == remote:
        return None
    idle = time.monotonic() - previous_seen
    if idle > LIVE_WITHIN:
        return None
    _LOGGER.warning(
        "%s: its live connection from %s (last message %.0f s ago) was replaced by a new one from %s."
        " With security profile 0 anyone can connect with a charger's id: use profile 1 with a password"
        " per charger",
        station.station_id,
        previous_remote,
        idle,
        remote,
    )
    return {"remote": remote, "previous_remote": previous_remote, "idle_s": round(idle, 1)}
