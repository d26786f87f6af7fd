"""The inbox on the app's real store (SQLite), real central system and simulated 1.6 chargers: unknown chargers
kept out by the boot policy or refused at the socket, unknown tags, and the admin's accept / refuse."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import websockets
from ocpp_core_app.admin.inbox import ACCEPTED, CHARGER, MAX_WAITING, REFUSED, TAG, Inbox, InboxError
from ocpp_core_app.admin.services import AdminData
from ocpp_core_app.central_import import csms
from ocpp_core_app.store import SqliteStore
from ocpp_core_app.store.samples import MessageLog

from sim.auth import ConnectOptions
from sim.charger16 import connect as connect16
from tests.csms.support.helpers import wait_for


@dataclass
class Site:
    central: Any
    admin: AdminData
    store: SqliteStore

    @property
    def inbox(self) -> Inbox:
        assert self.admin.inbox is not None
        return self.admin.inbox

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.central.port}"


@contextlib.asynccontextmanager
async def site(path: Path, unknown_chargers: str, **config: Any) -> AsyncIterator[Site]:
    """The app's central system as app.py builds it, on an SQLite store in `path` (again: a restart)."""
    store = SqliteStore(path / "ocpp_core.db", save_delay=0.05)
    await store.open()
    central = csms.CentralSystem(csms.CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, **config), store)
    admin = AdminData(store)
    admin.attach(central, unknown_chargers)
    central.events.subscribe(MessageLog(central, store).on_event)
    await central.load()
    await admin.load()
    await central.start()
    try:
        yield Site(central, admin, store)
    finally:
        await central.stop()
        await admin.close()
        await store.close()


async def test_ask_keeps_a_charger_pending_until_accepted_then_it_boots_accepted(tmp_path: Path) -> None:
    async with site(tmp_path, "ask") as s:
        cp, task, ws = await connect16(s.url, "NEW1")
        await cp.boot(vendor="ACME", model="Wallbox 7", expect="Pending")
        [entry] = s.inbox.entries(CHARGER)
        assert (entry.shown, entry.decision, entry.detail["reason"]) == ("NEW1", None, "pending")
        assert (entry.detail["vendor"], entry.detail["model"]) == ("ACME", "Wallbox 7")
        answer = await s.inbox.accept_charger("NEW1")
        assert answer is not None and answer["status"] == "Accepted"  # TriggerMessage BootNotification
        await wait_for(lambda: cp.registration_status == "Accepted")
        assert s.central.stations["NEW1"].registration_status == "Accepted"
        assert s.inbox.entries(CHARGER, decided=False) == []
        await ws.close()
        task.cancel()
    async with site(tmp_path, "ask") as s:  # durable: the decision and the attempt survive a restart
        [entry] = s.inbox.entries(CHARGER, decided=True)
        assert (entry.shown, entry.decision, entry.attempts) == ("NEW1", ACCEPTED, 1)
        cp, task, ws = await connect16(s.url, "NEW1")
        await cp.boot()  # Accepted at once
        await ws.close()
        task.cancel()


async def test_reject_then_accept_from_the_inbox_lets_it_in_at_its_next_boot(tmp_path: Path) -> None:
    async with site(tmp_path, "reject") as s:
        cp, task, ws = await connect16(s.url, "REJ1")
        await cp.boot(expect="Rejected")
        await ws.close()
        task.cancel()
        await wait_for(lambda: "REJ1" not in s.central.stations)  # csms forgets a rejected id: the inbox keeps it
        [entry] = s.inbox.entries(CHARGER, decided=False)
        assert entry.detail["reason"] == "rejected"
        assert await s.inbox.accept_charger("REJ1") is None  # not connected: its next boot
        cp, task, ws = await connect16(s.url, "REJ1")
        await cp.boot()
        assert s.central.stations["REJ1"].registration_status == "Accepted"
        await ws.close()
        task.cancel()


async def test_refused_charger_stays_out_across_restarts(tmp_path: Path) -> None:
    async with site(tmp_path, "ask") as s:
        cp, task, ws = await connect16(s.url, "BAD1")
        await cp.boot(expect="Pending")
        await s.inbox.refuse_charger("BAD1")
        assert s.central.stations["BAD1"].registration_status == "Rejected"
        await cp.boot(expect="Rejected")
        await ws.close()
        task.cancel()
    async with site(tmp_path, "accept") as s:  # even with the policy accept
        cp, task, ws = await connect16(s.url, "BAD1")
        await cp.boot(expect="Rejected")
        assert s.inbox.decision(CHARGER, "BAD1") == REFUSED
        await ws.close()
        task.cancel()


