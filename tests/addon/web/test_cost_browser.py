"""The cost column of the charger page in a real browser: a 1.6 session priced by a tariff set through the
add-on's API (1.00 per session and 0.30 per kWh: an hour at 11 kW costs 4.30, as tests/test_pricing_in_ha.py),
its running cost while it runs and its final cost after, in English and in German; empty when unpriced.  The
done-when check of the pricing: a 1.6J and a 2.0.1 session of the same energy cost the same on their charger
pages, in the CSV and XLSX exports and on the 2.0.1 charger (totalCost)."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sim import charger201

from .harness import browser, client_session, have_chromium, running_web, screenshots
from .test_admin_browser import _download
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


async def _put_tariff(web: Any, data: Path) -> None:
    token = (data / "api_token").read_text().strip()
    async with client_session() as http:
        url = f"http://127.0.0.1:{web.ui_port}/api/v1/tariffs"
        async with http.put(url, json={"tariff": PRICES}, headers={"Authorization": f"Bearer {token}"}) as answer:
            assert answer.status == 200, await answer.text()


async def test_a_16_and_a_201_session_cost_the_same_on_every_page(tmp_path: Path) -> None:
    from playwright.async_api import expect

    data = tmp_path / "data"
    async with running_web(data) as web, charger16(web, "CP-16") as cp16:
        await _put_tariff(web, data)
        cp201 = await charger201.connect(web.ocpp_url, "CP-201", "2.0.1")
        try:
            await cp201.boot()
            async with asyncio.timeout(10):
                await cp201.settle()
            await cp201.send_all_statuses()
            cp16.sim.connectors[1].power_w = 11000.0
            await cp16.start_transaction(1, "CARD1")
            await cp16.send_meter_values(1, seconds=3600)
            await cp16.stop_transaction(1)
            await cp201.start_transaction(1, "CARD1")  # 11 kW
            await cp201.update_transaction(1, seconds=3600)
            assert cp201.event_answers[-1].total_cost == pytest.approx(4.30)  # the running cost
            await cp201.stop_transaction(1)
            assert cp201.event_answers[-1].total_cost == pytest.approx(4.30)  # the final cost, on the charger
        finally:
            await cp201.close()
        async with browser() as context:
            page = await context.new_page()
            for charger in ("CP-16", "CP-201"):
                await page.goto(web.supervisor.base + f"/chargers/{charger}")
                cells = page.locator("table.transactions tbody tr td")
                await expect(page.locator("table.transactions tbody tr")).to_have_count(1)
                await expect(cells.nth(COST)).to_have_text("4.30\u00a0EUR")
            await page.goto(web.supervisor.base + "/export")
            table = list(csv.DictReader(io.StringIO((await _download(page, "#export-csv")).decode("utf-8-sig"))))
            assert sorted((row["Charger"], row["Cost"], row["Currency"]) for row in table) == [
                ("CP-16", "4.30", "EUR"),
                ("CP-201", "4.30", "EUR"),
            ]
            sheet = openpyxl.load_workbook(io.BytesIO(await _download(page, "#export-xlsx"))).active
            assert sheet is not None
            rows = list(sheet.iter_rows(values_only=True))
            found = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
            assert sorted((r["Charger"], r["Cost"], r["Currency"]) for r in found) == [
                ("CP-16", pytest.approx(4.30), "EUR"),
                ("CP-201", pytest.approx(4.30), "EUR"),
            ]


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
