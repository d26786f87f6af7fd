"""The admin pages over HTTP behind ingress (the headers the proxy adds, sent directly): who may open them, every
form's checks in the user's language, nothing half-saved, secrets never on a page; real simulated chargers."""

from __future__ import annotations

import contextlib
import html
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
from ocpp_core_app.admin.chargers import ChargerNotes
from ocpp_core_app.admin.inbox import CHARGER
from ocpp_core_app.central_import import csms

from sim.charger16 import ConfigKey
from sim.charger16 import connect as connect16
from tests.csms.support.helpers import wait_for

from .site import ADMIN_ID, USER_ID, Site, csrf_of, ingress_headers, running_site

ADMIN_PAGES = ("/admin", "/admin/chargers", "/admin/chargers/edit?id=CP1", "/admin/tags", "/admin/connectors",
               "/admin/inbox", "/admin/log", "/admin/tariffs", "/admin/tariffs?charger=CP1")  # fmt: skip
ADMIN_POSTS = ("/admin/chargers/edit?id=CP1", "/admin/chargers/command?id=CP1", "/admin/tags", "/admin/tags/edit?tag=T",
               "/admin/tags/delete?tag=T", "/admin/connectors?id=CP1", "/admin/inbox", "/admin/tariffs",
               "/admin/tariffs/delete")  # fmt: skip
PASSWORD = "Very-Secret-Passw0rd"


class Browser:
    """An HTTP client as a Home Assistant user behind ingress, in one language."""

    def __init__(self, site: Site, http: aiohttp.ClientSession, user_id: str = ADMIN_ID, lang: str = "en") -> None:
        self.site, self.http = site, http
        self.headers = ingress_headers(user_id) | {"Accept-Language": lang}

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.site.direct + path, headers=self.headers) as response:
            return response.status, await response.text()

    async def post(self, path: str, form: dict[str, Any], page: str | None = None) -> tuple[int, str]:
        status, text = await self.get(page or path)
        data = aiohttp.FormData({"csrf": csrf_of(text)} if status == 200 else {})
        for key, value in form.items():
            for item in value if isinstance(value, list) else [value]:
                data.add_field(key, item)
        async with self.http.post(self.site.direct + path, data=data, headers=self.headers) as response:
            return response.status, html.unescape(await response.text())


def client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver()))


async def _charger(site: Site, cp_id: str = "CP1", connectors: int = 2) -> Any:
    cp, task, ws = await connect16(site.ocpp_url, cp_id, connectors=connectors)
    await cp.boot()
    await cp.send_all_statuses()
    return cp, task, ws


async def test_a_user_is_refused_every_admin_page_an_admin_opens_them(tmp_path: Path) -> None:
    async with running_site(tmp_path) as (site, _), client() as http:
        _cp, task, ws = await _charger(site)
        site.central.tags.add(csms.TagRecord("T"))
        admin, user, user_de = Browser(site, http), Browser(site, http, USER_ID), Browser(site, http, USER_ID, "de")
        for path in ADMIN_PAGES:
            assert (await admin.get(path))[0] == 200, path
            status, text = await user.get(path)
            assert status == 403 and "Only administrators may do this." in text, path
            status, text = await user_de.get(path)
            assert status == 403 and "Das dürfen nur Administratoren." in text, path
        for path in ADMIN_POSTS:  # a user's POST is refused before its form is read
            async with http.post(site.direct + path, data={"csrf": "x"}, headers=user.headers) as response:
                assert response.status == 403, path
        assert site.central.tags.get("T") is not None
        status, text = await user.get("/")
        assert status == 200 and 'href="/api/hassio_ingress/test-session-token/admin"' not in text  # no admin link
        status, text = await admin.get("/")
        assert 'href="/api/hassio_ingress/test-session-token/admin"' in text
        await ws.close()
        task.cancel()


