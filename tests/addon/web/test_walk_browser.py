"""Every page at phone width, in English and German, as a user standing next to the charger sees it: nothing wider
than the phone (wide tables scroll inside their own box), no translation key or English word left on a German
page, and a screenshot of each (.artifacts/screenshots/walk-<lang>-<page>-phone.png) for a reviewer to look at."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .harness import ADMIN, PHONE, SCREENSHOTS, USER, browser, charger16, have_chromium, running_web

pytestmark = pytest.mark.skipif(not have_chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")
# behind ingress as the admin, then as a plain user
ADMIN_WALK = {
    "overview": "/",
    "charger": "/chargers/CP-WALK",
    "export": "/export",
    "payments": "/payments",
    "admin": "/admin",
    "admin-chargers": "/admin/chargers",
    "admin-charger": "/admin/chargers/edit?id=CP-WALK",
    "admin-tags": "/admin/tags",
    "admin-tag": "/admin/tags/edit?tag=WALK-TAG",
    "admin-tariffs": "/admin/tariffs?charger=CP-WALK",
    "admin-connectors": "/admin/connectors?id=CP-WALK",
    "admin-inbox": "/admin/inbox",
    "admin-log": "/admin/log?charger=CP-WALK",
    "users": "/users",
}
USER_WALK = {"user-overview": "/", "user-charger": "/chargers/CP-WALK", "user-forbidden": "/admin"}
# what a translation key looks like on a page (users.error.name, admin.inbox.reason.x …)
KEY = re.compile(r"\b(?:core|admin|users|tariffs|payments|export)\.[a-z_]+(?:\.[a-z0-9_]+)*\b")
# English words a German page must not show (not "Start", "Status", "Add-on": German has them too)
ENGLISH = re.compile(r"\b(?:the|and|of|with|Charger|Save|Delete|Enter|Edit|Cancel|Energy|Power|Connector|Tag name)\b")


async def _check(page: Any, name: str, lang: str) -> list[str]:
    """What is wrong with the page on a phone, if anything; its screenshot written."""
    problems = []
    await page.set_viewport_size(PHONE)
    width = await page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{lang} {name}: {width} px wide on a {PHONE['width']} px phone")
    text = await page.locator("body").inner_text()
    problems += [f"{lang} {name}: translation key {key!r}" for key in sorted(set(KEY.findall(text)))]
    if lang == "de":
        problems += [f"{lang} {name}: English {word!r}" for word in sorted(set(ENGLISH.findall(text)))]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"walk-{lang}-{name}-phone.png"), full_page=True)
    return problems


async def test_every_page_fits_a_phone_in_english_and_german(tmp_path: Path) -> None:
    async with (
        running_web(tmp_path / "data", "--unknown-chargers", "ask", "--unknown-tags", "reject") as web,
        charger16(web, "CP-WALK", 2, expect="Pending") as cp,
    ):
        base = web.supervisor.base
        problems: list[str] = []
        async with browser() as context:
            page = await context.new_page()
            await page.goto(base + "/admin/inbox")
            await page.locator('#inbox-charger .entry[data-key="CP-WALK"] button.accept').click()
            await page.locator("#notice").wait_for()
            await page.goto(base + "/admin/tags")
            await page.locator('#tag-add input[name="id_tag"]').fill("WALK-TAG")
            await page.locator("#tag-add button[type=submit]").click()
            await page.locator("#notice").wait_for()
        assert (await cp.authorize("STRANGER")).id_tag_info["status"] == "Invalid"  # an unknown tag in the inbox
        cp.sim.connectors[1].power_w = 7400.0
        await cp.start_transaction(1, "WALK-TAG")
        await cp.send_meter_values(1, seconds=900)
        await cp.stop_transaction(1)
        await cp.start_transaction(2, "WALK-TAG")  # one running, for the red tile
        for lang, locale in (("en", "en-US"), ("de", "de-DE")):
            async with browser(locale) as context:
                page = await context.new_page()
                web.supervisor.user = ADMIN
                for name, path in ADMIN_WALK.items():
                    await page.goto(base + path)
                    problems += await _check(page, name, lang)
                web.supervisor.user = USER
                for name, path in USER_WALK.items():
                    await page.goto(base + path)
                    problems += await _check(page, name, lang)
            async with browser(locale) as context:  # the own port's sign-in
                page = await context.new_page()
                await page.goto(web.own + "/login")
                problems += await _check(page, "login", lang)
        await cp.stop_transaction(2)
        assert problems == [], "\n".join(problems)
