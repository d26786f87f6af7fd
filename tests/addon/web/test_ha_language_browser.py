"""Behind ingress the UI speaks Home Assistant's language (the user's setting there, which its frontend — the
panel frame's parent — has as <html lang>), whatever the browser's; it follows when that setting changes, until
the user picks a language in the UI's own switch, which then holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .harness import browser, have_chromium, running_web

pytestmark = pytest.mark.skipif(not have_chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")


async def _panel(page: Any, supervisor_port: int, ha_lang: str) -> Any:
    await page.goto(f"http://127.0.0.1:{supervisor_port}/frontend?lang={ha_lang}")
    return page.frame_locator("iframe")


async def test_the_panel_follows_home_assistants_language_until_one_is_picked(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with running_web(tmp_path / "data") as web, browser("en-US") as context:
        page = await context.new_page()
        port = web.supervisor.port
        # an English browser, Home Assistant set to German: German
        panel = await _panel(page, port, "de")
        await expect(panel.locator("h1")).to_have_text("Übersicht")
        # Home Assistant set back to English: followed
        panel = await _panel(page, port, "en")
        await expect(panel.locator("h1")).to_have_text("Overview")
        # picked here: it holds, whatever Home Assistant's is
        panel = await _panel(page, port, "de")
        await expect(panel.locator("h1")).to_have_text("Übersicht")
        await panel.locator('footer a[lang="en"]').click()
        await expect(panel.locator("h1")).to_have_text("Overview")
        panel = await _panel(page, port, "de")
        await expect(panel.locator("footer a[aria-current]")).to_have_text("English")
        await expect(panel.locator("h1")).to_have_text("Overview")
        # opened on its own (no Home Assistant around it): the browser's language, as before
        fresh = await context.browser.new_context(locale="de-DE")
        alone = await fresh.new_page()
        await alone.goto(web.supervisor.base + "/")
        await expect(alone.locator("h1")).to_have_text("Übersicht")
        await fresh.close()
