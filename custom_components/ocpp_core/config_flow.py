"""Config flow: one entry per central system (per listening port)."""

from __future__ import annotations

import socket
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntry, ConfigEntryState, ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers import selector

from .const import (
    CONF_CAFILE,
    CONF_CERTFILE,
    CONF_DEFAULT_ID_TAG,
    CONF_HEARTBEAT_INTERVAL,
    CONF_HISTORY_SIZE,
    CONF_KEYFILE,
    CONF_LIMIT_INTERVAL,
    CONF_LIMIT_STEP,
    CONF_MAX_MESSAGE_RATE,
    CONF_METER_INTERVAL,
    CONF_SECURITY_PROFILE,
    CONF_STRICT_VALIDATION,
    CONF_UNKNOWN_CHARGERS,
    CONFIG_VERSION,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_HISTORY_SIZE,
    DEFAULT_HOST,
    DEFAULT_ID_TAG,
    DEFAULT_LIMIT_INTERVAL,
    DEFAULT_LIMIT_STEP,
    DEFAULT_MAX_MESSAGE_RATE,
    DEFAULT_PORT,
    DEFAULT_UNKNOWN_CHARGERS,
    DOMAIN,
    MAX_MESSAGE_RATE,
    UNKNOWN_CHARGER_POLICIES,
)
from .csms import MAX_METER_INTERVAL
from .entry_updates import update_and_abort
from .options.central_system import options_form
from .options.charger import ChargerOptionsFlow
from .options.security import SecurityOptionsFlow, check_tls_files, security_data, security_fields
from .options.selectors import choice
from .options.tags import TagOptionsFlow
from .options.tariffs import TariffOptionsFlow
from .remote.config_flow import RemoteConfigFlow

_SECURITY_KEYS = (CONF_SECURITY_PROFILE, CONF_CERTFILE, CONF_KEYFILE, CONF_CAFILE)


def _port_free(host: str, port: int) -> bool:
    """Can we listen there?  (Blocking; run in the executor.)"""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _user_schema(host: str, port: int, security: dict[str, Any] | None = None) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=host): str,
            vol.Required(CONF_PORT, default=port): vol.All(vol.Coerce(int), vol.Range(min=1, max=65535)),
            **security_fields(security or {}),
        }
    )


