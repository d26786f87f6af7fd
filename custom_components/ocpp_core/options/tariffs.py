"""Options: the tariffs, as the set_tariff / clear_tariff services set them (csms/features/pricing).

The "tariffs" entry of the options menu leads to the central system's tariff, or to a charger's (pick it
first).  One form: the currency, the prices (text, read exactly: 0.30 stays 0.30), the grace times, the
maximum energy and what happens at it, the times of day (a list of {start, end, energy_price, time_price}),
the time zone; "remove" clears the tariff.  A tariff that cannot be kept (a negative price, an unknown
currency, times of day leaving a gap …) is refused with the services' own translated message, and nothing
changes.  Running sessions keep the tariff they started with.  The tariffs are the central system's
(`records`: the embedded one's, or the add-on's over its API).
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import selector

from ..backend import CentralRecords
from ..coordinator import loaded_central
from ..csms.features.pricing import Scope, Tariff, TariffError
from ..csms.features.pricing.tariff import ON_MAX_ACTIONS, ON_MAX_STOP
from .selectors import choice

TARIFF_MENU = ["tariff_central", "tariff_charger_pick"]
CONF_CHARGER = "charger"
CONF_REMOVE = "remove"
_TEXT = selector.TextSelector()
_PRICES = ("energy_price", "session_fee", "time_price", "time_grace_minutes", "idle_price", "idle_grace_minutes",
           "max_energy_kwh")  # fmt: skip
_OPTIONAL_TEXT = ("name", *_PRICES, "time_zone")


def _suggested(value: Any) -> dict[str, Any]:
    return {"suggested_value": value} if value not in (None, "", []) else {}


def tariff_schema(tariff: Tariff | None) -> vol.Schema:
    """The form, filled in with the tariff set now (suggested, so that a field can be emptied)."""
    now = tariff.to_dict() if tariff is not None else {}
    fields: dict[Any, Any] = {
        vol.Required("currency", description=_suggested(now.get("currency", "EUR"))): _TEXT,
    }
    for name in _OPTIONAL_TEXT:
        value = now.get(name)
        fields[vol.Optional(name, description=_suggested(None if value in ("0", 0) else value))] = _TEXT
    fields[vol.Required("on_max_energy", default=now.get("on_max_energy", ON_MAX_STOP))] = choice(
        ON_MAX_ACTIONS, "on_max_energy"
    )
    fields[vol.Optional("bands", description=_suggested(now.get("bands")))] = selector.ObjectSelector()
    if tariff is not None:
        fields[vol.Required(CONF_REMOVE, default=False)] = selector.BooleanSelector()
    return vol.Schema(fields)


def tariff_data(user_input: dict[str, Any]) -> dict[str, Any]:
    """The form's answer as a tariff (an empty field: not set, the tariff's default)."""
    data: dict[str, Any] = {"currency": str(user_input.get("currency") or "").strip()}
    for name in _OPTIONAL_TEXT:
        value = user_input.get(name)
        if isinstance(value, str):
            value = value.strip().replace(",", ".") if name in _PRICES else value.strip()
        if value not in (None, ""):
            data[name] = value
    data["on_max_energy"] = user_input.get("on_max_energy") or ON_MAX_STOP
    bands = user_input.get("bands")
    if bands not in (None, "", [], {}):
        data["bands"] = bands
    return data


async def _store(
    records: CentralRecords, scope: Scope, user_input: dict[str, Any]
) -> tuple[str, tuple[str, str]] | None:
    """The form's tariff set (or removed) where the central system keeps it; None, or the form's error and its
    placeholder (the tariff refused: the services' message; the add-on not reachable: not_saved)."""
    try:
        if user_input.get(CONF_REMOVE):
            await records.clear_tariff(scope)
        else:
            await records.set_tariff(scope, tariff_data(user_input))
    except TariffError as err:
        return f"tariff_{err.code}", ("detail", err.detail)
    except HomeAssistantError as err:
        return "not_saved", ("error", str(err))
    return None


class TariffOptionsFlow(OptionsFlow):
    """The "tariffs" entry of the options menu (OcppOptionsFlow takes it in)."""

    _tariff_charger: str | None = None
    _tariff_shown: Tariff | None = None

    async def async_step_tariffs(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if loaded_central(self.config_entry) is None:
            return self.async_abort(reason="central_system_not_loaded")
        return self.async_show_menu(step_id="tariffs", menu_options=TARIFF_MENU)

    async def async_step_tariff_central(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The central system's tariff: every charger without one of its own."""
        self._tariff_charger = None
        return await self._tariff_form("tariff_central", user_input)

    async def async_step_tariff_charger_pick(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        central = loaded_central(self.config_entry)
        if central is None:
            return self.async_abort(reason="central_system_not_loaded")
        if not central.stations:
            return self.async_abort(reason="no_chargers")
        if user_input is not None and user_input.get(CONF_CHARGER) in central.stations:
            self._tariff_charger = str(user_input[CONF_CHARGER])
            return await self.async_step_tariff_charger()
        options = [
            selector.SelectOptionDict(value=station_id, label=station.settings.friendly_name or station_id)
            for station_id, station in sorted(central.stations.items())
        ]
        schema = vol.Schema(
            {
                vol.Required(CONF_CHARGER): selector.SelectSelector(
                    selector.SelectSelectorConfig(options=options, mode=selector.SelectSelectorMode.DROPDOWN)
                )
            }
        )
        return self.async_show_form(step_id="tariff_charger_pick", data_schema=schema)

    async def async_step_tariff_charger(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A charger's own tariff (its connectors without one of their own; a tag's own still wins)."""
        return await self._tariff_form("tariff_charger", user_input)

    async def _tariff_form(self, step_id: str, user_input: dict[str, Any] | None) -> ConfigFlowResult:
        central = loaded_central(self.config_entry)
        if central is None:
            return self.async_abort(reason="central_system_not_loaded")
        charger = self._tariff_charger
        if charger is not None and charger not in central.stations:
            return self.async_abort(reason="charger_gone")
        scope = Scope.of(charger)
        if user_input is None:  # (the tariff shown: kept for the form shown again, e.g. the add-on gone meanwhile)
            self._tariff_shown = await central.records.tariff(scope)
        errors: dict[str, str] = {}
        placeholders = {"charger": charger or "", "detail": "", "error": ""}
        if user_input is not None:
            failed = await _store(central.records, scope, user_input)
            if failed is None:
                return self.async_create_entry(data=dict(self.config_entry.options))
            errors["base"], (name, text) = failed
            placeholders[name] = text
        schema = tariff_schema(self._tariff_shown)
        if user_input is not None:  # show what was typed
            schema = self.add_suggested_values_to_schema(schema, user_input)
        return self.async_show_form(
            step_id=step_id, data_schema=schema, errors=errors, description_placeholders=placeholders
        )
