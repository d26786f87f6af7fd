"""Shared fixtures: the HA test harness plus live central systems on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parent.parent
# `sim` (the simulated chargers) lives at the top of the repository
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from homeassistant.config_entries import ConfigEntry, ConfigEntryState, ConfigFlow, ConfigFlowResult  # noqa: E402
from homeassistant.core import HomeAssistant  # noqa: E402
from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: E402

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence  # noqa: E402
from sim.followups import FollowUps  # noqa: E402

from .addon.app_process import App  # noqa: E402
from .helpers_ha import add_entry  # noqa: E402
from .helpers_remote import add_remote_entry, start_addon  # noqa: E402

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture
def persistence() -> MemoryPersistence:
    return MemoryPersistence()


@pytest.fixture
def central_config() -> CentralSystemConfig:
    return CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, heartbeat_interval=60)


@pytest.fixture
async def central(central_config: CentralSystemConfig, persistence: MemoryPersistence) -> AsyncIterator[CentralSystem]:
    system = CentralSystem(central_config, persistence)
    await system.start()
    yield system
    await system.stop()


@pytest.fixture
def url(central: CentralSystem) -> str:
    return f"ws://127.0.0.1:{central.port}"


@pytest.fixture(autouse=True)
def _real_sockets(socket_enabled: None) -> None:
    """Our tests talk to real servers, on 127.0.0.1 only (the HA harness blocks sockets by default)."""


@pytest.fixture(autouse=True)
def _no_follow_ups_left() -> Iterator[None]:
    """A simulated charger's follow-up messages (firmware or log status steps …) still waiting for an answer
    when a test ends are dropped, as on a closed connection; the harness's cleanup check, which runs the loop
    once more, would otherwise count them as lingering tasks now and then."""
    yield
    FollowUps.drop_all()


@pytest.fixture(autouse=True)
def _flows_reload_as_in_home_assistant_2026_12(monkeypatch: pytest.MonkeyPatch) -> None:
    """Home Assistant 2026.12 refuses a config flow's reload of an entry that has update listeners (core PR
    169198: deprecated in 2026.6, an error from 2026.12, which needs Python 3.14, not installable here).  The two
    flow helpers that reload refuse it here as they do there, so a flow of ours that relies on them fails here."""
    update_reload_and_abort = ConfigFlow.async_update_reload_and_abort
    abort_if_unique_id_configured = ConfigFlow._abort_if_unique_id_configured

    def refuse(entry: ConfigEntry | None) -> None:
        if entry is not None and entry.update_listeners:
            raise ValueError("Cannot update and reload entry with update listeners (Home Assistant 2026.12)")

    def reload_and_abort(self: ConfigFlow, entry: ConfigEntry, **kwargs: Any) -> ConfigFlowResult:
        refuse(entry)
        return update_reload_and_abort(self, entry, **kwargs)

    def abort_if_configured(
        self: ConfigFlow, updates: dict[str, Any] | None = None, reload_on_update: bool = True, **kwargs: Any
    ) -> None:
        if updates is not None and reload_on_update and self.unique_id is not None:
            refuse(self.hass.config_entries.async_entry_for_domain_unique_id(self.handler, self.unique_id))
        abort_if_unique_id_configured(self, updates, reload_on_update, **kwargs)

    monkeypatch.setattr(ConfigFlow, "async_update_reload_and_abort", reload_and_abort)
    monkeypatch.setattr(ConfigFlow, "_abort_if_unique_id_configured", abort_if_configured)


@pytest.fixture
def entry_args() -> dict[str, Any]:
    """What the `entry` fixture passes to `add_entry` (data, options, entry_id …); a test module overrides it."""
    return {}


@pytest.fixture
def backend() -> str:
    """Which central system the `entry` fixture sets up: "embedded", or "remote" (the add-on's app in a process,
    tests/helpers_remote.py); a test module parametrises it to run its tests on both."""
    return "embedded"


@pytest.fixture
async def addon_session(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """HA's shared HTTP session for the add-on's API, resolving nothing (127.0.0.1 only): HA 2025.1's aiodns
    resolver leaves a thread behind when the session closes, which the harness counts as a leak."""
    connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
    async with aiohttp.ClientSession(connector=connector) as session:

        def shared(hass: HomeAssistant, *args: Any, **kwargs: Any) -> Any:
            return session

        monkeypatch.setattr("custom_components.ocpp_core.remote.setup.async_get_clientsession", shared)
        yield


@pytest.fixture
def addon_args() -> tuple[str, ...]:
    """The add-on's options beside tests/helpers_remote.py's (a test parametrises it: its own policy)."""
    return ()


@pytest.fixture
def addon(backend: str, addon_args: tuple[str, ...], tmp_path: Path) -> Iterator[App | None]:
    """The add-on's app when the backend is remote (its API on `addon.ui_port`), else None."""
    if backend != "remote":
        yield None
        return
    app = start_addon(tmp_path / "addon-data", *addon_args)
    yield app
    app.stop()


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    enable_custom_integrations: None,
    entry_args: dict[str, Any],
    addon: App | None,
    addon_session: None,
) -> AsyncIterator[MockConfigEntry]:
    """The integration loaded with one central system that lets every charger in; unloaded after the test.
    Remote (`backend`): an entry on the add-on's app, its chargers on `helpers_remote.ocpp_port(entry)`."""
    if addon is None:
        loaded = await add_entry(hass, **entry_args)
    else:
        args = {k: v for k, v in entry_args.items() if k != "data"}
        loaded = await add_remote_entry(hass, addon, **args)
    yield loaded
    if loaded.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(loaded.entry_id)