class OcppConfigFlow(RemoteConfigFlow, ConfigFlow, domain=DOMAIN):
    """Set up a central system listening on one port (embedded), or use the add-on's (remote,
    remote/config_flow.py); confirm new chargers (unknown-charger policy ask)."""

    VERSION = CONFIG_VERSION

    def __init__(self) -> None:
        self._charger: dict[str, Any] = {}

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Move the central system to another address or port; devices and history stay."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        host, port = entry.data.get(CONF_HOST, DEFAULT_HOST), int(entry.data[CONF_PORT])
        security: dict[str, Any] = dict(entry.data)
        if user_input is not None:
            host, port = user_input[CONF_HOST].strip(), int(user_input[CONF_PORT])
            security = security_data(user_input)
            if port != entry.data[CONF_PORT]:
                self._async_abort_entries_match({CONF_PORT: port})
            errors = await self.hass.async_add_executor_job(check_tls_files, security)
            unchanged = (host, port) == (entry.data.get(CONF_HOST), entry.data[CONF_PORT])
            if not errors and not unchanged and not await self.hass.async_add_executor_job(_port_free, host, port):
                errors["base"] = "port_in_use"
            if not errors:
                data = {key: value for key, value in entry.data.items() if key not in _SECURITY_KEYS}
                data = {**data, CONF_HOST: host, CONF_PORT: port, **security}
                return update_and_abort(self, entry, "reconfigure_successful", data=data)
            security = {**security, **user_input}
        return self.async_show_form(
            step_id="reconfigure", data_schema=_user_schema(host, port, security), errors=errors
        )

    async def async_step_integration_discovery(self, discovery_info: dict[str, Any]) -> ConfigFlowResult:
        """A charger nobody accepted yet booted; it waits, connected and Pending, for the user."""
        station_id = str(discovery_info["station_id"])
        await self.async_set_unique_id(f"charger-{discovery_info['entry_id']}-{station_id}")
        self._abort_if_unique_id_configured()  # "ignored" by the user before
        self._charger = dict(discovery_info)
        self.context["title_placeholders"] = {"name": station_id}
        return await self.async_step_confirm_charger()

    async def async_step_confirm_charger(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        station_id = str(self._charger["station_id"])
        entry = self.hass.config_entries.async_get_entry(str(self._charger["entry_id"]))
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="central_system_not_loaded")
        if user_input is not None:
            central = entry.runtime_data.central
            if station_id not in central.stations:
                return self.async_abort(reason="charger_gone")
            # Accepted from now on; the connected charger is asked to boot again, without reconnecting
            await central.accept_station(station_id)
            return self.async_abort(reason="charger_accepted", description_placeholders={"name": station_id})
        return self.async_show_form(
            step_id="confirm_charger",
            description_placeholders={
                "name": station_id,
                "vendor": str(self._charger.get("vendor") or "?"),
                "model": str(self._charger.get("model") or "?"),
            },
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The central system in Home Assistant (embedded, the first choice), or the add-on's (remote)."""
        return self.async_show_menu(step_id="user", menu_options=["embedded", "remote"])

    async def async_step_embedded(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        host, port = DEFAULT_HOST, DEFAULT_PORT
        security: dict[str, Any] = {}
        if user_input is not None:
            host, port = user_input[CONF_HOST].strip(), int(user_input[CONF_PORT])
            security = security_data(user_input)
            self._async_abort_entries_match({CONF_PORT: port})
            errors = await self.hass.async_add_executor_job(check_tls_files, security)
            if not errors and not await self.hass.async_add_executor_job(_port_free, host, port):
                errors["base"] = "port_in_use"
            if not errors:
                return self.async_create_entry(
                    title=f"OCPP central system (port {port})", data={CONF_HOST: host, CONF_PORT: port, **security}
                )
            security = {**security, **user_input}
        return self.async_show_form(step_id="embedded", data_schema=_user_schema(host, port, security), errors=errors)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OcppOptionsFlow:
        return OcppOptionsFlow()


# the options menu: each entry is a step of OcppOptionsFlow (or of a mixin it takes in)
OPTIONS_MENU = ["general", "charger", "tags", "tariffs", "security"]


class OcppOptionsFlow(ChargerOptionsFlow, TagOptionsFlow, TariffOptionsFlow, SecurityOptionsFlow, OptionsFlow):
    """Settings that apply without dropping any charger, as a menu of forms (each edits what it edits where it is
    kept: the entry's options, or the central system's records — the embedded one's, or the add-on's)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(step_id="init", menu_options=OPTIONS_MENU)

    async def async_step_general(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The central system's own settings (where it keeps them: options/central_system.py) and Home
        Assistant's default tag and limit step."""
        # an emptied meter interval: each charger's own
        form = await options_form(
            self.config_entry, None if user_input is None else {CONF_METER_INTERVAL: None, **user_input}
        )
        if form.saved is not None:
            return self.async_create_entry(data=form.saved)
        options = form.shown
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_HEARTBEAT_INTERVAL, default=options.get(CONF_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_INTERVAL)
                ): vol.All(vol.Coerce(int), vol.Range(min=10, max=86400)),
                vol.Required(CONF_DEFAULT_ID_TAG, default=options.get(CONF_DEFAULT_ID_TAG, DEFAULT_ID_TAG)): vol.All(
                    str, vol.Length(min=1, max=20)
                ),
                vol.Required(
                    CONF_STRICT_VALIDATION, default=options.get(CONF_STRICT_VALIDATION, False)
                ): selector.BooleanSelector(),
                vol.Required(CONF_HISTORY_SIZE, default=options.get(CONF_HISTORY_SIZE, DEFAULT_HISTORY_SIZE)): vol.All(
                    vol.Coerce(int), vol.Range(min=0, max=100000)
                ),
                vol.Required(
                    CONF_UNKNOWN_CHARGERS, default=options.get(CONF_UNKNOWN_CHARGERS, DEFAULT_UNKNOWN_CHARGERS)
                ): choice(UNKNOWN_CHARGER_POLICIES, CONF_UNKNOWN_CHARGERS),
                vol.Required(
                    CONF_LIMIT_STEP, default=options.get(CONF_LIMIT_STEP, DEFAULT_LIMIT_STEP)
                ): selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=0.1, max=5, step=0.1, unit_of_measurement="A", mode=selector.NumberSelectorMode.BOX
                    )
                ),
                vol.Required(
                    CONF_LIMIT_INTERVAL, default=options.get(CONF_LIMIT_INTERVAL, DEFAULT_LIMIT_INTERVAL)
                ): selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=0, max=600, step=1, unit_of_measurement="s", mode=selector.NumberSelectorMode.BOX
                    )
                ),
                vol.Optional(
                    CONF_METER_INTERVAL, description={"suggested_value": options.get(CONF_METER_INTERVAL)}
                ): vol.All(vol.Coerce(int), vol.Range(min=0, max=MAX_METER_INTERVAL)),
                vol.Required(
                    CONF_MAX_MESSAGE_RATE, default=options.get(CONF_MAX_MESSAGE_RATE, DEFAULT_MAX_MESSAGE_RATE)
                ): selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=0,
                        max=MAX_MESSAGE_RATE,
                        step=1,
                        unit_of_measurement="1/s",
                        mode=selector.NumberSelectorMode.BOX,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="general", data_schema=schema, errors=form.errors, description_placeholders=form.placeholders
        )
