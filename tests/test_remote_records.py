"""Tags, per-charger settings and passwords in remote mode (issue 17): they live in the add-on's store; a change
made on the add-on's side (its pages and API call the same central system) shows in Home Assistant and one made in
Home Assistant shows at the add-on; the set_charger_password action reaches the add-on's charger; an embedded entry
moved onto the add-on brings its tags and settings along, once.  A real add-on app process, simulated chargers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.service_info.hassio import HassioServiceInfo

from custom_components.ocpp_core.backend import InvalidOptions
from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms import TagRecord
from custom_components.ocpp_core.remote.central import RemoteCentral
from sim.charger16 import connect
from sim.core16 import ConfigKey

from .addon.app_process import App
from .helpers_ha import add_entry, find_device, until, wait_device
from .helpers_remote import TOKEN, add_remote_entry, ocpp_url, start_addon

SLUG = "a0d7b954_ocpp_core"


# our integration from custom_components, HA's HTTP session on 127.0.0.1 (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("enable_custom_integrations", "addon_session")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    started = start_addon(tmp_path / "addon-data")
    yield started
    started.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # (resolving nothing: aiodns's resolver leaves a thread behind, which the harness counts as a leak)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())) as session:
        yield session


async def _api(http: aiohttp.ClientSession, app: App, method: str, path: str, body: Any = None) -> Any:
    """The add-on's API called directly (as a script, or its own pages, change its central system)."""
    url = f"http://127.0.0.1:{app.ui_port}/api/v1{path}"  # type: ignore[attr-defined]
    async with http.request(method, url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        assert response.status < 400, (method, path, response.status, await response.text())
        return await response.json()


def _device_name(hass: HomeAssistant, identifier: str) -> str | None:
    device = find_device(hass, identifier)
    return None if device is None else device.name


async def test_changes_on_either_side_show_on_the_other(
    hass: HomeAssistant, app: App, http: aiohttp.ClientSession
) -> None:
    entry = await add_remote_entry(hass, app)
    # the options edit what lives at the add-on (its general options and tariffs too)
    menu = await hass.config_entries.options.async_init(entry.entry_id)
    assert menu["menu_options"] == ["general", "charger", "tags", "tariffs", "security"]
    hass.config_entries.options.async_abort(menu["flow_id"])
    cp, task, ws = await connect(ocpp_url(entry), "wb", 2)
    await cp.boot()
    await wait_device(hass, "wb:2")
    # the add-on's side: a name and a connector's name → the devices renamed in HA (its settings_changed event)
    await _api(
        http, app, "PUT", "/chargers/wb/settings", {"friendly_name": "Garage", "connector_names": {"2": "Right"}}
    )
    await until(hass, lambda: (_device_name(hass, "wb"), _device_name(hass, "wb:2")) == ("Garage", "Right"))
    assert entry.runtime_data.central.stations["wb"].settings.friendly_name == "Garage"
    # a tag added there is in HA's list at once
    await _api(http, app, "POST", "/tags", {"id_tag": "THERE", "name": "From the add-on"})
    listed = await hass.services.async_call(DOMAIN, "list_tags", {}, blocking=True, return_response=True)
    assert listed is not None and [(t["id_tag"], t["name"]) for t in listed["tags"]] == [("THERE", "From the add-on")]
    # HA's side: the options flow's settings and a tag service → stored at the add-on
    await entry.runtime_data.central.records.update_settings("wb", {"max_current": 16.0, "phases": 3})
    await hass.services.async_call(DOMAIN, "add_tag", {"id_tag": "HERE", "chargers": ["wb"]}, blocking=True)
    settings = (await _api(http, app, "GET", "/chargers/wb/settings"))["settings"]
    assert (settings["friendly_name"], settings["max_current"], settings["phases"]) == ("Garage", 16.0, 3)
    tags = (await _api(http, app, "GET", "/tags"))["tags"]
    assert sorted((t["id_tag"], t["chargers"]) for t in tags) == [("HERE", ["wb"]), ("THERE", [])]
    await ws.close()
    task.cancel()


async def test_set_charger_password_on_the_addon(hass: HomeAssistant, app: App, http: aiohttp.ClientSession) -> None:
    """Sent to the charger (a refusal changes nothing), stored only, removed; never answered back."""
    entry = await add_remote_entry(hass, app)
    cp, task, ws = await connect(ocpp_url(entry), "wb")
    await cp.boot()
    device_id = (await wait_device(hass, "wb")).id
    await until(hass, lambda: entry.runtime_data.central.stations["wb"].configuration_time is not None)

    async def set_password(**data: Any) -> None:
        await hass.services.async_call(DOMAIN, "set_charger_password", {"device_id": device_id, **data}, blocking=True)

    async def has_password() -> bool:
        return bool((await _api(http, app, "GET", "/chargers/wb/settings"))["has_password"])

    with pytest.raises(HomeAssistantError) as refused:  # no AuthorizationKey: the simulator answers NotSupported
        await set_password(password="a-brand-new-password-99")
    assert refused.value.translation_key == "charger_rejected"
    assert not await has_password()
    cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)
    await set_password(password="a-brand-new-password-99")
    assert cp.sim.configuration["AuthorizationKey"].value == b"a-brand-new-password-99".hex()
    assert await has_password()
    await set_password(send_to_charger=False)
    assert not await has_password()
    await set_password(password="typed-on-the-charger", send_to_charger=False)
    assert await has_password()
    assert "typed-on-the-charger" not in str(await _api(http, app, "GET", "/settings"))
    await ws.close()
    task.cancel()


