"""Options: the settings of one charger (friendly name, limits, connector names, meter interval …).

Two steps: pick an accepted charger, then one form.  A field left empty clears
the setting (the charger's own value, or the entry's default, applies again).
The settings are the central system's (`records.update_settings`: the embedded
one's, or the add-on's over its API), stored with the charger, not in the entry's options; they apply at once: devices are
renamed (a name the user gave a device in Home Assistant still wins) and the meter
interval is set on the charger, without a reload and without dropping any socket.

Connector fields are `connector_<n>`, one per connector (1.6) or EVSE (2.x) the
charger reported; the translations name the first eight, beyond that the key
itself shows.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import selector

from ..coordinator import loaded_central
from ..csms import (
    LIMIT_PROFILES,
    MAX_CURRENT_LIMIT,
    MAX_METER_INTERVAL,
    PHASES,
    InvalidSettings,
    RegistrationStatus,
    Station,
)
from .selectors import choice

CONF_CHARGER = "charger"
CONNECTOR_PREFIX = "connector_"
_TEXT = selector.TextSelector()


def _number(maximum: float, step: float, unit: str) -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=0, max=maximum, step=step, unit_of_measurement=unit, mode=selector.NumberSelectorMode.BOX
        )
    )


def _suggested(value: Any) -> dict[str, Any]:
    return {"suggested_value": value} if value is not None else {}


def settings_schema(station: Station) -> vol.Schema:
    """The form, filled in with what is set now (suggested, so a field can be emptied)."""
    settings = station.settings
    fields: dict[Any, Any] = {
        vol.Optional("friendly_name", description=_suggested(settings.friendly_name)): _TEXT,
        vol.Optional("max_current", description=_suggested(settings.max_current)): _number(MAX_CURRENT_LIMIT, 0.1, "A"),
        vol.Optional("phases", description=_suggested(_text_or_none(settings.phases))): choice(
            [str(p) for p in PHASES], "phases"
        ),
    }
    for connector_id in sorted(station.connectors):
        name = settings.connector_names.get(connector_id)
        fields[vol.Optional(f"{CONNECTOR_PREFIX}{connector_id}", description=_suggested(name))] = _TEXT
    fields.update(
        {
            vol.Optional("meter_interval", description=_suggested(settings.meter_interval)): _number(
                MAX_METER_INTERVAL, 1, "s"
            ),
            vol.Required("push_local_list", default=settings.push_local_list): selector.BooleanSelector(),
            vol.Required("limit_profile", default=settings.limit_profile): choice(
                list(LIMIT_PROFILES), "limit_profile"
            ),
        }
    )
    return vol.Schema(fields)


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _cleared(value: Any) -> Any:
    """Empty text means "not set"."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def settings_changes(station: Station, user_input: dict[str, Any]) -> dict[str, Any]:
    """The form's answer as ChargerSettings changes; every shown field is set or cleared."""
    max_current = user_input.get("max_current")
    meter_interval = user_input.get("meter_interval")
    phases = _cleared(user_input.get("phases"))
    names: dict[int, str] = {}
    for connector_id in station.connectors:
        name = _cleared(user_input.get(f"{CONNECTOR_PREFIX}{connector_id}"))
        if name is not None:
            names[connector_id] = name
    # names of connectors the form did not show (no longer reported) are kept
    kept = {cid: name for cid, name in station.settings.connector_names.items() if cid not in station.connectors}
    return {
        "friendly_name": _cleared(user_input.get("friendly_name")),
        "max_current": None if max_current is None else float(max_current),
        "phases": None if phases is None else int(phases),
        "connector_names": {**kept, **names},
        "meter_interval": None if meter_interval is None else int(meter_interval),
        "push_local_list": bool(user_input.get("push_local_list", False)),
        "limit_profile": user_input.get("limit_profile") or station.settings.limit_profile,
    }


class ChargerOptionsFlow(OptionsFlow):
    """The "charger" entry of the options menu (OcppOptionsFlow takes it in)."""

    _charger_id: str

    def _accepted_chargers(self) -> dict[str, Station] | None:
        """The chargers one can set up; None while the central system is not running."""
        central = loaded_central(self.config_entry)
        if central is None:
            return None
        return {
            station_id: station
            for station_id, station in sorted(central.stations.items())
            if station.registration_status == RegistrationStatus.ACCEPTED
        }

    async def async_step_charger(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pick the charger."""
        chargers = self._accepted_chargers()
        if chargers is None:
            return self.async_abort(reason="central_system_not_loaded")
        if not chargers:
            return self.async_abort(reason="no_chargers")
        if user_input is not None and user_input[CONF_CHARGER] in chargers:
            self._charger_id = user_input[CONF_CHARGER]
            return await self.async_step_charger_settings()
        options = [
            selector.SelectOptionDict(value=station_id, label=_label(station))
            for station_id, station in chargers.items()
        ]
        schema = vol.Schema(
            {
                vol.Required(CONF_CHARGER): selector.SelectSelector(
                    selector.SelectSelectorConfig(options=options, mode=selector.SelectSelectorMode.DROPDOWN)
                )
            }
        )
        return self.async_show_form(step_id="charger", data_schema=schema)

    async def async_step_charger_settings(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The charger's settings; saved with the charger, applied at once."""
        chargers = self._accepted_chargers()
        station = None if chargers is None else chargers.get(self._charger_id)
        if station is None:
            return self.async_abort(reason="charger_gone")
        errors: dict[str, str] = {}
        placeholders = {"charger": _label(station), "error": ""}
        if user_input is not None:
            central = self.config_entry.runtime_data.central
            try:
                await central.records.update_settings(station.station_id, settings_changes(station, user_input))
            except InvalidSettings as err:
                errors["base"] = "invalid_settings"
                placeholders["error"] = str(err)
            except HomeAssistantError as err:  # the add-on not reachable
                errors["base"] = "not_saved"
                placeholders["error"] = str(err)
            else:
                return self.async_create_entry(data=dict(self.config_entry.options))
        schema = settings_schema(station)
        if user_input is not None:  # show what was typed, not what is stored
            schema = self.add_suggested_values_to_schema(schema, user_input)
        return self.async_show_form(
            step_id="charger_settings", data_schema=schema, errors=errors, description_placeholders=placeholders
        )


def _label(station: Station) -> str:
    name = station.settings.friendly_name
    return f"{name} ({station.station_id})" if name else station.station_id
