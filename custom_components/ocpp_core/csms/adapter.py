"""What every OCPP version adapter offers the central system."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

from .config import CentralSystemConfig
from .rpc import Handler, Payload
from .state import CentralState

CallFn = Callable[[str, Payload], Awaitable[Payload]]


class VersionAdapter(ABC):
    """Translates one OCPP version's messages to and from the domain model."""

    def __init__(self, station_id: str, state: CentralState, call: CallFn, config: CentralSystemConfig) -> None:
        self.station_id = station_id
        self.state = state
        self.call = call
        self.config = config

    @abstractmethod
    def handler(self, action: str) -> Handler | None:
        """The handler for a charger-initiated action, or None when not implemented."""

    @abstractmethod
    async def remote_start(self, connector_id: int | None, id_tag: str) -> dict[str, Any]:
        """Ask the charger to start charging; returns its answer."""

    @abstractmethod
    async def remote_stop(self, transaction_id: str) -> dict[str, Any]:
        """Ask the charger to stop a transaction; returns its answer."""

    def record_answer(self, action: str, request: Payload, answer: Payload) -> None:  # noqa: B027 - optional hook
        """Learn from the charger's answer to one of our calls (nothing by default)."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """The connection is gone: stop what the adapter runs in the background."""
