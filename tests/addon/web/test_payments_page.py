"""The web UI's card payments page (behind the stand-in ingress, the real app, a local Stripe, a simulated 1.6
charger): a start paid by card from the form, its checkout link and QR code, its state kept live; a start that
cannot be held is refused in the user's language.  In a real browser: the form, the link and QR code, the
start only after the hold, the captured amount shown live, in English; a session below Stripe's minimum
charge shown as not charged, in German."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from sim.charger16 import connect as connect16
from tests.addon.fake_stripe import SECRET_KEY, FakeStripe
from tests.csms.support.helpers import wait_for

from .harness import USER, browser, client_session, have_chromium, running_web, screenshots

TOKEN = "web-payments-token-0123456789"
TARIFF = {"currency": "EUR", "energy_price": "0.30", "session_fee": "1.00", "max_energy_kwh": "20"}


async def test_a_start_paid_by_card_from_the_page(tmp_path: Path) -> None:
    fake = FakeStripe()
    await fake.start()
    flags = ("--api-token", TOKEN, "--stripe-secret-key", SECRET_KEY, "--stripe-api-base", fake.base,
             "--payment-poll-interval", "0.1")  # fmt: skip
    try:
        async with running_web(tmp_path / "data", *flags) as web, client_session() as http:
            cp, task, ws = await connect16(web.ocpp_url, "CP-WEB")
            await cp.boot()
            await cp.send_all_statuses()
            api = f"http://127.0.0.1:{web.ui_port}/api/v1"
            auth = {"Authorization": f"Bearer {TOKEN}"}
            for method, path, body in (
                ("PUT", "/tariffs", {"charger_id": "CP-WEB", "tariff": TARIFF}),
                ("POST", "/tags", {"id_tag": "GUEST-7"}),
                ("PUT", "/card_tags/GUEST-7", {"pays_by_card": True}),
            ):
                async with http.request(method, api + path, json=body, headers=auth) as response:
                    assert response.status in (200, 201), await response.text()
            web.supervisor.user = USER  # any signed-in user may start a session paid by card
            async with http.get(web.supervisor.base + "/payments") as response:
                page = await response.text()
            assert response.status == 200 and '<option value="GUEST-7"' in page
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            assert csrf is not None
            form = {"charger": "CP-WEB", "connector": "1", "tag": "GUEST-7", "csrf": csrf.group(1)}
            async with http.post(web.supervisor.base + "/payments", data=form) as response:
                page = await response.text()
                assert response.status == 200, page
                path = response.url.path
            [session] = fake.sessions.values()
            assert "Waiting for the card" in page and "<svg" in page and session["url"] in page
            assert cp.remote_starts == []
            fake.pay(session["id"])
            await wait_for(lambda: cp.remote_starts, timeout=30)
            async with http.get(f"http://127.0.0.1:{web.supervisor.port}{path}/status") as response:
                fragment = await response.text()
            assert "7.00 EUR" in fragment and "<svg" not in fragment

            # a tariff without a maximum kWh cannot be held: said in German to a German browser
            no_max = {k: v for k, v in TARIFF.items() if k != "max_energy_kwh"}
            async with http.put(api + "/tariffs", json={"charger_id": "CP-WEB", "tariff": no_max}, headers=auth) as r:
                assert r.status == 200
            await wait_for(lambda: cp.sim.connectors[1].transaction_id is not None, timeout=30)  # its StartTransaction
            await cp.stop_transaction(1)
            payment_id = path.rsplit("/", 1)[1]

            async def paid() -> bool:
                async with http.get(f"{api}/payments/{payment_id}", headers=auth) as response:
                    return bool((await response.json())["payment"]["state"] == "captured")

            async with asyncio.timeout(30):
                while not await paid():  # the first payment ends (one at a time per charger)
                    await asyncio.sleep(0.05)
            headers = {"Accept-Language": "de"}
            async with http.post(web.supervisor.base + "/payments", data=form, headers=headers) as response:
                page = await response.text()
            assert response.status == 409
            assert "keine maximalen kWh pro Sitzung" in page
            await ws.close()
            task.cancel()
    finally:
        await fake.stop()


async def _card_site(web: Any, http: Any, tariff: dict[str, str]) -> Any:
    """CP-WEB connected, its tariff, GUEST-7 paying by card; the charger."""
    cp, task, ws = await connect16(web.ocpp_url, "CP-WEB")
    await cp.boot()
    await cp.send_all_statuses()
    api = f"http://127.0.0.1:{web.ui_port}/api/v1"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for method, path, body in (
        ("PUT", "/tariffs", {"charger_id": "CP-WEB", "tariff": tariff}),
        ("POST", "/tags", {"id_tag": "GUEST-7"}),
        ("PUT", "/card_tags/GUEST-7", {"pays_by_card": True}),
    ):
        async with http.request(method, api + path, json=body, headers=auth) as response:
            assert response.status in (200, 201), await response.text()
    return cp, task, ws


async def _pay_and_charge(page: Any, fake: FakeStripe, cp: Any, watts: float, seconds: float) -> None:
    """The form sent; the checkout's link and QR code; the driver pays; the session runs and ends."""
    from playwright.async_api import expect

    await page.locator('select[name="charger"]').select_option("CP-WEB")
    await page.locator('input[name="connector"]').fill("1")
    await page.locator('select[name="tag"]').select_option("GUEST-7")
    await page.locator("section.commands form button[type=submit]").click()
    await expect(page.locator("#payment .qr svg")).to_be_visible()
    [session] = fake.sessions.values()
    await expect(page.locator(f'#payment a[href="{session["url"]}"]')).to_be_visible()
    await asyncio.sleep(0.5)  # polled meanwhile: nothing starts before the hold
    assert cp.remote_starts == []
    fake.pay(session["id"])
    await wait_for(lambda: cp.remote_starts, timeout=30)
    await expect(page.locator("#payment .qr")).to_have_count(0)  # the page follows the payment by itself
    await wait_for(lambda: cp.sim.connectors[1].transaction_id is not None, timeout=30)  # its StartTransaction answered
    cp.sim.connectors[1].power_w = watts
    await cp.send_meter_values(1, seconds=seconds)
    await cp.stop_transaction(1)