async def test_charger_form_checks_every_field_in_german_and_saves_all_or_nothing(tmp_path: Path) -> None:
    async with running_site(tmp_path) as (site, _), client() as http:
        cp, task, ws = await _charger(site)
        de = Browser(site, http, lang="de")
        path = "/admin/chargers/edit?id=CP1"
        bad = {"name": "Garage", "comment": "left", "max_current": "viel", "phases": "2", "thumbprint": "xyz"}
        status, text = await de.post(path, bad)
        assert status == 400
        assert "Bitte die markierten Felder korrigieren. Es wurde nichts gespeichert." in text
        assert "Einen Strom über 0 und höchstens 1000 A eingeben oder leer lassen." in text
        assert "1 oder 3 Phasen wählen oder leer lassen." in text
        assert "Ein Fingerabdruck hat 40 (SHA-1) oder 64 (SHA-256) Hexadezimalziffern" in text
        assert 'value="Garage"' in text  # what was typed is shown back
        station = site.central.stations["CP1"]
        assert station.settings.friendly_name is None and site.admin.notes.get("CP1") == ChargerNotes()

        good = {
            "name": "Garage",
            "comment": "links",
            "max_current": "16,5",
            "phases": "3",
            "thumbprint": "ab:" * 19 + "cd",
        }
        status, text = await de.post(path, good)
        assert status == 200 and "Gespeichert." in text
        assert (station.settings.friendly_name, station.settings.max_current, station.settings.phases) == (
            "Garage",
            16.5,
            3,
        )
        assert site.admin.notes.get("CP1") == ChargerNotes("links", "ab" * 19 + "cd")

        # the charger cannot take a password (no AuthorizationKey): the push fails, so nothing of the form is kept
        refused = good | {"name": "Carport", "max_current": "10", "password": PASSWORD, "push": "1"}
        status, text = await de.post(path, refused)
        assert status == 409 and "NotSupported" in text
        assert (station.settings.friendly_name, station.settings.max_current) == ("Garage", 16.5)
        assert not site.central.credentials.has_password("CP1")

        cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)
        status, text = await de.post(path, refused)
        assert status == 200 and site.central.credentials.has_password("CP1")
        assert station.settings.friendly_name == "Carport"
        status, text = await de.post(path, good | {"clear_password": "1"})
        assert status == 200 and not site.central.credentials.has_password("CP1")
        status, text = await de.post(path, {"password": " x"})
        assert status == 400 and "Ein Passwort darf nicht mit einem Leerzeichen beginnen" in text
        await ws.close()
        task.cancel()


async def test_tags_add_edit_delete_with_checks(tmp_path: Path) -> None:
    async with running_site(tmp_path) as (site, _), client() as http:
        cp, task, ws = await _charger(site)
        en = Browser(site, http)
        status, text = await en.post("/admin/tags", {"id_tag": "CARD-1", "name": "Anna", "expiry": "31.13.2030"})
        assert (
            status == 400 and "Enter the expiry as a date (YYYY-MM-DD or DD.MM.YYYY)" in text and 'value="Anna"' in text
        )
        assert site.central.tags.get("CARD-1") is None
        status, text = await en.post("/admin/tags", {"id_tag": "x" * 37})
        assert status == 400 and "Enter the tag's id: 1 to 36 characters." in text
        status, text = await en.post("/admin/tags", {"id_tag": "CARD-1", "name": "n" * 101})
        assert status == 400 and "A name has at most 100 characters." in text
        form = {"id_tag": "CARD-1", "name": "Anna", "parent": "FAMILY", "expiry": "2030-12-31", "chargers": ["CP1"]}
        status, text = await en.post("/admin/tags", form)
        assert status == 200 and "Tag CARD-1 added." in text
        record = site.central.tags.get("card-1")
        assert (record.name, record.parent_id, sorted(record.chargers)) == ("Anna", "FAMILY", ["CP1"])
        assert record.expiry is not None and record.expiry.date().isoformat() == "2031-01-01"  # through the 31st
        status, text = await en.post("/admin/tags", form | {"id_tag": "card-1"})
        assert status == 400 and "The tag card-1 exists already." in text

        edit = "/admin/tags/edit?tag=CARD-1"
        status, text = await en.post(edit, {"name": "Anna B.", "blocked": "1", "chargers": ["NOPE"]})
        assert status == 400 and "Unknown charger: NOPE." in text
        assert site.central.tags.get("CARD-1").name == "Anna"  # nothing of the failed edit
        status, text = await en.post(edit, {"name": "Anna B.", "blocked": "1", "expiry": "2030-12-31"})
        assert status == 200 and 'value="2030-12-31"' in text  # the last valid day, shown as entered
        record = site.central.tags.get("CARD-1")
        assert (record.name, record.status, record.chargers) == ("Anna B.", "Blocked", frozenset())
        assert (await cp.authorize("card-1")).id_tag_info["status"] == "Blocked"
        status, text = await en.post("/admin/tags/delete?tag=CARD-1", {}, page=edit)
        assert status == 200 and "Tag CARD-1 deleted." in text and site.central.tags.get("CARD-1") is None
        await ws.close()
        task.cancel()


