"""Security in the flows: the security profile and TLS files (setup, reconfigure) and the passwords (options).

Setup and reconfigure ask for the security profile (0 none, 1 HTTP Basic, 2 TLS
and Basic, 3 mutual TLS) and, for 2 and 3, the certificate (chain) and key —
Home Assistant's own /ssl/fullchain.pem and /ssl/privkey.pem are suggested — and
for 3 the CA that signed the chargers' certificates.  The files are checked in
the executor (present, readable, and loading as a TLS server context) and each
problem shows at its field.

The options menu entry "security" sets a charger's own password (sent to the
charger or not) and the password for new chargers.  Passwords are stored hashed
by the central system (the embedded one, or the add-on over its API, which never
returns one), never in the entry's options.
"""

from __future__ import annotations

import os
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import selector

from ..const import (
    CONF_CAFILE,
    CONF_CERTFILE,
    CONF_KEYFILE,
    CONF_SECURITY_PROFILE,
    DEFAULT_CERTFILE,
    DEFAULT_KEYFILE,
    SECURITY_PROFILES,
)
from ..coordinator import loaded_central
from ..csms import PUSH_MAX_LENGTH, PUSH_MIN_LENGTH, TlsSetupError, server_context
from ..services.security import password_problem, set_charger_password
from .selectors import choice

CONF_CHARGER = "charger"
CONF_PASSWORD = "password"
CONF_SEND_TO_CHARGER = "send_to_charger"
CONF_NEW_CHARGER_PASSWORD = "new_charger_password"
CONF_REMOVE = "remove"
SECURITY_MENU = ["security_charger", "security_new_chargers"]
_PASSWORD = selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD))
_TEXT = selector.TextSelector()


# ---- setup and reconfigure: the security profile and TLS files ----------------------------


def security_fields(data: dict[str, Any]) -> dict[Any, Any]:
    """The security part of the setup / reconfigure form, filled in with `data`."""
    profile = str(data.get(CONF_SECURITY_PROFILE, 0))
    return {
        vol.Required(CONF_SECURITY_PROFILE, default=profile): choice(SECURITY_PROFILES, CONF_SECURITY_PROFILE),
        vol.Optional(CONF_CERTFILE, description={"suggested_value": data.get(CONF_CERTFILE, DEFAULT_CERTFILE)}): _TEXT,
        vol.Optional(CONF_KEYFILE, description={"suggested_value": data.get(CONF_KEYFILE, DEFAULT_KEYFILE)}): _TEXT,
        vol.Optional(CONF_CAFILE, description={"suggested_value": data.get(CONF_CAFILE)}): _TEXT,
    }


def security_data(user_input: dict[str, Any]) -> dict[str, Any]:
    """What the entry keeps: the profile, and the files only where the profile uses them."""
    profile = int(user_input.get(CONF_SECURITY_PROFILE, 0))
    data: dict[str, Any] = {CONF_SECURITY_PROFILE: profile}
    if profile >= 2:
        data[CONF_CERTFILE] = (user_input.get(CONF_CERTFILE) or "").strip()
        data[CONF_KEYFILE] = (user_input.get(CONF_KEYFILE) or "").strip() or None
    if profile == 3:
        data[CONF_CAFILE] = (user_input.get(CONF_CAFILE) or "").strip()
    return data


def check_tls_files(data: dict[str, Any]) -> dict[str, str]:
    """Form errors for the TLS files of `security_data` (blocking: run in the executor)."""
    profile = data[CONF_SECURITY_PROFILE]
    if profile < 2:
        return {}
    errors: dict[str, str] = {}
    files = {CONF_CERTFILE: data.get(CONF_CERTFILE), CONF_KEYFILE: data.get(CONF_KEYFILE)}
    if profile == 3:
        files[CONF_CAFILE] = data.get(CONF_CAFILE)
    for field, path in files.items():
        if not path:
            if field != CONF_KEYFILE:  # the key may be in the certificate file
                errors[field] = "file_required"
        elif not os.path.isfile(path):
            errors[field] = "file_not_found"
        elif not os.access(path, os.R_OK):
            errors[field] = "file_unreadable"
    if errors:
        return errors
    try:
        server_context(data[CONF_CERTFILE], data.get(CONF_KEYFILE), data.get(CONF_CAFILE))
    except TlsSetupError as err:
        errors[CONF_CAFILE if err.file == "cafile" else CONF_CERTFILE] = "tls_invalid"
    return errors