async def test_a_moved_entry_brings_its_tags_and_settings_once(
    hass: HomeAssistant, app: App, http: aiohttp.ClientSession
) -> None:
    """Moving an embedded entry onto the add-on copies its tags and per-charger settings: what the add-on can take
    at once, and the rest (a charger it has not seen yet, a tag limited to it) when that charger first connects to
    it.  Copied once: a change made at the add-on afterwards stays through a reload."""
    embedded = await add_entry(hass)
    central = embedded.runtime_data.central
    cp, task, ws = await connect(ocpp_url(embedded), "wb", 2)
    await cp.boot()
    await wait_device(hass, "wb:2")
    await central.update_settings("wb", {"friendly_name": "Garage", "max_current": 16.0, "connector_names": {2: "R"}})
    await central.add_tag(TagRecord("CARD-A", name="Anna", chargers=frozenset({"wb"})))
    await central.add_tag(TagRecord("CARD-B", name="Ben", parent_id="FAMILY", status="Blocked"))
    await ws.close()
    task.cancel()
    # the add-on had card B already, entered there by hand, and knows none of the chargers yet
    await _api(http, app, "POST", "/tags", {"id_tag": "card-b", "name": "typed at the add-on"})

    config = {"host": "127.0.0.1", "port": app.port, "api_port": app.ui_port, "api_token": TOKEN}  # type: ignore[attr-defined]
    discovery = HassioServiceInfo(config=config, name="OCPP Core", slug=SLUG, uuid="uuid-1")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=discovery
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"move_entry": embedded.entry_id})
    assert (result["type"], result["reason"]) == ("abort", "moved_to_addon")
    await hass.async_block_till_done()
    assert embedded.state is ConfigEntryState.LOADED and isinstance(embedded.runtime_data.central, RemoteCentral)
    tags = {t["id_tag"]: t for t in (await _api(http, app, "GET", "/tags"))["tags"]}
    assert set(tags) == {"card-b"}  # card A waits for its charger
    assert (tags["card-b"]["name"], tags["card-b"]["status"], tags["card-b"]["parent_id_tag"]) == (
        "Ben",
        "Blocked",
        "FAMILY",
    )

    # the charger, now at the add-on: its settings and its tag follow
    cp, task, ws = await connect(f"ws://127.0.0.1:{app.port}", "wb", 2)
    await cp.boot()

    async def copied() -> bool:
        tags = {t["id_tag"] for t in (await _api(http, app, "GET", "/tags"))["tags"]}
        charger = await _api(http, app, "GET", "/settings")
        named = "wb" in charger["chargers"] and charger["chargers"]["wb"]["settings"]["friendly_name"] == "Garage"
        return named and "CARD-A" in tags

    async with asyncio.timeout(20):  # (the copy follows the charger's STATION_ADDED event)
        while not await copied():
            await asyncio.sleep(0.05)
    settings = (await _api(http, app, "GET", "/chargers/wb/settings"))["settings"]
    assert (settings["friendly_name"], settings["max_current"], settings["connector_names"]) == (
        "Garage",
        16.0,
        {"2": "R"},
    )
    await until(hass, lambda: _device_name(hass, "wb:2") == "R")
    tags = {t["id_tag"]: t for t in (await _api(http, app, "GET", "/tags"))["tags"]}
    assert tags["CARD-A"]["chargers"] == ["wb"] and tags["CARD-A"]["name"] == "Anna"

    # once: renamed at the add-on, reloaded, the add-on's name stays
    await _api(http, app, "PUT", "/chargers/wb/settings", {"friendly_name": "Carport"})
    await _api(http, app, "PUT", "/tags/CARD-A", {"name": "Anna B."})
    assert await hass.config_entries.async_reload(embedded.entry_id)
    await hass.async_block_till_done()
    assert (await _api(http, app, "GET", "/chargers/wb/settings"))["settings"]["friendly_name"] == "Carport"
    tags = {t["id_tag"]: t for t in (await _api(http, app, "GET", "/tags"))["tags"]}
    assert tags["CARD-A"]["name"] == "Anna B."
    await ws.close()
    task.cancel()


