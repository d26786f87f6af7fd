"""The tariffs admin page in a real browser, in English and German: from a charger's admin page to its tariff,
set it, a refused one shown in the user's language (nothing saved), and the session it prices showing its cost
on the charger page (1.00 per session and 0.30 per kWh: an hour at 11 kW costs 4.30)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import browser, have_chromium, running_web, screenshots
from .test_browser import charger16
from .test_cost_browser import COST

pytestmark = pytest.mark.skipif(not have_chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")


async def test_an_admin_sets_a_chargers_tariff_in_english_and_german(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with running_web(tmp_path / "data") as web, charger16(web, "CP-TAR") as cp:
        base = web.supervisor.base
        async with browser() as context:
            page = await context.new_page()
            await page.goto(base + "/admin/chargers/edit?id=CP-TAR")
            await page.locator("#charger-tariff").click()
            await expect(page).to_have_url(base + "/admin/tariffs?charger=CP-TAR")
            form = page.locator("#tariff-form")
            await expect(form.locator('select[name="charger"]')).to_have_value("CP-TAR")
            await form.locator('input[name="currency"]').fill("EUR")
            await form.locator('input[name="energy_price"]').fill("0.30")
            await form.locator('input[name="session_fee"]').fill("1")
            await form.locator('input[name="time_zone"]').fill("Mars/Base")
            await form.locator('button[type="submit"]').click()
            await expect(page.locator("#errors")).to_have_text("Unknown time zone: Mars/Base.")
            await expect(page.locator("#tariffs")).to_have_count(0)  # nothing saved
            await page.locator('#tariff-form input[name="time_zone"]').fill("")
            await page.locator('#tariff-form button[type="submit"]').click()
            await expect(page.locator("#notice")).to_have_text("The tariff is saved.")
            row = page.locator('#tariffs tr[data-scope="charger"]')
            await expect(row).to_contain_text("CP-TAR")
            await expect(row).to_contain_text("0.30")
            await screenshots(page, "admin-tariffs")
        async with browser("de-DE") as context:
            page = await context.new_page()
            await page.goto(base + "/admin/tariffs?charger=CP-TAR")
            await expect(page.locator("h2").first).to_have_text("Tarif ändern")
            prices = page.locator('#tariffs tr[data-scope="charger"] td.num')
            await expect(prices).to_have_text(["0,30\u00a0EUR", "1,00\u00a0EUR", "0,00\u00a0EUR", "0,00\u00a0EUR"])
            await page.locator('#tariff-form textarea[name="bands"]').fill("06:00-22:00 0,35")
            await page.locator('#tariff-form button[type="submit"]').click()
            await expect(page.locator("#errors")).to_contain_text("Die Tageszeiten lassen um 00:00 eine Lücke")
            await screenshots(page, "admin-tariffs-de")
            # the tariff as before prices the session
            cp.sim.connectors[1].power_w = 11000.0
            await cp.start_transaction(1, "CARD1")
            await cp.send_meter_values(1, seconds=3600)
            await cp.stop_transaction(1)
            await page.goto(base + "/chargers/CP-TAR")
            await expect(page.locator("table.transactions tbody tr td").nth(COST)).to_have_text("4,30\u00a0EUR")
