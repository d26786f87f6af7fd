"""Setting up an entry in remote mode (the add-on's central system): RemoteCentral behind the same platforms,
bridge, automation events and repairs as the embedded mode (docs/remote_mode.md).

The add-on unreachable: every entity unavailable and a repair issue; back: the issue goes, the entities recover
(no reload).  A refused token starts the reauthentication.  The stream's cursor is kept in the entry's storage.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady, HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store

from ..const import CONF_API_TOKEN, CONF_MODE, DOMAIN, MODE_REMOTE, STORAGE_VERSION
from ..coordinator import attach_runtime, default_id_tag, signal_update
from ..entry_updates import listen_for_updates
from ..repairs import raise_entry_issue
from .carry_over import CarryOver
from .central import RemoteCentral
from .client import AddonClient
from .errors import AddonError, AuthFailed
from .start_tag import outdated_issue_id, tell_default_tag

_LOGGER = logging.getLogger(__name__)

# s: a cursor written at most this long after the event it points past (a crash of HA may deliver as many again)
CURSOR_SAVE_DELAY = 1.0


def is_remote(entry: ConfigEntry) -> bool:
    return entry.data.get(CONF_MODE) == MODE_REMOTE


def client_for(hass: HomeAssistant, host: str, port: int, token: str) -> AddonClient:
    """A client of the add-on's API on Home Assistant's shared HTTP session."""
    return AddonClient(async_get_clientsession(hass), host, port, token)


class StoredCursor:
    """The event stream's cursor in the entry's own storage file (beside nothing else: the add-on keeps the rest)."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.remote")
        self._cursor: dict[str, Any] = {}
        self._scheduled = False

    async def load(self) -> tuple[str, int] | None:
        data = await self._store.async_load()
        if not data or not isinstance(data.get("stream"), str) or not isinstance(data.get("seq"), int):
            return None
        return data["stream"], data["seq"]

    def save_soon(self, stream: str, seq: int) -> None:
        # scheduled once: Store.async_delay_save restarts its timer on every call, and the events of a charger
        # sending meter values more often than the delay would postpone the write for ever
        self._cursor = {"stream": stream, "seq": seq}
        if not self._scheduled:
            self._scheduled = True
            self._store.async_delay_save(self._take, CURSOR_SAVE_DELAY)

    def _take(self) -> dict[str, Any]:
        self._scheduled = False
        return self._cursor

    async def save_now(self, stream: str, seq: int) -> None:
        self._scheduled = False  # (Store drops a pending delayed write when it writes now)
        self._cursor = {"stream": stream, "seq": seq}
        await self._store.async_save(self._cursor)

    async def async_remove(self) -> None:
        await self._store.async_remove()


def _set_up_from(entry: ConfigEntry) -> dict[str, Any]:
    """What a remote entry's set-up read and only a reload changes: all its data but the token (taken live)."""
    return {key: value for key, value in entry.data.items() if key != CONF_API_TOKEN}


def unreachable_issue_id(entry_id: str) -> str:
    return f"addon_unreachable_{entry_id}"


async def async_setup_remote_entry(hass: HomeAssistant, entry: Any, platforms: Iterable[Platform]) -> bool:
    client = client_for(hass, entry.data[CONF_HOST], int(entry.data[CONF_PORT]), entry.data[CONF_API_TOKEN])
    central = RemoteCentral(client, StoredCursor(hass, entry.entry_id))
    try:
        await central.load()
    except AuthFailed as err:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="addon_auth_failed") from err
    except AddonError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="addon_unreachable",
            translation_placeholders={"host": client.host, "port": str(client.port), "error": str(err)},
        ) from err
    runtime = attach_runtime(hass, entry, central)

    def tell_tag_soon() -> None:
        """The add-on back or read again (maybe updated, or another database): told the default tag again."""
        entry.async_create_background_task(
            hass, tell_default_tag(hass, entry.entry_id, client, runtime.default_id_tag), f"{DOMAIN} default tag"
        )

    @callback
    def refresh_all() -> None:
        """Every entity looks again (availability: the add-on lost or back; the mirror read again)."""
        for station_id in list(central.stations):
            runtime.show(station_id)
        for station_id, connectors in runtime.shown_connectors.items():
            for connector_id in (0, *connectors):
                async_dispatcher_send(hass, signal_update(entry.entry_id, station_id, connector_id))

    @callback
    def reachable(up: bool) -> None:
        issue_id = unreachable_issue_id(entry.entry_id)
        if up:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            tell_tag_soon()
        else:
            raise_entry_issue(hass, issue_id, "addon_unreachable", {"host": client.host, "port": str(client.port)})
        refresh_all()

    @callback
    def reloaded() -> None:
        tell_tag_soon()
        refresh_all()

    central.on_reachable = reachable
    central.on_reloaded = reloaded
    central.on_auth_failed = lambda: entry.async_start_reauth(hass)

    async def _keep_cursor(event: Event) -> None:
        await central.close()

    async def _updated_in_place(hass: HomeAssistant, entry: ConfigEntry) -> None:
        # a new token (a reauthentication, the add-on reinstalled and announced again) taken live: the stream goes
        # on from its cursor
        if entry.data[CONF_API_TOKEN] != client.token:
            central.renew_token(entry.data[CONF_API_TOKEN])
        # Home Assistant's own options (the central system's are the add-on's: set there by the options flow);
        # the default tag is the add-on's remote-only tag too
        runtime.default_id_tag = default_id_tag(entry)
        await tell_default_tag(hass, entry.entry_id, client, runtime.default_id_tag)

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _keep_cursor))
    entry.async_on_unload(central.close)
    listen_for_updates(hass, entry, _set_up_from, _updated_in_place)
    ir.async_delete_issue(hass, DOMAIN, unreachable_issue_id(entry.entry_id))
    await tell_default_tag(hass, entry.entry_id, client, runtime.default_id_tag)
    await _carry_over(hass, entry, central)
    for station_id in list(central.stations):
        runtime.show(station_id)
    await hass.config_entries.async_forward_entry_setups(entry, platforms)
    # after the platforms: the events of the time HA was away reach entities and automations alike
    entry.async_create_background_task(hass, central.run(), f"{DOMAIN} event stream of {entry.title}")
    return True


async def _carry_over(hass: HomeAssistant, entry: Any, central: RemoteCentral) -> None:
    """An entry moved from the embedded central system: its tags and settings copied to the add-on (carry_over.py);
    what waits for a charger the add-on has not seen yet is copied when it appears."""
    carry = CarryOver(hass, entry.entry_id, central)
    entry.async_on_unload(central.events.subscribe(carry.handle, carry.EVENTS))
    try:
        await carry.run()
    except HomeAssistantError as err:  # (the add-on answered the snapshot but not this: the next setup tries again)
        _LOGGER.warning("Copying tags and settings to the OCPP Core add-on: %s", err)


async def async_remove_remote_entry(hass: HomeAssistant, entry_id: str) -> None:
    await StoredCursor(hass, entry_id).async_remove()
    ir.async_delete_issue(hass, DOMAIN, outdated_issue_id(entry_id))
    # what a moved entry's embedded central system had kept, and what of it was copied to the add-on
    for key in (f"{DOMAIN}.{entry_id}", f"{DOMAIN}.{entry_id}.carried_over"):
        await Store[dict[str, Any]](hass, STORAGE_VERSION, key).async_remove()