async def test_the_addon_gone_while_a_form_is_open_is_a_form_error(hass: HomeAssistant, app: App) -> None:
    """Saving a charger's settings, a tag, the general options or a tariff while the add-on cannot be reached: the
    form says so (not saved), nothing is lost of what was typed."""
    entry = await add_remote_entry(hass, app)
    cp, task, ws = await connect(ocpp_url(entry), "wb")
    await cp.boot()
    await wait_device(hass, "wb")
    flows = hass.config_entries.options
    result = await flows.async_init(entry.entry_id)
    result = await flows.async_configure(result["flow_id"], {"next_step_id": "charger"})
    charger_form = await flows.async_configure(result["flow_id"], {"charger": "wb"})
    assert charger_form["step_id"] == "charger_settings"
    result = await flows.async_init(entry.entry_id)
    result = await flows.async_configure(result["flow_id"], {"next_step_id": "tags"})
    tag_form = await flows.async_configure(result["flow_id"], {"next_step_id": "tag_add"})
    assert tag_form["step_id"] == "tag_add"
    result = await flows.async_init(entry.entry_id)
    general_form = await flows.async_configure(result["flow_id"], {"next_step_id": "general"})
    shown = {str(key): key.default() for key in general_form["data_schema"].schema if callable(key.default)}
    assert shown["heartbeat_interval"] == 60  # the add-on's (its --heartbeat-interval), not the entry's
    result = await flows.async_init(entry.entry_id)
    result = await flows.async_configure(result["flow_id"], {"next_step_id": "tariffs"})
    tariff_form = await flows.async_configure(result["flow_id"], {"next_step_id": "tariff_central"})
    # an option the add-on refuses: csms's bounds there (the form's own are the same), nothing changed
    with pytest.raises(InvalidOptions, match="heartbeat_interval"):
        await entry.runtime_data.central.records.set_central_system_options({"heartbeat_interval": 5})
    await ws.close()
    task.cancel()
    app.stop()

    for form, typed in (
        (general_form, {**shown, "heartbeat_interval": 120}),
        (tariff_form, {"currency": "EUR", "energy_price": "0.30", "on_max_energy": "stop"}),
    ):
        result = await flows.async_configure(form["flow_id"], typed)
        assert (result["type"], result["errors"]) == ("form", {"base": "not_saved"}), form["step_id"]
        assert "127.0.0.1" in result["description_placeholders"]["error"]

    typed = {"friendly_name": "Garage", "push_local_list": False, "limit_profile": "default"}
    result = await flows.async_configure(charger_form["flow_id"], typed)
    assert (result["type"], result["errors"]) == ("form", {"base": "not_saved"})
    assert "127.0.0.1" in result["description_placeholders"]["error"]
    shown = {str(key): (key.description or {}).get("suggested_value") for key in result["data_schema"].schema}
    assert shown["friendly_name"] == "Garage"
    result = await flows.async_configure(tag_form["flow_id"], {"id_tag": "CARD-A", "status": "accepted"})
    assert (result["type"], result["errors"]) == ("form", {"base": "not_saved"})
