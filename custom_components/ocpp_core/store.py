"""The central system's persistence on Home Assistant's Store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN, SAVE_DELAY_SECONDS, STORAGE_VERSION
from .csms import Persistence


class HaStorePersistence(Persistence):
    """One Store file per config entry (per central system)."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")
        self._data_fn: Callable[[], dict[str, Any]] = dict
        self._scheduled = False

    async def async_load(self) -> dict[str, Any] | None:
        return await self._store.async_load()

    async def async_save(self, data: dict[str, Any]) -> None:
        self._scheduled = False  # Store drops a pending delayed write when it writes now
        await self._store.async_save(data)

    def schedule_save(self, data_fn: Callable[[], dict[str, Any]]) -> None:
        # Store.async_delay_save restarts its timer on every call, so a charger sending meter
        # values more often than the delay would postpone the write forever: schedule once.
        self._data_fn = data_fn
        if not self._scheduled:
            self._scheduled = True
            self._store.async_delay_save(self._take_data, SAVE_DELAY_SECONDS)

    def _take_data(self) -> dict[str, Any]:
        self._scheduled = False
        return self._data_fn()

    async def async_remove(self) -> None:
        await self._store.async_remove()
