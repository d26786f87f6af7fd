"""What a new user gets from `scripts/develop` then `scripts/simulate` on a fresh clone: a Home Assistant whose
web page loads (everything the frontend fetches answers), that logs no error and raises no repair that is not
ours, offers the blueprints, and shows the simulated charger's device page in a real browser.

Starts the real scripts in subprocesses (own config folder and free ports; .venv-dev is created once and
reused, as scripts/develop does), so this module takes ~30-60 s: `-m dev_instance` runs it alone, `-m "not
dev_instance"` everything else, e.g. in parallel with it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_socket

from .helpers_dev import DevInstance, HAWebSocket, dev_instance, simulator

# HA's test plugin blocks sockets but to 127.0.0.1 for each test; module fixtures run before a test's
# `socket_enabled`, so they allow them themselves (connections stay limited to 127.0.0.1)
pytestmark = [pytest.mark.dev_instance, pytest.mark.usefixtures("socket_enabled")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARGER = "sim-charger-1"  # scripts/simulate's 1.6 charger
BLUEPRINTS = {"ocpp_core/cheap_hours.yaml", "ocpp_core/fuse_protection.yaml", "ocpp_core/solar_surplus.yaml"}


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevInstance]:
    pytest_socket.enable_socket()
    with dev_instance(tmp_path_factory.mktemp("dev") / "config") as running:
        yield running


@pytest.fixture(scope="module")
def charger_device(instance: DevInstance) -> Iterator[dict[str, Any]]:
    """The simulated charger's device, once its entities are registered."""
    pytest_socket.enable_socket()
    with simulator(instance, "--interval", "2") as sim, instance.websocket() as ws:
        deadline = time.monotonic() + 60
        while not (device := _device(ws, CHARGER)) or not _entities(ws, device["id"]):
            assert time.monotonic() < deadline, f"no device {CHARGER}:\n{''.join(sim.output[-30:])}"
            time.sleep(0.5)
        yield device


def _device(ws: HAWebSocket, name: str) -> dict[str, Any] | None:
    return next((d for d in ws.command("config/device_registry/list") if d["name"] == name), None)


def _entities(ws: HAWebSocket, device_id: str) -> list[dict[str, Any]]:
    return [e for e in ws.command("config/entity_registry/list") if e["device_id"] == device_id]


def test_the_frontend_gets_everything_it_asks_for(instance: DevInstance, charger_device: dict[str, Any]) -> None:
    with instance.websocket() as ws:
        # the action list: it failed for every page (No module named 'hassil') while onboarding's shopping
        # list made HA import every base entity component
        services = ws.command("get_services")
        assert "ocpp_core" in services
        assert "todo" in services  # the shopping list onboarding adds is there, so the import did happen
        entries = {e["domain"]: e for e in ws.command("config_entries/get")}
        assert entries["ocpp_core"]["state"] == "loaded"
        translations = ws.command("frontend/get_translations", language="en", category="entity")
        assert any(key.startswith("component.ocpp_core.entity.") for key in translations["resources"])
        names = {e["original_name"] or e["name"] for e in _entities(ws, charger_device["id"])}
        assert {"Power", "Energy meter"} <= names, names
        blueprints = ws.command("blueprint/list", domain="automation")
        assert set(blueprints) >= BLUEPRINTS, blueprints
        assert all("error" not in blueprints[path] for path in BLUEPRINTS), blueprints


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_charger_device_page_renders_in_a_real_browser(
    instance: DevInstance, charger_device: dict[str, Any], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright  # only where chromium is

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh user-data-dir
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1600},
        )
        try:
            page = browser.new_page()
            page.goto(instance.base, timeout=60_000)
            page.locator("input[name=username]").fill("dev", timeout=60_000)
            page.locator("input[name=password]").fill("dev")
            page.locator("input[name=password]").press("Enter")
            # the frontend keeps the tokens ("Keep me logged in") once it has exchanged the login's code
            page.wait_for_function("() => localStorage.getItem('hassTokens') !== null", timeout=60_000)
            page.goto(f"{instance.base}/config/devices/device/{charger_device['id']}", timeout=60_000)
            # the device's entity rows (names without the device's), and its name as the page title
            for name in ("Power", "Energy meter"):
                expect(page.get_by_text(name, exact=True).first).to_be_visible(timeout=60_000)
            expect(page.get_by_text(CHARGER).first).to_be_visible()
            page.screenshot(path=str(tmp_path / "device_page.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "device_page.png").stat().st_size > 10_000


def test_a_fresh_instance_shows_no_error_that_is_not_ours(
    instance: DevInstance, charger_device: dict[str, Any]
) -> None:
    # last in this module, so the log covers the browser's visit too
    with instance.websocket() as ws:
        ws.command("get_services")  # what every page load does (camera support is loaded by it)
        issues = ws.command("repairs/list_issues")["issues"]
        entries = ws.command("config_entries/get")
        time.sleep(1)  # a record being written as the commands were answered
    assert [i for i in issues if i["domain"] != "ocpp_core"] == []
    # nothing failed or retrying, and nothing left that fetches from the internet (radio browser, met.no)
    assert [(e["domain"], e["state"]) for e in entries if e["state"] != "loaded"] == []
    assert not {"radio_browser", "met"} & {e["domain"] for e in entries}
    foreign = [
        text
        for level, logger, text in instance.log_records()
        if (level in ("ERROR", "CRITICAL") or "Traceback" in text)
        and not logger.startswith("custom_components.ocpp_core")
    ]
    assert foreign == []
    # .venv-dev had all it needs (requirements/run.txt): Home Assistant pip-installed nothing while it ran
    assert [text for _, _, text in instance.log_records() if "Attempting install of" in text] == []
    # the core configuration onboarding asks for
    with instance.websocket() as ws:
        config = ws.command("get_config")
    assert (config["country"], config["currency"], config["time_zone"]) == ("DE", "EUR", "Europe/Berlin")
