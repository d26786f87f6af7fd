"""scripts/develop's pieces: it starts HA again after HA's own Restart, its configuration.yaml loads the
automations the editor saves, dev_onboard sets the accept policy through the real options REST API, the
blueprints are linked in, and scripts/simulate's default id depends on the version (the whole instance:
test_dev_instance.py)."""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from homeassistant.config import load_yaml_config_file
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component

from sim.__main__ import parse_args as parse_sim_args

from .helpers_dev import script_env
from .helpers_ha import add_entry

ROOT = Path(__file__).resolve().parent.parent
AUTOMATIONS = """\
- id: solar1
  alias: Solar surplus
  use_blueprint:
    path: ocpp_core/solar_surplus.yaml
    input: {grid_power: sensor.grid, charger_power: sensor.wb_power, current_limit: number.wb_current_limit}
"""


def _dev_onboard() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_onboard", ROOT / "scripts" / "dev_onboard.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _in_thread(func: Callable[..., Any], *args: Any) -> None:
    """Run the synchronous (urllib) script in its own thread, joined before the test ends, while HA serves."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            func(*args)
        except BaseException as err:  # handed to the test
            errors.append(err)
        finally:
            loop.call_soon_threadsafe(done.set)

    thread = threading.Thread(target=run)
    thread.start()
    async with asyncio.timeout(30):
        await done.wait()
    thread.join(5)
    if errors:
        raise errors[0]


def test_develop_starts_home_assistant_again_when_it_asks_for_a_restart(tmp_path: Path) -> None:
    # a stand-in for hass: asks for a restart (exit code 100) twice, then stops with an error
    fake_hass = tmp_path / "hass"
    fake_hass.write_text(
        "#!/usr/bin/env bash\n"
        'runs=$(( $(cat "$0.runs" 2>/dev/null || echo 0) + 1 )); echo "$runs" >"$0.runs"\n'
        "if (( runs < 3 )); then exit 100; fi\nexit 7\n"
    )
    fake_hass.chmod(0o755)
    script = f'source "{ROOT}/scripts/_venv.sh"; run_restarting "{fake_hass}"'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 7
    assert (tmp_path / "hass.runs").read_text().strip() == "3"
    assert result.stdout.count("asked for a restart") == 2


def test_dev_configuration_loads_the_automation_editors_file(tmp_path: Path) -> None:
    shutil.copy(ROOT / "scripts" / "dev_configuration.yaml", tmp_path / "configuration.yaml")
    # scripts/develop writes an empty automations.yaml too: an include of a missing file stops HA
    with pytest.raises(HomeAssistantError):
        load_yaml_config_file(str(tmp_path / "configuration.yaml"))
    (tmp_path / "automations.yaml").write_text(AUTOMATIONS)
    config = load_yaml_config_file(str(tmp_path / "configuration.yaml"))
    assert [automation["id"] for automation in config["automation"]] == ["solar1"]
    assert "ocpp_core" in str(config["logger"]["logs"])


async def test_dev_onboard_sets_the_accept_policy_through_the_options_menu(
    hass: HomeAssistant,
    enable_custom_integrations: None,
    hass_access_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert await async_setup_component(hass, "config", {})
    entry = await add_entry(hass, options={"heartbeat_interval": 120, "default_id_tag": "Garage"})
    # HA's own HTTP app on a real port (no client session of ours: the script brings its own, urllib)
    server = TestServer(hass.http.app, host="127.0.0.1")
    await server.start_server()
    dev_onboard = _dev_onboard()
    monkeypatch.setattr(dev_onboard, "BASE", str(server.make_url("")).rstrip("/"))
    try:
        await _in_thread(dev_onboard.accept_every_charger, hass_access_token, entry.entry_id)
    finally:
        await server.close()
    await hass.async_block_till_done()

    assert entry.options["unknown_chargers"] == "accept"
    # what the form showed is kept, and the empty meter interval did not get in the way
    assert entry.options["heartbeat_interval"] == 120
    assert entry.options["default_id_tag"] == "Garage"


def test_develop_links_each_blueprint_and_drops_links_to_removed_ones(tmp_path: Path) -> None:
    target = tmp_path / "blueprints" / "automation" / "ocpp_core"
    target.mkdir(parents=True)
    (target / "gone.yaml").symlink_to(tmp_path / "no-such-blueprint.yaml")
    script = f'source "{ROOT}/scripts/_venv.sh"; link_blueprints "{tmp_path}"'
    subprocess.run(["bash", "-c", script], check=True, timeout=30)
    shipped = sorted(p.name for p in (ROOT / "blueprints" / "automation" / "ocpp_core").glob("*.yaml"))
    # files, not a linked folder: HA's blueprint search (Path.glob("**/*.yaml")) skips linked folders
    assert sorted(p.name for p in target.glob("**/*.yaml")) == shipped
    assert all((target / name).resolve() == ROOT / "blueprints" / "automation" / "ocpp_core" / name for name in shipped)


def test_develop_refuses_a_port_its_existing_configuration_does_not_use(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("http:\n  server_port: 8123\n")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "develop"), "--config", str(tmp_path), "--port", "8124"],
        capture_output=True,
        text=True,
        timeout=900,  # ensure_venv may have to bring .venv-dev up to date first
        check=False,
        env=script_env(),
    )
    assert result.returncode == 2
    assert "server_port 8123" in result.stderr


@pytest.mark.parametrize(
    ("version", "charger_id"), [("1.6", "sim-charger-1"), ("2.0.1", "sim-station-201"), ("2.1", "sim-station-21")]
)
def test_each_simulated_version_has_its_own_default_id(version: str, charger_id: str) -> None:
    assert parse_sim_args(["--version", version]).id == charger_id
    assert parse_sim_args(["--version", version, "--id", "garage"]).id == "garage"
