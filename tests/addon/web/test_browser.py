"""The web UI in a real browser (Debian's chromium, Playwright), against the real app process and simulated
chargers: behind a stand-in for the Supervisor's ingress proxy, and on the own port with sign-in.
Screenshots of each page at phone and desktop width go to .artifacts/screenshots/."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import pytest

from .harness import USER, browser, charger16, have_chromium, running_web, screenshots

pytestmark = pytest.mark.skipif(not have_chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")
# the overview follows a session within this (it polls every second)
LIVE = 2_000


def tile(page: Any, charger: str, connector: int | None = None) -> Any:
    selector = f'#tiles .tile[data-charger="{charger}"]'
    if connector is not None:
        selector += f'[data-connector="{connector}"]'
    return page.locator(selector)


async def test_the_overview_turns_red_while_charging_and_back_within_2_s(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with running_web(tmp_path / "data") as web, charger16(web, "CP-LIVE") as cp, browser() as context:
        page = await context.new_page()
        await page.goto(web.supervisor.base + "/")
        await expect(tile(page, "CP-LIVE")).to_have_attribute("data-state", "available")
        cp.sim.connectors[1].power_w = 7400.0
        started = time.monotonic()
        await cp.start_transaction(1, "CARD1")
        await expect(tile(page, "CP-LIVE")).to_have_attribute("data-state", "charging", timeout=LIVE)
        to_red = time.monotonic() - started
        await cp.send_meter_values(1)
        # the footer: power and SoC as the charger reported them; the running duration beside the state
        await expect(tile(page, "CP-LIVE").locator(".foot")).to_contain_text("11.0 kW", timeout=LIVE)
        await expect(tile(page, "CP-LIVE").locator(".foot")).to_contain_text("SoC 57 %")
        await expect(tile(page, "CP-LIVE").locator(".elapsed")).to_have_text(re.compile(r"^0:00:\d\d$"))
        # the tile is red
        colour = await tile(page, "CP-LIVE").evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour in ("rgb(211, 47, 47)", "rgb(229, 57, 53)"), colour
        await screenshots(page, "overview-charging")
        await page.emulate_media(color_scheme="dark")
        await screenshots(page, "overview-charging-dark")
        await page.emulate_media(color_scheme="light")
        stopped = time.monotonic()
        await cp.stop_transaction(1)
        await expect(tile(page, "CP-LIVE")).to_have_attribute("data-state", "available", timeout=LIVE)
        back = time.monotonic() - stopped
        print(f"overview: red {to_red:.2f} s after the start, back {back:.2f} s after the stop")
        await screenshots(page, "overview")


async def test_start_and_stop_from_the_charger_page_behind_ingress(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with (
        running_web(tmp_path / "data") as web,
        charger16(web, "CP-PAGE", connectors=2) as cp,
        browser() as context,
    ):
        page = await context.new_page()
        await page.goto(web.supervisor.base + "/")
        # two connectors: two tiles, named <charger>:<n>
        await expect(tile(page, "CP-PAGE", 2)).to_contain_text("CP-PAGE:2")
        await tile(page, "CP-PAGE", 2).click()
        await expect(page).to_have_url(web.supervisor.base + "/chargers/CP-PAGE?connector=2")
        cp.sim.connectors[2].power_w = 11000.0
        # a start without a tag: the form says what is missing
        await page.locator("#start-form button").click()
        await expect(page.locator("#notice")).to_have_text("Enter the tag to charge with.")
        await expect(page.locator('#start-form input[name="id_tag"]')).to_have_attribute("aria-invalid", "true")
        await page.locator('#start-form input[name="id_tag"]').fill("CARD2")
        await page.locator("#start-form button").click()
        await expect(page.locator("#notice")).to_have_text("The charger accepted the start.")
        assert cp.remote_starts[-1] == {"id_tag": "CARD2", "connector_id": 2}
        # the connector is busy now: the charger refuses a second start, and the page shows its answer
        await page.locator('#start-form input[name="id_tag"]').fill("CARD2")
        await page.locator("#start-form button").click()
        await expect(page.locator("#notice")).to_have_text("The charger refused: Rejected")
        for _ in range(3):
            await cp.send_meter_values(2, seconds=60)
            await asyncio.sleep(0.5)  # the samples apart in time, as the chart's axis is
        await page.goto(web.supervisor.base + "/chargers/CP-PAGE?connector=2")
        await expect(page.locator(".status .tile")).to_have_attribute("data-state", "charging")
        await expect(page.locator("table.transactions tbody tr")).to_have_count(1)
        await expect(page.locator("table.transactions tbody tr td").nth(4)).to_have_text("running")
        await expect(page.locator("svg.chart polyline.energy")).to_have_count(1)
        await screenshots(page, "charger-charging")
        await page.locator("#stop-form button").click()
        await expect(page.locator("#notice")).to_have_text("The charger accepted the stop.")
        await page.goto(web.supervisor.base + "/chargers/CP-PAGE?connector=2")
        await expect(page.locator("table.transactions tbody tr td").nth(4)).to_have_text("Remote")
        # 3 minutes at 11 kW
        await expect(page.locator("table.transactions tbody tr td").nth(2)).to_have_text("0.55")
        # admins: the current limit, unlock and restart
        await page.locator('#limit-form input[name="amps"]').fill("abc")
        await page.locator("#limit-form button").click()
        await expect(page.locator("#notice")).to_have_text("Enter a current between 0 and 1000 A.")
        await expect(page.locator('#limit-form input[name="amps"]')).to_have_value("abc")
        await page.locator('#limit-form input[name="amps"]').fill("16")
        await page.locator("#limit-form button").click()
        await expect(page.locator("#notice")).to_have_text("The current limit is set.")
        await page.locator("#unlock-form button").click()
        await expect(page.locator("#notice")).to_have_text("The connector was unlocked.")
        page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await page.locator("#restart-form button").click()
        await expect(page.locator("#notice")).to_have_text("The charger is restarting.")
        await screenshots(page, "charger")
        # a bad date range says so
        await page.goto(web.supervisor.base + "/chargers/CP-PAGE?from=2026-13-01")
        await expect(page.locator(".history .notice")).to_have_text("Enter the dates as YYYY-MM-DD or DD.MM.YYYY.")
    # the charger is gone (the app too): nothing else to check here


async def test_an_offline_charger_says_so_and_gets_no_command(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with running_web(tmp_path / "data") as web, browser() as context:
        async with charger16(web, "CP-GONE"):
            pass
        page = await context.new_page()
        await page.goto(web.supervisor.base + "/")
        await expect(tile(page, "CP-GONE")).to_have_attribute("data-state", "offline", timeout=LIVE)
        await page.goto(web.supervisor.base + "/chargers/CP-GONE")
        await expect(page.locator(".facts .badge")).to_have_text("Offline")
        await page.locator('#start-form input[name="id_tag"]').fill("CARD3")
        await page.locator("#start-form button").click()
        await expect(page.locator("#notice")).to_have_text("The charger is offline: the command was not sent.")


async def test_a_user_who_is_no_admin_starts_with_own_tags_only(tmp_path: Path) -> None:
    from playwright.async_api import expect

    tags = {USER.id: ["BEN-TAG"]}
    async with running_web(tmp_path / "data", ha_user_tags=tags) as web, charger16(web, "CP-USER") as cp:
        web.supervisor.user = USER
        async with browser() as context:
            page = await context.new_page()
            await page.goto(web.supervisor.base + "/")
            await expect(page.locator(".who")).to_have_text("Ben User")
            await expect(page.locator("header nav a")).to_have_count(
                3
            )  # the overview, the export and card payments: no admin entry
            response = await page.goto(web.supervisor.base + "/admin")
            assert response is not None and response.status == 403
            await expect(page.locator("main p").first).to_have_text("Only administrators may do this.")
            await screenshots(page, "admin-refused")
            await page.goto(web.supervisor.base + "/chargers/CP-USER")
            assert await page.locator("#limit-form").count() == 0  # the admin commands are not offered
            await page.locator('#start-form input[name="id_tag"]').fill("SOMEONE-ELSE")
            await page.locator("#start-form button").click()
            await expect(page.locator("#notice")).to_have_text("The tag SOMEONE-ELSE is not one of yours.")
            # what was typed stays, marked
            await expect(page.locator('#start-form input[name="id_tag"]')).to_have_value("SOMEONE-ELSE")
            await expect(page.locator('#start-form input[name="id_tag"]')).to_have_attribute("aria-invalid", "true")
            assert cp.remote_starts == []
            await page.locator('#start-form input[name="id_tag"]').fill("ben-tag")
            await page.locator("#start-form button").click()
            await expect(page.locator("#notice")).to_have_text("The charger accepted the start.")
            await expect(page.locator(".status .tile")).not_to_have_attribute("data-state", "available")
            await page.locator("#stop-form button").click()
            await expect(page.locator("#notice")).to_have_text("The charger accepted the stop.")
        assert web.supervisor.auth_lists >= 1  # the role came from Home Assistant's user list


async def test_the_german_ui_and_the_language_switch(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with running_web(tmp_path / "data") as web, charger16(web, "CP-DE") as cp, browser("de-DE") as context:
        page = await context.new_page()
        await page.goto(web.supervisor.base + "/")
        await expect(page.locator("h1")).to_have_text("Übersicht")
        await expect(tile(page, "CP-DE").locator(".state")).to_have_text("Verfügbar")
        cp.sim.connectors[1].power_w = 3700.0
        await cp.start_transaction(1, "KARTE")
        await cp.send_meter_values(1)
        await expect(tile(page, "CP-DE").locator(".foot")).to_contain_text("11,0 kW", timeout=LIVE)
        await expect(tile(page, "CP-DE").locator(".state")).to_contain_text("Lädt")
        await screenshots(page, "overview-de")
        await page.goto(web.supervisor.base + "/chargers/CP-DE")
        await page.locator("#start-form button").click()
        await expect(page.locator("#notice")).to_have_text("Bitte die Karte (Tag) zum Laden eingeben.")
        await expect(page.locator("table.transactions th").first).to_have_text("Beginn")
        await screenshots(page, "charger-de")
        # the switch: English from now on (a cookie under the ingress path)
        await page.locator('footer a[lang="en"]').click()
        await expect(page.locator("h1")).to_have_text("CP-DE")
        await expect(page.locator("table.transactions th").first).to_have_text("Start")
        await page.goto(web.supervisor.base + "/")
        await expect(page.locator("h1")).to_have_text("Overview")
        cookies = await context.cookies()
        assert [c["path"] for c in cookies if c["name"] == "ocpp_core_lang"] == [
            "/api/hassio_ingress/Xq3kTestSession_9"
        ]
        await cp.stop_transaction(1)


async def test_the_own_port_with_sign_in(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with running_web(tmp_path / "data") as web, charger16(web, "CP-OWN") as cp, browser() as context:
        assert web.admin_password is not None  # printed once at the first start
        page = await context.new_page()
        await page.goto(web.own + "/chargers/CP-OWN")
        await expect(page).to_have_url(web.own + "/login?next=%2Fchargers%2FCP-OWN")
        await screenshots(page, "login")
        await page.locator('input[name="name"]').fill("admin")
        await page.locator('input[name="password"]').fill("wrong password")
        await page.locator('input[name="password"]').press("Enter")
        await expect(page.locator(".notice")).to_have_text("Wrong user name or password.")
        await page.locator('input[name="password"]').fill(web.admin_password)
        await page.locator('input[name="password"]').press("Enter")
        await expect(page).to_have_url(web.own + "/chargers/CP-OWN")
        cookie = next(c for c in await context.cookies() if c["name"] == "ocpp_core_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        cp.sim.connectors[1].power_w = 7400.0
        await page.locator('#start-form input[name="id_tag"]').fill("OWN-TAG")
        await page.locator("#start-form button").click()
        await expect(page.locator("#notice")).to_have_text("The charger accepted the start.")
        await page.goto(web.own + "/")
        await expect(tile(page, "CP-OWN")).to_have_attribute("data-state", "charging", timeout=LIVE)
        await expect(page.locator("header nav a")).to_have_count(
            5
        )  # the overview, the export, card payments, the users and the admin pages
        # signed out meanwhile (the session cookie gone): the live overview turns into the sign-in page
        await context.clear_cookies()
        await expect(page).to_have_url(web.own + "/login?next=%2F", timeout=LIVE)
        await page.locator('input[name="name"]').fill("admin")
        await page.locator('input[name="password"]').fill(web.admin_password)
        await page.locator('input[name="password"]').press("Enter")
        await expect(page).to_have_url(web.own + "/")
        await page.goto(web.own + "/admin")
        await expect(page.locator("h1")).to_have_text("Admin")
        await page.goto(web.own + "/chargers/CP-OWN")
        await page.locator("#stop-form button").click()
        await expect(page.locator("#notice")).to_have_text("The charger accepted the stop.")
        await page.locator("header form button").click()
        await expect(page).to_have_url(web.own + "/login")
        await page.goto(web.own + "/")
        await expect(page).to_have_url(web.own + "/login?next=%2F")
