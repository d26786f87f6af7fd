"""The message log query (a simulated 1.6 charger's real frames, live and from the store after a restart) and the
chargers' notes: filters, pages, a result under its call's action, and no secret ever in what a page gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ocpp_core_app.admin.chargers import ChargerNotes, NoteError, parse_comment, parse_thumbprint
from ocpp_core_app.admin.message_log import LogQuery, entries, frames_of, query

from sim.charger16 import ConfigKey
from sim.charger16 import connect as connect16
from tests.csms.support.helpers import wait_for

from .test_inbox import site

PASSWORD = "Sup3r-Secret-Passw0rd!"


async def test_log_filters_pages_and_never_shows_the_password(tmp_path: Path) -> None:
    async with site(tmp_path, "accept") as s:
        cp, task, ws = await connect16(s.url, "LOG1")
        cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)  # it takes a password (1.6 security)
        await cp.boot()
        await wait_for(lambda: s.central.stations["LOG1"].configuration_time is not None)
        for _ in range(3):
            await cp.heartbeat()
        assert await s.central.credentials.set_password("LOG1", PASSWORD, push=True) == "Accepted"
        frames = await frames_of(s.central, s.store, "LOG1")
        page = query(frames, LogQuery())
        assert {"BootNotification", "Heartbeat", "ChangeConfiguration", "GetConfiguration"} <= set(page.actions)
        assert page.entries[0].time >= page.entries[-1].time  # newest first
        shown = " ".join(e.text for e in entries(frames))
        assert PASSWORD not in shown and PASSWORD.encode().hex() not in shown.lower()
        assert "AuthorizationKey" in shown and "**REDACTED**" in shown

        boot = query(frames, LogQuery(action="bootnotification"))
        assert [(e.direction, e.kind) for e in reversed(boot.entries)] == [("in", "call"), ("out", "result")]
        heartbeats = query(frames, LogQuery(action="Heartbeat", direction="in", per_page=2))
        assert (heartbeats.total, heartbeats.pages, len(heartbeats.entries)) == (3, 2, 2)
        assert len(query(frames, LogQuery(action="Heartbeat", direction="in", per_page=2, page=9)).entries) == 1
        answers = query(frames, LogQuery(action="Heartbeat", direction="out"))  # our answers, under their call
        assert answers.total == 3 and {e.kind for e in answers.entries} == {"result"}
        future = datetime.now(UTC) + timedelta(hours=1)
        assert query(frames, LogQuery(since=future)).total == 0
        assert query(frames, LogQuery(until=future)).total == len(frames)
        await ws.close()
        task.cancel()
        await wait_for(lambda: not s.central.is_connected("LOG1"))
    async with site(tmp_path, "accept") as s:  # after a restart: the store's copy
        frames = await frames_of(s.central, s.store, "LOG1")
        assert frames and "ChangeConfiguration" in query(frames, LogQuery()).actions
        assert PASSWORD.encode().hex() not in " ".join(e.text for e in entries(frames)).lower()


def test_a_secret_csms_left_in_a_frame_is_scrubbed_all_the_same() -> None:
    frames = [
        (1.0, "out", '[2,"7","ChangeConfiguration",{"key":"AuthorizationKey","value":"deadbeefcafe"}]'),
        (
            2.0,
            "in",
            '[2,"8","NotifyReport",{"reportData":[{"variable":{"name":"BasicAuthPassword"},'
            '"variableAttribute":[{"value":"hunter2hunter2"}]}]}]',
        ),
        (3.0, "in", "not json at all password=hunter2"),
        (4.0, "in", '[2,"9","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z"...'),
    ]
    texts = [e.text for e in entries(frames)]
    assert not any("deadbeefcafe" in t or "hunter2" in t for t in texts), texts
    assert entries(frames)[2].kind == ""
    cut = entries(frames)[3]  # csms keeps a long MeterValues cut short: still filed under its action
    assert (cut.kind, cut.action, cut.unique_id) == ("call", "MeterValues", "9")


def test_notes_validation() -> None:
    sha256 = "AB:" * 31 + "CD"
    assert parse_thumbprint(sha256) == "ab" * 31 + "cd"
    assert ChargerNotes(thumbprint=parse_thumbprint(sha256)).thumbprint_shown == sha256
    assert parse_thumbprint("  ") is None and parse_thumbprint("a" * 40) == "a" * 40
    for bad in ("abc", "g" * 40, "a" * 63):
        with pytest.raises(NoteError, match="bad_thumbprint"):
            parse_thumbprint(bad)
    with pytest.raises(NoteError, match="bad_comment"):
        parse_comment("x" * 501)
    assert parse_comment("  garage, left  ") == "garage, left"


async def test_notes_are_kept_across_a_restart(tmp_path: Path) -> None:
    async with site(tmp_path, "accept") as s:
        await s.admin.notes.save("CP9", ChargerNotes("in the garage", "a" * 40))
        await s.admin.notes.save("CP8", ChargerNotes("temporary"))
        await s.admin.notes.save("CP8", ChargerNotes())
    async with site(tmp_path, "accept") as s:
        assert s.admin.notes.get("CP9") == ChargerNotes("in the garage", "a" * 40)
        assert s.admin.notes.get("CP8") == ChargerNotes()
