"""The config flow's remote mode: the integration on the add-on's central system.

Discovered (`async_step_hassio`: the add-on announces host, API port and token to the Supervisor) — one entry per
add-on, its unique id the add-on's slug (the discovery's uuid changes on a reinstall; a new announcement updates
the entry and reloads it) —, or set up by hand (host, port, token: an add-on elsewhere, or the app on its own).
A wrong token on setup, or one refused while the entry runs (the add-on restarted with another), starts
`async_step_reauth`; the right one then goes to the running entry without a reload.  The token is checked by calling the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntry, ConfigEntryState, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.helpers import selector
from homeassistant.helpers.service_info.hassio import HassioServiceInfo

from ..const import CONF_API_TOKEN, CONF_MODE, DEFAULT_ADDON_API_PORT, MODE_REMOTE
from ..entry_updates import update_and_abort
from .central import RemoteCentral
from .errors import AddonError, AuthFailed
from .setup import client_for, is_remote

# the hassio step's choice: an embedded entry whose central system moves to the add-on (kept: its entities)
CONF_MOVE_ENTRY = "move_entry"

_TOKEN = selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD))


def remote_data(host: str, port: int, token: str) -> dict[str, Any]:
    return {CONF_MODE: MODE_REMOTE, CONF_HOST: host, CONF_PORT: port, CONF_API_TOKEN: token}


class RemoteConfigFlow(ConfigFlow):
    """The remote mode's steps (OcppConfigFlow takes them in)."""

    _remote: dict[str, Any]

    async def _check(self, host: str, port: int, token: str) -> dict[str, str]:
        """The form's errors calling the API with these (empty: it answered and took the token)."""
        try:
            await client_for(self.hass, host, port, token).validate()
        except AuthFailed:
            return {"base": "invalid_auth"}
        except AddonError:
            return {"base": "cannot_connect"}
        return {}

    async def async_step_hassio(self, discovery_info: HassioServiceInfo) -> ConfigFlowResult:
        """The add-on announced itself: offer to use it."""
        config = discovery_info.config
        data = remote_data(
            str(config[CONF_HOST]), int(config.get("api_port", DEFAULT_ADDON_API_PORT)), str(config[CONF_API_TOKEN])
        )
        await self.async_set_unique_id(discovery_info.slug)
        # a reinstall announces again (a new uuid, perhaps a new token): the entry takes it (its update listener:
        # a new address reloads it, a new token is taken live; entry_updates.py)
        self._abort_if_unique_id_configured(updates=data, reload_on_update=False)
        self._remote = {**data, "name": discovery_info.name}
        self.context["title_placeholders"] = {"name": discovery_info.name}
        return await self.async_step_hassio_confirm()

    async def async_step_hassio_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Use the add-on: a new entry, or an embedded central system moved onto it (`move_entry`)."""
        errors: dict[str, str] = {}
        name = str(self._remote["name"])
        data = {key: value for key, value in self._remote.items() if key != "name"}
        embedded = [e for e in self._async_current_entries(include_ignore=False) if not is_remote(e)]
        if user_input is not None:
            errors = await self._check(data[CONF_HOST], data[CONF_PORT], data[CONF_API_TOKEN])
            moved = next((e for e in embedded if e.entry_id == user_input.get(CONF_MOVE_ENTRY)), None)
            if not errors and moved is not None:
                # the same entry: its unique ids, devices, entity ids and their history stay as they are
                return update_and_abort(self, moved, "moved_to_addon", unique_id=self.unique_id, data=data)
            if not errors:
                return self.async_create_entry(title=name, data=data)
        schema = vol.Schema({})
        if embedded:
            choices = [selector.SelectOptionDict(value=e.entry_id, label=e.title) for e in embedded]
            schema = vol.Schema(
                {
                    vol.Optional(CONF_MOVE_ENTRY): selector.SelectSelector(
                        selector.SelectSelectorConfig(options=choices, mode=selector.SelectSelectorMode.DROPDOWN)
                    )
                }
            )
        return self.async_show_form(
            step_id="hassio_confirm", data_schema=schema, description_placeholders={"addon": name}, errors=errors
        )

    async def async_step_remote(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """By hand: the add-on's (or the standalone app's) address, API port and token."""
        errors: dict[str, str] = {}
        host, port = "", DEFAULT_ADDON_API_PORT
        if user_input is not None:
            host, port = user_input[CONF_HOST].strip(), int(user_input[CONF_PORT])
            token = user_input[CONF_API_TOKEN].strip()
            self._async_abort_entries_match({CONF_MODE: MODE_REMOTE, CONF_HOST: host, CONF_PORT: port})
            errors = await self._check(host, port, token)
            if not errors:
                return self.async_create_entry(title=f"OCPP Core ({host}:{port})", data=remote_data(host, port, token))
        schema = vol.Schema(
            {
                vol.Required(CONF_HOST, default=host): str,
                vol.Required(CONF_PORT, default=port): vol.All(vol.Coerce(int), vol.Range(min=1, max=65535)),
                vol.Required(CONF_API_TOKEN): _TOKEN,
            }
        )
        return self.async_show_form(step_id="remote", data_schema=schema, errors=errors)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The add-on refused the entry's token."""
        return await self.async_step_reauth_confirm()

    def _renewed(self, entry: ConfigEntry, token: str) -> ConfigFlowResult:
        """The right token again.  A loaded entry (the token revoked while it ran) takes it live: its stream goes
        on from its cursor, its devices and entities stay as they are (no reload); one that failed to set up
        is set up again."""
        central = getattr(entry.runtime_data, "central", None) if entry.state is ConfigEntryState.LOADED else None
        if not isinstance(central, RemoteCentral):
            return update_and_abort(self, entry, "reauth_successful", data={**entry.data, CONF_API_TOKEN: token})
        self.hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_API_TOKEN: token})
        central.renew_token(token)
        return self.async_abort(reason="token_renewed")

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            token = user_input[CONF_API_TOKEN].strip()
            errors = await self._check(entry.data[CONF_HOST], int(entry.data[CONF_PORT]), token)
            if not errors:
                return self._renewed(entry, token)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_API_TOKEN): _TOKEN}),
            description_placeholders={"host": str(entry.data[CONF_HOST]), "port": str(entry.data[CONF_PORT])},
            errors=errors,
        )
