"""The admin pages and the export in a real browser (Debian's chromium, Playwright) against the real app process
and simulated chargers, behind the stand-in ingress proxy and on the own port: accept a charger from the inbox,
add a tag then charge with it, name a connector and see it on the tile, the message log (never a password),
exports read back, the German UI, and a user who is no admin refused every admin page.  Screenshots of each page
at phone and desktop width go to .artifacts/screenshots/."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ocpp_core_app.web.passwords import hash_password

from tests.csms.support.helpers import wait_for

from .harness import USER, browser, charger16, have_chromium, running_web, screenshots

pytestmark = pytest.mark.skipif(not have_chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")
ADMIN_PAGES = ("/admin", "/admin/chargers", "/admin/tags", "/admin/connectors", "/admin/inbox", "/admin/log")
PASSWORD = "Charger-Secret-2026"


async def _download(page: Any, button: str) -> bytes:
    async with page.expect_download() as info:
        await page.locator(button).click()
    download = await info.value
    return Path(await download.path()).read_bytes()  # noqa: ASYNC240 - a small file, read once (no worker thread left behind)


async def test_an_admin_runs_the_site_from_the_admin_pages(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with (
        running_web(tmp_path / "data", "--unknown-chargers", "ask", "--unknown-tags", "reject") as web,
        charger16(web, "CP-ADM", 2, expect="Pending", takes_password=True) as cp,
        browser() as context,
    ):
        page = await context.new_page()
        base = web.supervisor.base
        # an unknown tag at the charger: refused, and in the inbox beside the charger waiting there
        assert (await cp.authorize("STRANGER")).id_tag_info["status"] == "Invalid"
        await page.goto(base + "/admin/inbox")
        waiting = page.locator('#inbox-charger .entry[data-key="CP-ADM"]')
        await expect(waiting).to_contain_text("booted, waiting for your decision (Pending)")
        await expect(page.locator('#inbox-tag .entry[data-key="STRANGER"]')).to_contain_text("answered Invalid")
        await screenshots(page, "admin-inbox")
        await waiting.locator("button.accept").click()
        await expect(page.locator("#notice")).to_contain_text("Charger CP-ADM accepted")
        await wait_for(lambda: cp.registration_status == "Accepted", timeout=10)  # asked to boot again: Accepted
        await page.locator('#inbox-tag .entry[data-key="STRANGER"] button.refuse').click()
        await expect(page.locator("#notice")).to_have_text("Tag STRANGER blocked.")
        assert (await cp.authorize("STRANGER")).id_tag_info["status"] == "Blocked"

        # add a tag, then charge with it
        await cp.start_transaction(1, "CARD-ANNA")
        assert cp.last_id_tag_info["status"] == "Invalid"
        await cp.stop_transaction(1)
        await page.goto(base + "/admin/tags")
        await page.locator('#tag-add input[name="id_tag"]').fill("CARD-ANNA")
        await page.locator('#tag-add input[name="name"]').fill("Anna")
        await page.locator('#tag-add input[name="expiry"]').fill("2031-12-31")
        await page.locator("#tag-add button").click()
        await expect(page.locator("#notice")).to_have_text("Tag CARD-ANNA added.")
        await expect(page.locator('#tags tr[data-tag="CARD-ANNA"]')).to_contain_text("2031-12-31")
        await screenshots(page, "admin-tags")
        cp.sim.connectors[1].power_w = 7400.0
        meter_start = int(cp.sim.connectors[1].energy_wh)
        await cp.start_transaction(1, "CARD-ANNA")
        assert cp.last_id_tag_info["status"] == "Accepted"
        await cp.send_meter_values(1, seconds=600)
        await cp.stop_transaction(1, "EVDisconnected")
        kwh = (int(cp.sim.connectors[1].energy_wh) - meter_start) / 1000
        assert kwh > 1

        # a connector's own name, on its overview tile
        await page.goto(base + "/admin/connectors")
        form = page.locator('form[data-charger="CP-ADM"]')
        await form.locator('input[name="name_1"]').fill("Left bay")
        await form.locator("button").click()
        await expect(page.locator("#notice")).to_contain_text("The connectors of CP-ADM are saved.")
        await screenshots(page, "admin-connectors")
        await page.goto(base + "/")
        await expect(page.locator('#tiles .tile[data-charger="CP-ADM"][data-connector="1"] .name')).to_have_text(
            "Left bay"
        )
        await expect(page.locator('#tiles .tile[data-charger="CP-ADM"][data-connector="2"] .name')).to_have_text(
            "CP-ADM:2"
        )

        # the charge point: a name, limits, a bad thumbprint first (nothing saved), then its password, sent
        await page.goto(base + "/admin/chargers")
        await screenshots(page, "admin-chargers")
        await page.locator(
            '#chargers tr[data-charger="CP-ADM"] a', has_text="CP-ADM"
        ).click()  # its id links to its page
        await page.locator('input[name="name"]').fill("Garage")
        await page.locator('input[name="max_current"]').fill("16")
        await page.locator('select[name="phases"]').select_option("3")
        await page.locator('input[name="thumbprint"]').fill("not-hex")
        await page.locator("#charger-form button").click()
        await expect(page.locator("#thumbprint-error")).to_have_text(
            "A thumbprint is 40 (SHA-1) or 64 (SHA-256) hexadecimal digits, colons allowed."
        )
        await expect(page.locator('input[name="thumbprint"]')).to_have_attribute("aria-invalid", "true")
        await screenshots(page, "admin-charger-error")
        await page.locator('input[name="thumbprint"]').fill("AB" * 32)
        await page.locator('input[name="password"]').fill(PASSWORD)
        await page.locator('input[name="push"]').check()
        await page.locator("#charger-form button").click()
        await expect(page.locator("#notice")).to_have_text("Saved.")
        await expect(page.locator("legend")).to_contain_text("set")
        await expect(page.locator('input[name="thumbprint"]')).to_have_value(":".join(["AB"] * 32))  # as stored
        assert cp.sim.configuration["AuthorizationKey"].value == PASSWORD.encode().hex()
        await screenshots(page, "admin-charger")
        await page.locator("#unlock-form button").click()
        await expect(page.locator("#notice")).to_have_text("The connector was unlocked.")

        # the message log: the frames both ways, filtered; the password never on the page
        await page.goto(base + "/admin/log?charger=CP-ADM")
        await expect(page.locator('#log .frame[data-action="StartTransaction"]').first).to_be_visible()
        key_change = page.locator('#log .frame[data-kind="call"]', has_text="AuthorizationKey")
        await expect(key_change).to_contain_text('"value":"**REDACTED**"')
        content = await page.content()
        assert PASSWORD not in content and PASSWORD.encode().hex() not in content.lower()
        await screenshots(page, "admin-log")
        await page.locator('select[name="action"]').select_option("StartTransaction")
        await page.locator("#log-filters button").click()
        await expect(page.locator("#log .frame")).to_have_count(4)  # two starts, each with its answer
        await expect(page.locator('#log .frame[data-kind="result"]')).to_have_count(2)

        # the export, read back: the session's energy and its times
        await page.goto(base + "/export")
        await screenshots(page, "export")
        table = list(csv.DictReader(io.StringIO((await _download(page, "#export-csv")).decode("utf-8-sig"))))
        anna = [row for row in table if row["Tag"] == "CARD-ANNA" and row["Stop reason"] == "EVDisconnected"]
        assert len(anna) == 1 and anna[0]["Energy (kWh)"] == f"{kwh:.3f}" and anna[0]["Tag name"] == "Anna"
        start = datetime.strptime(anna[0]["Start"], "%Y-%m-%d %H:%M:%S")
        assert abs((datetime.now() - start).total_seconds()) < 600  # local time, as the add-on's clock
        sheet = openpyxl.load_workbook(io.BytesIO(await _download(page, "#export-xlsx"))).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        head = list(rows[0])
        found = [dict(zip(head, r, strict=True)) for r in rows[1:]]
        mine = [r for r in found if r["Tag"] == "CARD-ANNA" and r["Stop reason"] == "EVDisconnected"]
        assert mine[0]["Energy (kWh)"] == pytest.approx(kwh) and isinstance(mine[0]["Start"], datetime)


async def test_the_admin_pages_in_german(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with (
        running_web(tmp_path / "data", "--unknown-tags", "reject") as web,
        charger16(web, "CP-DE", 2, takes_password=True) as cp,
        browser("de-DE") as context,
    ):
        page = await context.new_page()
        base = web.supervisor.base
        assert (await cp.authorize("FREMD")).id_tag_info["status"] == "Invalid"  # into the inbox
        headings = {
            "/admin": "Verwaltung", "/admin/chargers": "Ladestationen", "/admin/tags": "Lade-Tags",
            "/admin/connectors": "Anschlüsse", "/admin/inbox": "Eingang", "/admin/log": "Nachrichtenprotokoll",
            "/admin/chargers/edit?id=CP-DE": "CP-DE", "/export": "Ladevorgänge exportieren",
        }  # fmt: skip
        for path, heading in headings.items():
            await page.goto(base + path)
            await expect(page.locator("main h1")).to_have_text(heading)
            await screenshots(page, "de" + path.replace("/", "-").replace("?id=", "-"))
        await page.goto(base + "/admin/tags")
        await page.locator('#tag-add input[name="id_tag"]').fill("KARTE-1")
        await page.locator('#tag-add input[name="name"]').fill("x" * 101)
        await page.locator("#tag-add button").click()
        await expect(page.locator("#errors")).to_have_text(
            "Bitte die markierten Felder korrigieren. Es wurde nichts gespeichert."
        )
        await expect(page.locator("#name-error")).to_have_text("Ein Name hat höchstens 100 Zeichen.")
        await screenshots(page, "de-admin-tags-error")
        await cp.start_transaction(1, "KARTE-2")
        cp.sim.connectors[1].energy_wh += 2500.5
        await cp.stop_transaction(1)
        await page.goto(base + "/export?charger=CP-DE")
        text = (await _download(page, "#export-csv")).decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert table[0][:2] == ["Ladestation", "Anschluss"]
        assert dict(zip(table[0], table[1], strict=True))["Energie (kWh)"] == "2,500"


async def test_a_user_is_refused_every_admin_page_through_ingress_and_on_the_own_port(tmp_path: Path) -> None:
    from playwright.async_api import expect

    data = tmp_path / "data"
    data.mkdir(parents=True)
    book = {"accounts": {
        "boss": {"role": "admin", "password": hash_password("boss-password-1"), "tags": []},
        "ben": {"role": "user", "password": hash_password("ben-password-1"), "tags": ["BEN-TAG"]},
    }}  # fmt: skip
    (data / "web_accounts.json").write_text(json.dumps(book))
    async with running_web(data) as web, charger16(web, "CP-U", 2, takes_password=True), browser() as context:
        web.supervisor.user = USER
        page = await context.new_page()
        for path in (*ADMIN_PAGES, "/admin/chargers/edit?id=CP-U", "/admin/tags/edit?tag=X"):
            response = await page.goto(web.supervisor.base + path)
            assert response is not None and response.status == 403, path
            await expect(page.locator("main p").first).to_have_text("Only administrators may do this.")
        response = await page.goto(web.supervisor.base + "/export")
        assert response is not None and response.status == 200  # a user may export
        # the own port: a user account is refused too, an admin account opens the tag admin
        for name, password, status in (("ben", "ben-password-1", 403), ("boss", "boss-password-1", 200)):
            await context.clear_cookies()  # signed out: the next account signs in afresh
            own = await context.new_page()
            await own.goto(web.own + "/login")
            await own.locator('input[name="name"]').fill(name)
            await own.locator('input[name="password"]').fill(password)
            await own.locator('input[name="password"]').press("Enter")
            await expect(own).to_have_url(web.own + "/")
            for path in ADMIN_PAGES:
                response = await own.goto(web.own + path)
                assert response is not None and response.status == status, (name, path)
            if status == 200:
                await own.goto(web.own + "/admin/tags")
                await own.locator('#tag-add input[name="id_tag"]').fill("OWN-PORT-TAG")
                await own.locator("#tag-add button").click()
                await expect(own.locator("#notice")).to_have_text("Tag OWN-PORT-TAG added.")
                await screenshots(own, "admin-tags-own-port")
