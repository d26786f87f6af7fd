"""Where the central system keeps what must survive a restart.

The HA integration implements this on Home Assistant's `Store`; the stand-alone
central system (and tests) use `MemoryPersistence`.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from ..rpc.codec import dumps, loads


class Persistence(ABC):
    """Load once at start; save immediately for what must never be lost, debounced otherwise."""

    @abstractmethod
    async def async_load(self) -> dict[str, Any] | None:
        """Return the saved data, or None when nothing was saved yet."""

    @abstractmethod
    async def async_save(self, data: dict[str, Any]) -> None:
        """Write now, and return once written."""

    @abstractmethod
    def schedule_save(self, data_fn: Callable[[], dict[str, Any]]) -> None:
        """Write soon; `data_fn` is called at write time, so many changes cost one write."""


class MemoryPersistence(Persistence):
    """Keeps the data in memory (as JSON, so what cannot be stored fails here too)."""

    def __init__(self, initial: dict[str, Any] | None = None) -> None:
        self._saved: str | None = dumps(initial) if initial is not None else None
        self._pending: Callable[[], dict[str, Any]] | None = None
        self.writes = 0

    async def async_load(self) -> dict[str, Any] | None:
        return copy.deepcopy(loads(self._saved)) if self._saved is not None else None

    async def async_save(self, data: dict[str, Any]) -> None:
        self._saved = dumps(data)
        self._pending = None
        self.writes += 1

    def schedule_save(self, data_fn: Callable[[], dict[str, Any]]) -> None:
        self._pending = data_fn

    async def flush(self) -> None:
        """Write what is scheduled (what a clean shutdown does)."""
        if self._pending is not None:
            await self.async_save(self._pending())

    @property
    def saved(self) -> dict[str, Any] | None:
        return loads(self._saved) if self._saved is not None else None
