"""The remote mode in the HA tests: the add-on's app (a real process, tests/addon/app_process.py) and an entry bound
to it.  A test module runs its tests on both back ends by overriding the `backend` fixture (tests/conftest.py):

    @pytest.fixture(params=["embedded", "remote"])
    def backend(request: pytest.FixtureRequest) -> str:
        return str(request.param)

The chargers connect to `ocpp_port(entry)`: the entry's own port when embedded, the add-on's OCPP port when remote
(the entry's port is then the add-on's API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.backend import TagList
from custom_components.ocpp_core.const import CONF_API_TOKEN, CONF_MODE, DOMAIN, MODE_REMOTE

from .addon.app_process import APP, App, free_port, start_app

TOKEN = "remote-token-0123456789abcdef"
# the add-on as the tests run it: limits sent at once (the embedded tests of limits set limit_interval 0 too)
ADDON_ARGS = ("--api-token", TOKEN, "--heartbeat-interval", "60", "--limit-interval", "0")


def start_addon(data_dir: Path, *args: str, port: int | None = None, program: tuple[str, ...] = APP) -> App:
    """The add-on's app on free ports, its API on `app.ui_port` (`program`: an older add-on's, older_app.py)."""
    ui_port = free_port()
    app = start_app(data_dir, "--ui-port", str(ui_port), *ADDON_ARGS, *args, port=port, program=program)
    app.ui_port = ui_port  # type: ignore[attr-defined]
    return app


def restart_addon(app: App, *args: str, program: tuple[str, ...] = APP) -> App:
    """The same add-on again (its data dir and ports) after it stopped or was killed (`program`: updated to
    another one's)."""
    again = start_app(
        app.data_dir,
        "--ui-port",
        str(app.ui_port),
        *ADDON_ARGS,
        *args,
        port=app.port,
        program=program,  # type: ignore[attr-defined]
    )
    again.ui_port = app.ui_port  # type: ignore[attr-defined]
    return again


def remote_entry(app: App, **kwargs: Any) -> MockConfigEntry:
    """An entry on the add-on (as the hassio discovery makes it); `kwargs` go to MockConfigEntry."""
    kwargs.setdefault("title", "OCPP")
    kwargs.setdefault("options", {"unknown_chargers": "accept"})
    data = {CONF_MODE: MODE_REMOTE, CONF_HOST: "127.0.0.1", CONF_PORT: app.ui_port, CONF_API_TOKEN: TOKEN}  # type: ignore[attr-defined]
    entry = MockConfigEntry(domain=DOMAIN, data=data, **kwargs)
    entry.ocpp_port = app.port  # type: ignore[attr-defined]
    return entry


async def add_remote_entry(hass: HomeAssistant, app: App, **kwargs: Any) -> MockConfigEntry:
    entry = remote_entry(app, **kwargs)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def ocpp_port(entry: MockConfigEntry) -> int:
    """Where the entry's chargers connect."""
    port: int = getattr(entry, "ocpp_port", None) or entry.data[CONF_PORT]
    return port


def ocpp_url(entry: MockConfigEntry) -> str:
    return f"ws://127.0.0.1:{ocpp_port(entry)}"


def is_remote_entry(entry: MockConfigEntry) -> bool:
    return bool(entry.data.get(CONF_MODE) == MODE_REMOTE)


async def stored_tags(entry: MockConfigEntry) -> TagList:
    """The tag book where the entry's central system keeps it: the embedded one's, or the add-on's (read over its
    API, from its store: GET /tags)."""
    tags: TagList = await entry.runtime_data.central.records.tag_list()
    return tags


async def settled(hass: HomeAssistant, entry: MockConfigEntry, timeout: float = 20) -> None:
    """Remote: until the entry's mirror has every event the add-on has sent so far (embedded: at once)."""
    from custom_components.ocpp_core.remote.central import RemoteCentral

    from .helpers_ha import until

    central = entry.runtime_data.central
    if isinstance(central, RemoteCentral):
        seq = (await central.client.snapshot()).seq
        await until(hass, lambda: central.seq >= seq, timeout=timeout)
    await hass.async_block_till_done()


async def add_known_tag(entry: MockConfigEntry, id_tag: str) -> None:
    """A tag the central system accepts: in the embedded tag book, or the add-on's (its API)."""
    from custom_components.ocpp_core.csms.state.tags import TagRecord
    from custom_components.ocpp_core.remote.central import RemoteCentral

    central = entry.runtime_data.central
    if isinstance(central, RemoteCentral):
        await central.client.add_tag(id_tag)
    else:
        entry.runtime_data.embedded.tags.add(TagRecord(id_tag))


# a test on both back ends (the `backend` fixture's value, parametrised)
both_backends = pytest.mark.parametrize("backend", ["embedded", "remote"])