async def test_a_connector_name_shows_on_the_overview_tile(tmp_path: Path) -> None:
    async with running_site(tmp_path) as (site, _), client() as http:
        _cp, task, ws = await _charger(site)
        en = Browser(site, http)
        status, text = await en.post(
            "/admin/connectors?id=CP1", {"name_1": "x" * 51, "name_2": "Right"}, "/admin/connectors"
        )
        assert status == 400 and "A connector's name has at most 50 characters." in text
        assert site.central.stations["CP1"].settings.connector_names == {}
        status, text = await en.post("/admin/connectors?id=CP1", {"name_1": "Left", "name_2": ""}, "/admin/connectors")
        assert status == 200 and site.central.stations["CP1"].settings.connector_names == {1: "Left"}
        status, tiles = await en.get("/overview/tiles")
        assert ">Left</span>" in tiles and ">CP1:2</span>" in tiles
        await ws.close()
        task.cancel()


async def test_inbox_page_accepts_a_pending_charger(tmp_path: Path) -> None:
    async with running_site(tmp_path, "ask") as (site, _), client() as http:
        cp, task, ws = await connect16(site.ocpp_url, "NEWCP")
        await cp.boot(vendor="ACME", expect="Pending")
        de = Browser(site, http, lang="de")
        status, text = await de.get("/admin/inbox")
        assert "NEWCP" in text and "hat gebootet, wartet auf Ihre Entscheidung" in text and "ACME" in text
        status, text = await de.post(
            "/admin/inbox", {"kind": CHARGER, "key": "NEWCP", "action": "accept", "password": " bad"}
        )
        assert (
            status == 400
            and "Dieses Passwort geht nicht" in text
            and site.admin.inbox.decision(CHARGER, "NEWCP") is None
        )  # type: ignore[union-attr]
        status, text = await de.post("/admin/inbox", {"kind": CHARGER, "key": "NEWCP", "action": "accept"})
        assert status == 200 and "Ladestation NEWCP angenommen" in text
        await wait_for(lambda: cp.registration_status == "Accepted")
        await ws.close()
        task.cancel()


async def test_message_log_page_shows_frames_and_never_the_password(tmp_path: Path) -> None:
    async with running_site(tmp_path) as (site, _), client() as http:
        cp, task, ws = await connect16(site.ocpp_url, "CP1")
        cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)
        await cp.boot()
        en = Browser(site, http)
        status, text = await en.post("/admin/chargers/edit?id=CP1", {"password": PASSWORD, "push": "1"})
        assert status == 200 and site.central.credentials.has_password("CP1")
        for query in ("", "&action=ChangeConfiguration", "&direction=out"):
            status, text = await en.get("/admin/log?charger=CP1" + query)
            assert status == 200
            page = html.unescape(text)
            assert PASSWORD not in page and PASSWORD.encode().hex() not in page.lower(), query
        assert "ChangeConfiguration" in page and "AuthorizationKey" in page and "**REDACTED**" in page
        status, text = await en.get("/admin/log?charger=CP1&action=BootNotification")
        assert "2 messages · page 1 of 1" in text
        status, text = await en.get("/admin/log?charger=CP1&from=yesterday")
        assert status == 400 and "Enter a date and time, such as 2026-03-01 14:05." in text
        await ws.close()
        task.cancel()


async def test_export_file_and_its_checks(tmp_path: Path) -> None:
    async with running_site(tmp_path) as (site, _), client() as http:
        cp, task, ws = await _charger(site)
        await cp.start_transaction(1, "USERTAG")
        await cp.stop_transaction(1)
        user = Browser(site, http, USER_ID, "de")  # a user may export
        async with http.get(site.direct + "/export/file?format=csv&charger=CP1", headers=user.headers) as response:
            assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
            assert 'filename="transactions_CP1.csv"' in response.headers["Content-Disposition"]
            body = await response.read()
        assert body.startswith(b"\xef\xbb\xbf") and b"Ladestation;Anschluss" in body and b"USERTAG" in body
        status, text = await user.get("/export/file?format=xlsx&from=2026-02-30")
        assert status == 400 and "Bitte die Daten als TT.MM.JJJJ oder JJJJ-MM-TT eingeben." in html.unescape(text)
        # a database that cannot be read: the export says so (503) rather than hand out csms's last few sessions
        with contextlib.closing(sqlite3.connect(tmp_path / "ocpp_core.db")) as db:
            db.execute("ALTER TABLE transactions RENAME TO transactions_away")
            db.commit()
        try:
            status, text = await user.get("/export/file?format=csv")
            assert status == 503 and "nicht aus der Datenbank lesen" in html.unescape(text)
        finally:
            with contextlib.closing(sqlite3.connect(tmp_path / "ocpp_core.db")) as db:
                db.execute("ALTER TABLE transactions_away RENAME TO transactions")
                db.commit()
        await ws.close()
        task.cancel()
