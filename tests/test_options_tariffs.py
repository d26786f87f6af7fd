"""The tariffs entry of the options: the central system's tariff and a charger's, set, refused with the services'
own translated errors (nothing changed), shown again for editing, and removed — on either back end (the tariffs
are where the central system keeps them: the embedded one's store, or the add-on's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.backend import CentralRecords
from custom_components.ocpp_core.csms.features.pricing import Scope
from sim.charger16 import connect

from .helpers_ha import until
from .helpers_remote import both_backends, ocpp_url

TRANSLATIONS = Path(__file__).resolve().parents[1] / "custom_components" / "ocpp_core" / "translations"


async def _menu(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> dict[str, Any]:
    """Open the options at tariffs → `step`."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert "tariffs" in result["menu_options"]
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "tariffs"})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["tariff_central", "tariff_charger_pick"]
    return dict(await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": step}))


def _suggested(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


@both_backends
async def test_the_central_system_s_tariff_set_refused_edited_removed(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    records: CentralRecords = entry.runtime_data.central.records
    options_before = dict(entry.options)
    result = await _menu(hass, entry, "tariff_central")
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "tariff_central"
    assert "remove" not in {str(key) for key in result["data_schema"].schema}  # nothing to remove yet

    # refused with the services' messages; nothing set
    for given, error, detail in (
        ({"currency": "EUR", "energy_price": "-0.30"}, "tariff_negative_price", "energy_price: -0.30"),
        ({"currency": "XYZ", "energy_price": "0.30"}, "tariff_unknown_currency", "XYZ"),
        (
            {"currency": "EUR", "energy_price": "0.30", "bands": [{"start": "00:00", "end": "12:00"}]},
            "tariff_band_gap",
            "12:00",
        ),
    ):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"on_max_energy": "stop", **given}
        )
        assert result["type"] is FlowResultType.FORM
        assert (result["errors"], result["description_placeholders"]["detail"]) == ({"base": error}, detail)
        assert await records.tariffs() == []
    # a German decimal comma is read as a point; the prices stay exact
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"currency": "eur", "name": "Home", "energy_price": "0,30", "session_fee": "1", "max_energy_kwh": "20",
         "on_max_energy": "limit", "bands": [{"start": "22:00", "end": "06:00", "energy_price": "0.20"},
                                             {"start": "06:00", "end": "22:00"}]},
    )  # fmt: skip
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(entry.options) == options_before
    tariff = await records.tariff(Scope.of())
    assert tariff is not None
    assert (str(tariff.energy_price), str(tariff.session_fee), tariff.currency, tariff.name) == (
        "0.30",
        "1",
        "EUR",
        "Home",
    )
    assert (str(tariff.max_energy_kwh), tariff.on_max_energy, len(tariff.bands)) == ("20", "limit", 2)

    # shown again as set, and removed
    result = await _menu(hass, entry, "tariff_central")
    shown = _suggested(result)
    assert (shown["currency"], shown["energy_price"], shown["name"], len(shown["bands"])) == ("EUR", "0.30", "Home", 2)
    assert "time_price" not in shown  # 0: left empty
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"currency": "EUR", "on_max_energy": "stop", "remove": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert await records.tariff(Scope.of()) is None


@both_backends
async def test_a_charger_s_own_tariff(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    central = entry.runtime_data.central
    result = await _menu(hass, entry, "tariff_charger_pick")
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "no_chargers")
    charger, task, ws = await connect(ocpp_url(entry), "garage")
    await charger.boot()
    await until(hass, lambda: "garage" in central.stations)
    result = await _menu(hass, entry, "tariff_charger_pick")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"charger": "garage"})
    assert (result["step_id"], result["description_placeholders"]["charger"]) == ("tariff_charger", "garage")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"currency": "CHF", "energy_price": "0.25", "idle_price": "0.10", "on_max_energy": "stop"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    own = await central.records.tariff(Scope.of("garage"))
    assert own is not None and (own.currency, str(own.idle_price)) == ("CHF", "0.10")
    assert await central.records.tariff(Scope.of()) is None
    await ws.close()
    task.cancel()


def test_the_form_errors_are_the_services_messages() -> None:
    """Each tariff error of the options reads as the service's (the same text, the same placeholder)."""
    for language in ("en", "de"):
        strings = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))
        errors = strings["options"]["error"]
        for key, message in strings["exceptions"].items():
            if key.startswith("tariff_") and key != "tariff_not_set":
                assert errors[key] == message["message"], (language, key)
