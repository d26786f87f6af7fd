"""The cost column of the charger page in a real browser: a 1.6 session priced by a tariff set through the
add-on's API (1.00 per session and 0.30 per kWh: an hour at 11 kW costs 4.30, as tests/test_pricing_in_ha.py),
its running cost while it runs and its final cost after, in English and in German; empty when unpriced."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import browser, client_session, have_chromium, running_web, screenshots
from .test_browser import charger16

pytestmark = pytest.mark.skipif(not have_chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")
PRICES = {"currency": "EUR", "energy_price": "0.30", "session_fee": "1", "name": "Home"}
# the cost column: the sixth (start, duration, energy, tag, stop reason, cost)
COST = 5


async def test_a_priced_16_session_shows_its_cost_running_and_final(tmp_path: Path) -> None:
    from playwright.async_api import expect

    data = tmp_path / "data"
    async with running_web(data) as web, charger16(web, "CP-COST") as cp:
        token = (data / "api_token").read_text().strip()
        async with client_session() as http:
            url = f"http://127.0.0.1:{web.ui_port}/api/v1/tariffs"
            async with http.put(url, json={"tariff": PRICES}, headers={"Authorization": f"Bearer {token}"}) as answer:
                assert answer.status == 200, await answer.text()
        cp.sim.connectors[1].power_w = 11000.0
        await cp.start_transaction(1, "CARD1")
        await cp.send_meter_values(1, seconds=3600)
        async with browser() as context:
            page = await context.new_page()
            await page.goto(web.supervisor.base + "/chargers/CP-COST")
            cells = page.locator("table.transactions tbody tr td")
            await expect(page.locator("table.transactions thead th").nth(COST)).to_have_text("Cost")
            await expect(cells.nth(4)).to_have_text("running")
            await expect(cells.nth(COST)).to_have_text("4.30\u00a0EUR")
            await cp.stop_transaction(1)
            await page.goto(web.supervisor.base + "/chargers/CP-COST")
            await expect(cells.nth(4)).not_to_have_text("running")
            await expect(cells.nth(COST)).to_have_text("4.30\u00a0EUR")
            await screenshots(page, "charger-cost")
        async with browser("de-DE") as context:
            page = await context.new_page()
            await page.goto(web.supervisor.base + "/chargers/CP-COST")
            await expect(page.locator("table.transactions thead th").nth(COST)).to_have_text("Kosten")
            await expect(page.locator("table.transactions tbody tr td").nth(COST)).to_have_text("4,30\u00a0EUR")


async def test_an_unpriced_session_has_an_empty_cost(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with running_web(tmp_path / "data") as web, charger16(web, "CP-FREE") as cp, browser() as context:
        await cp.start_transaction(1, "CARD1")
        await cp.send_meter_values(1, seconds=600)
        await cp.stop_transaction(1)
        page = await context.new_page()
        await page.goto(web.supervisor.base + "/chargers/CP-FREE")
        await expect(page.locator("table.transactions tbody tr")).to_have_count(1)
        await expect(page.locator("table.transactions tbody tr td").nth(COST)).to_have_text("")