async def test_a_charger_refused_at_the_socket_is_accepted_with_its_password(tmp_path: Path) -> None:
    async with site(tmp_path, "accept", security_profile=1) as s:
        with pytest.raises(websockets.InvalidStatus):
            await connect16(s.url, "SOCK1")
        await wait_for(lambda: s.inbox.get(CHARGER, "SOCK1") is not None)
        assert s.inbox.get(CHARGER, "SOCK1").detail["reason"] == "missing_credentials"  # type: ignore[union-attr]
        with pytest.raises(InboxError, match="bad_password"):
            await s.inbox.accept_charger("SOCK1", password=" spaced ")
        assert s.inbox.decision(CHARGER, "SOCK1") is None  # a bad password: nothing decided
        await s.inbox.accept_charger("SOCK1", password="a-good-password-1")
        cp, task, ws = await connect16(s.url, "SOCK1", options=ConnectOptions(password="a-good-password-1"))
        await cp.boot()
        await ws.close()
        task.cancel()


async def test_unknown_tags_accepted_into_the_book_or_refused_blocked(tmp_path: Path) -> None:
    async with site(tmp_path, "accept") as s:
        s.central.state.authorization.policy.accept_unknown = False
        cp, task, ws = await connect16(s.url, "CP1")
        await cp.boot()
        await cp.authorize("stranger")
        answer = await cp.authorize("Stranger")
        assert answer.id_tag_info["status"] == "Invalid"
        await cp.start_transaction(1, "Other")
        await cp.stop_transaction(1)
        await wait_for(lambda: len(s.inbox.entries(TAG)) == 2)
        stranger = s.inbox.get(TAG, "STRANGER")  # tags match without regard to case
        assert stranger is not None and stranger.attempts == 2
        assert stranger.detail == {"station": "CP1", "action": "Authorize", "status": "Invalid"}
        assert s.inbox.get(TAG, "Other").detail["action"] == "StartTransaction"  # type: ignore[union-attr]
        await s.inbox.accept_tag("Stranger", name="A visitor")
        assert s.central.tags.get("stranger").name == "A visitor"
        assert (await cp.authorize("Stranger")).id_tag_info["status"] == "Accepted"
        await s.inbox.refuse_tag("Other")
        assert s.central.tags.get("Other").status == "Blocked"
        assert (await cp.authorize("Other")).id_tag_info["status"] == "Blocked"
        assert s.inbox.entries(TAG, decided=False) == []
        await ws.close()
        task.cancel()
    async with site(tmp_path, "accept") as s:
        assert s.central.tags.get("Stranger") is not None and s.inbox.decision(TAG, "other") == REFUSED


async def test_a_flood_of_made_up_ids_is_bounded(tmp_path: Path) -> None:
    async with site(tmp_path, "accept") as s:
        for number in range(MAX_WAITING + 20):
            s.inbox.note_charger(f"FAKE{number}", "not_admitted")
        waiting = s.inbox.entries(CHARGER, decided=False)
        assert len(waiting) == MAX_WAITING and waiting[0].shown == f"FAKE{MAX_WAITING + 19}"
        await s.inbox.flush()
    async with site(tmp_path, "accept") as s:
        assert len(s.inbox.entries(CHARGER)) == MAX_WAITING
        await s.inbox.forget(CHARGER, f"FAKE{MAX_WAITING + 19}")
        with pytest.raises(InboxError, match="unknown_entry"):
            await s.inbox.forget(CHARGER, "FAKE0")
    async with site(tmp_path, "accept") as s:
        assert len(s.inbox.entries(CHARGER)) == MAX_WAITING - 1


async def test_the_inbox_and_notes_on_postgresql(postgres_server: Any) -> None:
    """The same rows on the PostgreSQL backend: an attempt, a decision and a note survive a restart."""
    from ocpp_core_app.admin.chargers import ChargerNotes
    from ocpp_core_app.store.postgres import PostgresStore

    url = postgres_server.new_database()
    for round_ in (1, 2):
        store = PostgresStore(url, save_delay=0.05)
        await store.open()
        central = csms.CentralSystem(csms.CentralSystemConfig(host="127.0.0.1", port=0), store)
        admin = AdminData(store)
        inbox = admin.attach(central, "ask")
        await central.load()
        await admin.load()
        if round_ == 1:
            inbox.note_charger("PG1", "pending", vendor="ACME")
            inbox.note_tag("Card-9", "PG1", "Authorize", "Invalid")
            await inbox.refuse_charger("PG1")
            await admin.notes.save("PG1", ChargerNotes("cellar"))
        else:
            assert inbox.decision(CHARGER, "PG1") == REFUSED
            assert inbox.get(CHARGER, "PG1").detail["vendor"] == "ACME"  # type: ignore[union-attr]
            assert inbox.get(TAG, "card-9") is not None
            assert admin.notes.get("PG1") == ChargerNotes("cellar")
        await central.stop()
        await admin.close()
        await store.close()
