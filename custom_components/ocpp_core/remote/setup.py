"""Setting up an entry in remote mode (the add-on's central system): for now its connection and token are checked
(a wrong token starts the reauthentication); the entities on it come with RemoteCentral (docs/remote_mode.md)."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..const import CONF_API_TOKEN, CONF_MODE, DOMAIN, MODE_REMOTE
from .client import AddonClient
from .errors import AddonError, AuthFailed


def is_remote(entry: ConfigEntry) -> bool:
    return entry.data.get(CONF_MODE) == MODE_REMOTE


def embedded_loaded_entries(hass: HomeAssistant) -> list[Any]:
    """The loaded entries that run their own central system: the services that go over every central system
    skip the remote ones until those have theirs (RemoteCentral, docs/remote_mode.md)."""
    return [e for e in hass.config_entries.async_loaded_entries(DOMAIN) if not is_remote(e)]


def client_for(hass: HomeAssistant, host: str, port: int, token: str) -> AddonClient:
    """A client of the add-on's API on Home Assistant's shared HTTP session."""
    return AddonClient(async_get_clientsession(hass), host, port, token)


async def async_setup_remote_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    client = client_for(hass, entry.data[CONF_HOST], int(entry.data[CONF_PORT]), entry.data[CONF_API_TOKEN])
    try:
        await client.validate()
    except AuthFailed as err:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="addon_auth_failed") from err
    except AddonError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="addon_unreachable",
            translation_placeholders={"host": client.host, "port": str(client.port), "error": str(err)},
        ) from err
    return True