# ---- options: passwords -------------------------------------------------------------------


class SecurityOptionsFlow(OptionsFlow):
    """The "security" entry of the options menu (mixed into OcppOptionsFlow)."""

    async def async_step_security(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(step_id="security", menu_options=SECURITY_MENU)

    async def async_step_security_charger(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A charger's own password: stored, and sent to the charger unless the user set it there by hand."""
        central = loaded_central(self.config_entry)
        if central is None:
            return self.async_abort(reason="central_system_not_loaded")
        if not central.stations:
            return self.async_abort(reason="no_chargers")
        errors: dict[str, str] = {}
        placeholders = {"min": str(PUSH_MIN_LENGTH), "max": str(PUSH_MAX_LENGTH), "error": ""}
        if user_input is not None:
            station_id = user_input[CONF_CHARGER]
            password, push = user_input[CONF_PASSWORD], user_input[CONF_SEND_TO_CHARGER]
            problem = password_problem(password, push)
            if station_id not in central.stations:
                errors[CONF_CHARGER] = "charger_gone"
            elif problem is not None:
                errors[CONF_PASSWORD] = problem
            elif push and not central.is_connected(station_id):
                errors[CONF_SEND_TO_CHARGER] = "charger_offline"
            else:
                try:
                    await set_charger_password(central, station_id, password, push)
                except HomeAssistantError as err:
                    errors["base"] = "password_not_sent"
                    placeholders["error"] = str(err)
                else:
                    return self.async_create_entry(data=dict(self.config_entry.options))
        with_password = await central.records.chargers_with_password()
        chargers = [
            selector.SelectOptionDict(
                value=station_id, label=station_id + (" 🔑" if station_id in with_password else "")
            )
            for station_id in sorted(central.stations)
        ]
        schema = vol.Schema(
            {
                vol.Required(CONF_CHARGER): selector.SelectSelector(
                    selector.SelectSelectorConfig(options=chargers, mode=selector.SelectSelectorMode.DROPDOWN)
                ),
                vol.Required(CONF_PASSWORD): _PASSWORD,
                vol.Required(CONF_SEND_TO_CHARGER, default=True): selector.BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="security_charger", data_schema=schema, errors=errors, description_placeholders=placeholders
        )

    async def async_step_security_new_chargers(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The password chargers without one of their own connect with (onboarding); empty keeps it."""
        central = loaded_central(self.config_entry)
        if central is None:
            return self.async_abort(reason="central_system_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            password = user_input.get(CONF_NEW_CHARGER_PASSWORD) or None
            if user_input.get(CONF_REMOVE):
                await central.records.set_new_charger_password(None)
                return self.async_create_entry(data=dict(self.config_entry.options))
            if password is None:
                return self.async_create_entry(data=dict(self.config_entry.options))
            problem = password_problem(password, False)
            if problem is None:
                await central.records.set_new_charger_password(password)
                return self.async_create_entry(data=dict(self.config_entry.options))
            errors[CONF_NEW_CHARGER_PASSWORD] = problem
        schema = vol.Schema(
            {
                vol.Optional(CONF_NEW_CHARGER_PASSWORD): _PASSWORD,
                vol.Required(CONF_REMOVE, default=False): selector.BooleanSelector(),
            }
        )
        return self.async_show_form(step_id="security_new_chargers", data_schema=schema, errors=errors)
