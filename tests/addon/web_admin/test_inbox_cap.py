"""A new charger the max_stations cap refused: it waits in the inbox (the socket's 503 alone told nobody), and
accepting it lets it in at its next connection, past the cap, with a notice that says so and how to let more
in; another new id is still refused."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from ocpp_core_app.admin.inbox import CHARGER
from websockets.exceptions import InvalidStatus

from sim.charger16 import connect as connect16

from .site import running_site
from .test_admin_pages import Browser, _charger, client


async def _refused(url: str, cp_id: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await connect16(url, cp_id)
    assert refused.value.response.status_code == 503


async def test_a_charger_the_cap_refused_is_let_in_once_accepted(tmp_path: Path) -> None:
    async with running_site(tmp_path, max_stations=1) as (site, _), client() as http:
        _cp, task, ws = await _charger(site, "CP1", 1)
        await _refused(site.ocpp_url, "CP2")
        en, de = Browser(site, http), Browser(site, http, lang="de")
        status, text = await en.get("/admin/inbox")
        text = html.unescape(text)
        assert status == 200 and 'data-key="CP2"' in text
        assert "refused: the add-on's max_stations limit is reached (accept it to let it in all the same)" in text
        status, text = await de.get("/admin/inbox")
        assert "die Höchstzahl max_stations des Add-ons ist erreicht" in text
        status, text = await en.post("/admin/inbox", {"kind": CHARGER, "key": "CP2", "action": "accept"})
        assert status == 200
        assert "Charger CP2 accepted: it is let in at its next connection, past the limit of 1 chargers" in text
        assert "raise max_stations in the add-on's configuration" in text
        cp2, task2, ws2 = await connect16(site.ocpp_url, "CP2")
        await cp2.boot(expect="Accepted")
        assert sorted(site.central.stations) == ["CP1", "CP2"]
        # the cap still holds for everyone else
        await _refused(site.ocpp_url, "CP3")
        assert site.admin.inbox is not None and site.admin.inbox.decision(CHARGER, "CP3") is None
        assert site.admin.inbox.get(CHARGER, "CP3") is not None
        for socket, loop in ((ws, task), (ws2, task2)):
            await socket.close()
            loop.cancel()
