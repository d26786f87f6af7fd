"""What the features (limits, local lists, meter intervals) need of the central system: a narrow port.

`CentralSystem` satisfies `Central` structurally; the features never import it, so there is no import
cycle and they do not know the version packages: they send version-neutral commands through
`charger(station_id)` (features/charger.py), which the version adapters implement.
"""

from __future__ import annotations

from typing import Protocol

from ..config import CentralSystemConfig
from ..model.events import EventBus
from ..model.station import Station
from ..state.central_state import CentralState
from .charger import Capabilities, Charger


class Central(Protocol):
    """The central system as the features see it."""

    config: CentralSystemConfig
    events: EventBus
    state: CentralState

    @property
    def stations(self) -> dict[str, Station]: ...

    def is_connected(self, station_id: str) -> bool: ...

    def charger(self, station_id: str) -> Charger: ...

    def capabilities(self, station: Station) -> Capabilities: ...