@pytest.mark.skipif(not have_chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")
async def test_the_payment_page_in_a_browser_from_the_hold_to_the_capture(tmp_path: Path) -> None:
    from playwright.async_api import expect

    fake = FakeStripe()
    await fake.start()
    flags = ("--api-token", TOKEN, "--stripe-secret-key", SECRET_KEY, "--stripe-api-base", fake.base,
             "--payment-poll-interval", "0.1")  # fmt: skip
    try:
        async with running_web(tmp_path / "data", *flags) as web, client_session() as http:
            cp, task, ws = await _card_site(web, http, TARIFF)
            async with browser() as context:
                page = await context.new_page()
                await page.goto(web.supervisor.base + "/payments")
                await _pay_and_charge(page, fake, cp, 7500.0, 1200)  # 2.5 kWh: 1.00 + 0.75 = 1.75 EUR
                facts = page.locator("#payment")
                await expect(facts.locator(".badge")).to_have_text("Paid", timeout=30_000)
                await expect(facts.locator("dl")).to_contain_text("7.00 EUR")  # the hold
                await expect(facts.locator("dl")).to_contain_text("1.75 EUR")  # the cost, and what was charged
                assert [r.form.get("amount_to_capture") for r in fake.requests if r.path.endswith("/capture")] == [
                    "175"
                ]
                await screenshots(page, "payment-captured")
                await page.goto(web.supervisor.base + "/payments")
                await expect(page.locator("table tbody tr").first).to_contain_text("1.75 EUR")
            await ws.close()
            task.cancel()
    finally:
        await fake.stop()


@pytest.mark.skipif(not have_chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")
async def test_a_session_below_stripes_minimum_shows_as_not_charged(tmp_path: Path) -> None:
    from playwright.async_api import expect

    fake = FakeStripe()
    await fake.start()
    flags = ("--api-token", TOKEN, "--stripe-secret-key", SECRET_KEY, "--stripe-api-base", fake.base,
             "--payment-poll-interval", "0.1")  # fmt: skip
    cheap = {"currency": "EUR", "energy_price": "0.10", "max_energy_kwh": "20"}
    try:
        async with running_web(tmp_path / "data", *flags) as web, client_session() as http:
            cp, task, ws = await _card_site(web, http, cheap)
            async with browser("de-DE") as context:
                page = await context.new_page()
                await page.goto(web.supervisor.base + "/payments")
                await _pay_and_charge(page, fake, cp, 6000.0, 600)  # 1 kWh: 0.10 EUR
                facts = page.locator("#payment")
                await expect(facts.locator(".badge")).to_have_text(
                    "Nicht belastet: unter Stripes Mindestbetrag", timeout=30_000
                )
                await expect(facts.locator(".notice")).to_contain_text("0.10 EUR")
                await expect(facts.locator(".notice")).to_contain_text("0.50 EUR")
                assert fake.keys("/capture") == []
                await screenshots(page, "payment-waived")
            await ws.close()
            task.cancel()
    finally:
        await fake.stop()
