"""What a charger id may leave behind: nothing when nobody accepted it, a small record when it is known.

Profile 0 cannot tell a charger from anyone using its id, and with the "accept" policy every id that
boots becomes a station.  So: an id that never registered (no boot answered, or Rejected) and carries
nothing the user set is forgotten when it disconnects; a known one keeps its record but only the last
few frames of its frame log while offline; and past `CentralSystemConfig.max_stations` a new id is
refused before the WebSocket upgrade (a warning says why, at most once a minute) unless
`CentralSystemConfig.over_max_stations` lets it in (an id the user accepted).
"""

from __future__ import annotations

import logging
import time

from ..config import CentralSystemConfig
from ..model.settings import ChargerSettings
from ..model.station import RegistrationStatus, Station

_LOGGER = logging.getLogger(__name__)
_WARN_EVERY = 60.0  # s between two warnings about refused new ids (a flood logs one line a minute)
_UNSET = ChargerSettings()


def unregistered(station: Station, has_password: bool) -> bool:
    """An id nobody accepted (and none awaits the user's decision) with nothing of the user's on it."""
    return (
        station.registration_status in (None, RegistrationStatus.REJECTED)
        and not has_password
        and station.settings == _UNSET
        and all(connector.transaction is None for connector in station.connectors.values())
    )


class StationCap:
    """Admits a new charger id only while fewer than `max_stations` are known."""

    def __init__(self, config: CentralSystemConfig, stations: dict[str, Station]) -> None:
        self._config = config
        self._stations = stations
        self._warned_at: float | None = None
        self.refused = 0  # new ids refused so far (for diagnostics and tests)

    def admits(self, station_id: str) -> bool:
        if station_id in self._stations or len(self._stations) < self._config.max_stations:
            return True
        over = self._config.over_max_stations
        if over is not None and over(station_id):  # the user's own decision to let it in: not a flood
            return True
        self.refused += 1
        now = time.monotonic()
        if self._warned_at is None or now - self._warned_at >= _WARN_EVERY:
            self._warned_at = now
            _LOGGER.warning(
                "Refused new charger %s: %d chargers are known already (max_stations); chargers known before"
                " still connect. Remove chargers you do not use (their devices), or raise the limit"
                " (%d new ids refused so far)",
                station_id,
                len(self._stations),
                self.refused,
            )
        return False
