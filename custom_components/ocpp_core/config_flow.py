"""Config flow: one entry per central system (per listening port)."""

from __future__ import annotations

import socket
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers import selector

from .const import (
    CONF_DEFAULT_ID_TAG,
    CONF_HEARTBEAT_INTERVAL,
    CONF_STRICT_VALIDATION,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_HOST,
    DEFAULT_ID_TAG,
    DEFAULT_PORT,
    DOMAIN,
)


def _port_free(host: str, port: int) -> bool:
    """Can we listen there?  (Blocking; run in the executor.)"""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _user_schema(host: str, port: int) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=host): str,
            vol.Required(CONF_PORT, default=port): vol.All(vol.Coerce(int), vol.Range(min=1, max=65535)),
        }
    )


class OcppConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a central system listening on one port."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        host, port = DEFAULT_HOST, DEFAULT_PORT
        if user_input is not None:
            host, port = user_input[CONF_HOST].strip(), int(user_input[CONF_PORT])
            self._async_abort_entries_match({CONF_PORT: port})
            if await self.hass.async_add_executor_job(_port_free, host, port):
                return self.async_create_entry(
                    title=f"OCPP central system (port {port})", data={CONF_HOST: host, CONF_PORT: port}
                )
            errors["base"] = "port_in_use"
        return self.async_show_form(step_id="user", data_schema=_user_schema(host, port), errors=errors)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OcppOptionsFlow:
        return OcppOptionsFlow()


class OcppOptionsFlow(OptionsFlow):
    """Settings that apply without dropping any charger."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        options = self.config_entry.options
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
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema)
