"""The Users area in a real browser (Debian's chromium, Playwright) against the real app process and simulated
chargers: accounts on the own port (added, a password changed and signed in with, the last admin kept), tags
linked to an account and to a Home Assistant user behind the stand-in ingress proxy (who has the link starts and
stops with it, who has not cannot), the German pages, the sign-in's language switch keeping where it leads.
Screenshots at phone and desktop width go to .artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .harness import ADMIN, USER, WebApp, browser, charger16, have_chromium, running_web, screenshots

pytestmark = pytest.mark.skipif(not have_chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")


async def sign_in(page: Any, web: WebApp, name: str, password: str, then: str = "/") -> None:
    from playwright.async_api import expect

    await page.goto(web.own + "/login")
    await page.locator('input[name="name"]').fill(name)
    await page.locator('input[name="password"]').fill(password)
    await page.locator('input[name="password"]').press("Enter")
    await expect(page).to_have_url(web.own + then)


def account(page: Any, name: str) -> Any:
    return page.locator(f'#accounts .account[data-account="{name}"]')


async def test_accounts_passwords_tags_and_the_last_admin_on_the_own_port(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with running_web(tmp_path / "data") as web, charger16(web, "CP-ACC") as cp, browser() as context:
        assert web.admin_password is not None
        page = await context.new_page()
        await sign_in(page, web, "admin", web.admin_password)
        await page.locator("header nav a", has_text="Users").click()
        await expect(page.locator("h1")).to_have_text("Users and their tags")
        # a form with a mistake says what is wrong and adds nothing
        add = page.locator("#add-form")
        await add.locator('input[name="name"]').fill("carla")
        await add.locator('input[name="password"]').fill("short")
        await add.locator('input[name="password_again"]').fill("short")
        await add.locator("button").click()
        await expect(page.locator("#notice")).to_have_text("A password needs at least 10 characters.")
        await expect(add.locator('input[name="name"]')).to_have_value("carla")
        await expect(add.locator('input[name="password"]')).to_have_attribute("aria-invalid", "true")
        await expect(account(page, "carla")).to_have_count(0)
        for name in ("carla", "dave"):
            await add.locator('input[name="name"]').fill(name)
            await add.locator('input[name="password"]').fill(f"{name}-secret-1")
            await add.locator('input[name="password_again"]').fill(f"{name}-secret-1")
            await add.locator("button").click()
            await expect(page.locator("#notice")).to_have_text(f"The account {name} was added.")
        # carla's tag; the same tag cannot go to dave too
        await account(page, "carla").locator('input[name="tags"]').fill("CARLA-TAG, carla-2")
        await account(page, "carla").locator(".tags-form button").click()
        await expect(page.locator("#notice")).to_have_text("The tags of carla were saved.")
        await expect(account(page, "carla").locator('input[name="tags"]')).to_have_value("CARLA-TAG, carla-2")
        await account(page, "dave").locator('input[name="tags"]').fill("carla-tag")
        await account(page, "dave").locator(".tags-form button").click()
        await expect(page.locator("#notice")).to_have_text("The tag carla-tag is linked to carla already.")
        # the last admin stays
        page.on("dialog", lambda dialog: dialog.accept())
        await account(page, "admin").locator(".delete-form button").click()
        await expect(page.locator("#notice")).to_have_text("admin is the last admin: add another admin first.")
        await expect(account(page, "admin")).to_have_count(1)
        # roles: the last admin stays one; dave is promoted (his badge says so) and made a user again
        await account(page, "admin").locator(".role-form select").select_option("user")
        await account(page, "admin").locator(".role-form button").click()
        await expect(page.locator("#notice")).to_have_text(
            "admin is the last admin: make another account an admin first."
        )
        await expect(account(page, "admin").locator(".role-form select")).to_have_value("admin")
        await account(page, "dave").locator(".role-form select").select_option("admin")
        await account(page, "dave").locator(".role-form button").click()
        await expect(page.locator("#notice")).to_have_text("dave is an admin now.")
        await expect(account(page, "dave").locator(".badge.role")).to_have_text("admin")
        await account(page, "dave").locator(".role-form select").select_option("user")
        await account(page, "dave").locator(".role-form button").click()
        await expect(page.locator("#notice")).to_have_text("dave is a user now (no admin any more).")
        await screenshots(page, "users")
        # the first admin's printed password changed, from here (the current one asked)
        form = account(page, "admin").locator(".password-form")
        await form.locator('input[name="current"]').fill("not the password")
        await form.locator('input[name="password"]').fill("admin-new-secret")
        await form.locator('input[name="password_again"]').fill("admin-new-secret")
        await form.locator("button").click()
        await expect(page.locator("#notice")).to_have_text("The current password is wrong.")
        form = account(page, "admin").locator(".password-form")
        await form.locator('input[name="current"]').fill(web.admin_password)
        await form.locator('input[name="password"]').fill("admin-new-secret")
        await form.locator('input[name="password_again"]').fill("admin-new-secret")
        await form.locator("button").click()
        await expect(page.locator("#notice")).to_have_text("The password of admin was changed.")
        await page.locator("header form button").click()
        await page.locator('input[name="name"]').fill("admin")
        await page.locator('input[name="password"]').fill(web.admin_password)
        await page.locator('input[name="password"]').press("Enter")
        await expect(page.locator(".notice")).to_have_text("Wrong user name or password.")
        await sign_in(page, web, "admin", "admin-new-secret")

        # carla (her tag linked) starts and stops; dave (no link) cannot
        carla = await context.browser.new_context()
        page = await carla.new_page()
        await sign_in(page, web, "carla", "carla-secret-1")
        await expect(page.locator("header nav a")).to_have_count(
            3
        )  # the overview, the export, card payments: no Users, no admin
        await page.goto(web.own + "/chargers/CP-ACC")
        await page.locator('#start-form input[name="id_tag"]').fill("carla-tag")
        await page.locator("#start-form button").click()
        await expect(page.locator("#notice")).to_have_text("The charger accepted the start.")
        await expect(page.locator(".status .tile")).not_to_have_attribute("data-state", "available")
        await page.locator("#stop-form button").click()
        await expect(page.locator("#notice")).to_have_text("The charger accepted the stop.")
        assert [start["id_tag"] for start in cp.remote_starts] == ["carla-tag"]
        response = await page.goto(web.own + "/users")
        assert response is not None and response.status == 403
        # her own password, on her account page
        await page.goto(web.own + "/account")
        await expect(page.locator("main")).to_contain_text("CARLA-TAG, carla-2")
        form = page.locator("#password-form")
        await form.locator('input[name="current"]').fill("carla-secret-1")
        await form.locator('input[name="password"]').fill("carla-secret-2")
        await form.locator('input[name="password_again"]').fill("carla-secret-2")
        await form.locator("button").click()
        await expect(page.locator("#notice")).to_have_text("The password of carla was changed.")
        await screenshots(page, "account")
        await page.locator("header form button").click()
        await sign_in(page, web, "carla", "carla-secret-2")
        await carla.close()

        dave = await context.browser.new_context()
        page = await dave.new_page()
        await sign_in(page, web, "dave", "dave-secret-1")
        await page.goto(web.own + "/chargers/CP-ACC")
        await page.locator('#start-form input[name="id_tag"]').fill("CARLA-TAG")
        await page.locator("#start-form button").click()
        await expect(page.locator("#notice")).to_have_text("The tag CARLA-TAG is not one of yours.")
        assert len(cp.remote_starts) == 1
        await dave.close()


async def test_a_home_assistant_user_linked_to_a_tag_behind_ingress_and_german(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with running_web(tmp_path / "data") as web, charger16(web, "CP-HA") as cp, browser("de-DE") as context:
        page = await context.new_page()
        # Ben opens the UI once: now he is listed; without a linked tag he cannot start
        web.supervisor.user = USER
        await page.goto(web.supervisor.base + "/chargers/CP-HA")
        await page.locator('#start-form input[name="id_tag"]').fill("BEN-TAG")
        await page.locator("#start-form button").click()
        await expect(page.locator("#notice")).to_have_text("Die Karte BEN-TAG gehört nicht zu Ihren.")
        assert cp.remote_starts == []
        web.supervisor.user = ADMIN
        await page.goto(web.supervisor.base + "/users")
        await expect(page.locator("h1")).to_have_text("Benutzer und ihre Tags")
        ben = page.locator(f'#ha-users .ha-user[data-ha-user="{USER.id}"]')
        await expect(ben.locator("h3")).to_have_text(USER.display_name)
        await ben.locator('input[name="tags"]').fill("BEN-TAG zu-lang-" + "x" * 40)
        await ben.locator("button").click()
        await expect(page.locator("#notice")).to_contain_text("ist kein Tag: bis zu 36 Zeichen, ohne Leerzeichen.")
        await expect(ben.locator('input[name="tags"]')).to_have_attribute("aria-invalid", "true")
        await ben.locator('input[name="tags"]').fill("BEN-TAG")
        await ben.locator("button").click()
        await expect(page.locator("#notice")).to_have_text(f"Die Tags von {USER.display_name} wurden gespeichert.")
        # an account's form in German, behind ingress too
        await page.locator('#add-form input[name="name"]').fill("eve")
        await page.locator('#add-form input[name="password"]').fill("eve-secret-1")
        await page.locator('#add-form input[name="password_again"]').fill("eve-secret-2")
        await page.locator("#add-form button").click()
        await expect(page.locator("#notice")).to_have_text("Die beiden neuen Passwörter stimmen nicht überein.")
        await screenshots(page, "users-de")
        web.supervisor.user = USER
        await page.goto(web.supervisor.base + "/chargers/CP-HA")
        await page.locator('#start-form input[name="id_tag"]').fill("ben-tag")
        await page.locator("#start-form button").click()
        await expect(page.locator("#notice")).to_have_text("Die Ladestation hat den Start angenommen.")
        await page.locator("#stop-form button").click()
        await expect(page.locator("#notice")).to_have_text("Die Ladestation hat das Beenden angenommen.")
        assert [start["id_tag"] for start in cp.remote_starts] == ["ben-tag"]
        response = await page.goto(web.supervisor.base + "/users")
        assert response is not None and response.status == 403


async def test_the_sign_in_pages_language_switch_keeps_where_it_leads(tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with running_web(tmp_path / "data") as web, browser() as context:
        assert web.admin_password is not None
        page = await context.new_page()
        await page.goto(web.own + "/users")
        await expect(page).to_have_url(web.own + "/login?next=%2Fusers")
        await page.locator('footer a[lang="de"]').click()
        await expect(page).to_have_url(web.own + "/login?next=%2Fusers&lang=de")
        await expect(page.locator("h1")).to_have_text("Anmelden")
        # a failed sign-in, then the switch: still leading to /users
        await page.locator('input[name="name"]').fill("admin")
        await page.locator('input[name="password"]').fill("wrong password")
        await page.locator('input[name="password"]').press("Enter")
        await page.locator('footer a[lang="en"]').click()
        await expect(page).to_have_url(web.own + "/login?next=%2Fusers&lang=en")
        await page.locator('input[name="name"]').fill("admin")
        await page.locator('input[name="password"]').fill(web.admin_password)
        await page.locator('input[name="password"]').press("Enter")
        await expect(page).to_have_url(web.own + "/users")


async def test_the_charger_pages_transactions_come_from_the_store_paged_and_by_tag(tmp_path: Path) -> None:
    """55 sessions (more than a page of 50): newest first, the older page, the tag filter; after a restart of
    the app too (read from the database)."""
    from playwright.async_api import expect

    data = tmp_path / "data"
    # (a charger sending 220 frames at once would be throttled by the default rate)
    async with running_web(data, "--max-message-rate", "1000") as web, charger16(web, "CP-PAGES") as cp:
        for n in range(55):
            await cp.start_transaction(1, "PAGE-B" if n % 5 == 0 else "PAGE-A")
            await cp.stop_transaction(1)
    async with running_web(data) as web, browser() as context:
        page = await context.new_page()
        await page.goto(web.supervisor.base + "/chargers/CP-PAGES")
        rows = page.locator("table.transactions tbody tr")
        await expect(rows).to_have_count(50)
        await expect(page.locator(".pager")).to_contain_text("Page 1")
        await screenshots(page, "charger-transactions")
        await page.locator('.pager a[rel="next"]').click()
        await expect(rows).to_have_count(5)
        await expect(page.locator(".pager")).to_contain_text("Page 2")
        assert await page.locator('.pager a[rel="next"]').count() == 0
        await page.locator('.filters input[name="tag"]').fill("page-b")
        await page.locator(".filters button").click()
        await expect(rows).to_have_count(11)
        await expect(page.locator(".pager")).to_have_count(0)
        assert set(await rows.locator("td:nth-child(4)").all_inner_texts()) == {"PAGE-B"}
