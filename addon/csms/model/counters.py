"""Counts kept per charger across restarts: ended sessions, boots, dropped connections.

Kept apart from the transaction history on purpose: the history is trimmed to
its configured size, a count never goes back (Home Assistant shows it as a
total_increasing sensor, so statistics can sum it up per day or month).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class StationCounters:
    sessions: int = 0  # sessions that ended (matched or recorded as they ended)
    boots: int = 0  # BootNotifications, whatever the answer
    disconnects: int = 0  # connections that ended (the charger or the network dropped it, or we closed it)

    def to_dict(self) -> dict[str, int]:
        return {"sessions": self.sessions, "boots": self.boots, "disconnects": self.disconnects}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> StationCounters:
        """As stored; a count that is not a number starts again at 0 rather than failing the load."""
        data = data or {}

        def count(name: str) -> int:
            value = data.get(name)
            return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

        return cls(sessions=count("sessions"), boots=count("boots"), disconnects=count("disconnects"))
