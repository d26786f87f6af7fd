"""An embedded entry moved onto the add-on (the hassio step's `move_entry`): its tags and per-charger settings are
copied to the add-on, so the move loses none of them (README: moving an installation).

The embedded central system's storage file (`ocpp_core.<entry id>`) stays after the move; the copy reads it.
Each tag and each charger's settings is copied once: what is done is kept in `ocpp_core.<entry id>.carried_over`,
so a later setup copies nothing again (a change made on the add-on since is never overwritten).  What the add-on
cannot take yet — the settings of a charger it has not seen, a tag limited to such a charger — stays pending and
is copied when that charger first appears at the add-on (STATION_ADDED), or at the next setup.  A tag already in
the add-on's tag book is given the embedded one's fields (the same tag, entered there by hand before the move).
Passwords are stored hashed and the API takes none but new ones: they are entered again (README).
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from ..const import DOMAIN, STORAGE_VERSION
from ..csms import (
    CentralSystem,
    CentralSystemConfig,
    ChargerSettings,
    Event,
    EventType,
    InvalidSettings,
    MemoryPersistence,
    TagError,
)
from .central import RemoteCentral
from .records import record_changes

_LOGGER = logging.getLogger(__name__)


class CarryOver:
    """The copy of one moved entry's tags and settings (see the module's docstring)."""

    EVENTS = (EventType.STATION_ADDED,)

    def __init__(self, hass: HomeAssistant, entry_id: str, central: RemoteCentral) -> None:
        self._hass = hass
        self._central = central
        self._source: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")
        self._done: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.carried_over")
        self._old: CentralSystem | None = None
        self._copied: dict[str, list[str]] = {"tags": [], "chargers": []}
        self._running = False

    async def run(self) -> dict[str, int]:
        """Copy what is still to be copied; how many tags and chargers' settings were copied, how many wait."""
        if self._old is None and not await self._load():
            return {"tags": 0, "chargers": 0, "pending": 0}
        if self._running:  # (a charger appearing while a copy runs: that copy sees it)
            return {"tags": 0, "chargers": 0, "pending": len(self._pending_tags()) + len(self._pending_chargers())}
        self._running = True
        try:
            return await self._copy()
        finally:
            self._running = False

    async def _load(self) -> bool:
        data = await self._source.async_load()
        if not data:
            return False
        done = await self._done.async_load() or {}
        self._copied = {"tags": list(done.get("tags") or ()), "chargers": list(done.get("chargers") or ())}
        old = CentralSystem(CentralSystemConfig(host="127.0.0.1", port=0), MemoryPersistence(data))
        await old.state.load()  # the stored state only: never started, nothing listens
        self._old = old
        return True

    def _pending_tags(self) -> list[Any]:
        assert self._old is not None
        return [record for record in self._old.tags if record.key not in self._copied["tags"]]

    def _pending_chargers(self) -> dict[str, ChargerSettings]:
        assert self._old is not None
        return {
            station_id: station.settings
            for station_id, station in sorted(self._old.stations.items())
            if station_id not in self._copied["chargers"] and station.settings != ChargerSettings()
        }

    async def _copy(self) -> dict[str, int]:
        counts = {"tags": 0, "chargers": 0}
        try:
            await self._copy_settings(counts)
            await self._copy_tags(counts)
        finally:  # what was copied is kept even when the add-on went away halfway
            if counts["tags"] or counts["chargers"]:
                await self._done.async_save(self._copied)
        pending = len(self._pending_tags()) + len(self._pending_chargers())
        if counts["tags"] or counts["chargers"]:
            _LOGGER.info(
                "Copied %s tags and %s chargers' settings to the OCPP Core add-on (%s waiting for their chargers)",
                counts["tags"],
                counts["chargers"],
                pending,
            )
        return {**counts, "pending": pending}

    async def _copy_settings(self, counts: dict[str, int]) -> None:
        known = set(self._central.stations)
        for station_id, settings in self._pending_chargers().items():
            if station_id not in known:
                continue  # the add-on has not seen it yet: when it appears
            try:
                await self._central.records.update_settings(station_id, _settings(settings))
            except (InvalidSettings, KeyError) as err:  # (an add-on of another release: told, not retried)
                _LOGGER.warning("Settings of %s not copied to the OCPP Core add-on: %s", station_id, err)
            self._copied["chargers"].append(station_id)
            counts["chargers"] += 1

    async def _copy_tags(self, counts: dict[str, int]) -> None:
        pending = self._pending_tags()
        if not pending:
            return
        records = self._central.records
        known = set(self._central.stations)
        book = await records.tag_list()
        for record in pending:
            if not record.chargers <= known:
                continue  # limited to a charger the add-on has not seen yet: when it appears
            try:
                if book.get(record.id_tag) is None:
                    await records.add_tag(record)
                else:  # entered at the add-on before the move: the entry's fields
                    await records.update_tag(record.id_tag, record_changes(record))
            except TagError as err:
                _LOGGER.warning("Tag %s not copied to the OCPP Core add-on: %s", record.id_tag, err)
            self._copied["tags"].append(record.key)
            counts["tags"] += 1

    async def _run_logged(self) -> None:
        try:
            await self.run()
        except HomeAssistantError as err:  # the add-on away: the next charger or setup tries again
            _LOGGER.warning("Copying tags and settings to the OCPP Core add-on: %s", err)

    def handle(self, event: Event) -> None:
        """A charger new to the add-on: what waited for it is copied now."""
        if self._old is not None and (self._pending_chargers() or self._pending_tags()):
            self._hass.async_create_task(self._run_logged(), f"{DOMAIN} carry over")


def _settings(settings: ChargerSettings) -> dict[str, Any]:
    """Every setting (all of them set as the embedded central system had them)."""
    return {
        "friendly_name": settings.friendly_name,
        "max_current": settings.max_current,
        "phases": settings.phases,
        "connector_names": dict(settings.connector_names),
        "meter_interval": settings.meter_interval,
        "push_local_list": settings.push_local_list,
        "limit_profile": settings.limit_profile,
    }
