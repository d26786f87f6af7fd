"""What the German UI submits is understood: the date pickers send ISO whatever the browser's locale shows, but
where a browser shows a plain text field people type 1.3.2026 or 01.03.2026 14:05 — the charger page's range, the
export, the message log's times and a tag's expiry take both (and the filters still filter); the log writes its
times as German does."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from .site import running_site
from .test_admin_pages import Browser, _charger, client


def _german(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


async def test_days_and_times_typed_as_german_writes_them(tmp_path: Path) -> None:
    async with running_site(tmp_path) as (site, _), client() as http:
        cp, task, ws = await _charger(site)
        await cp.start_transaction(1, "DE-TAG")
        await cp.stop_transaction(1)
        de = Browser(site, http, lang="de")
        today = date.today()
        # the charger page's range: the session is in it, or not; the inputs show the ISO form again
        status, text = await de.get(f"/chargers/CP1?from=01.01.2000&to={_german(today)}")
        assert status == 200 and "DE-TAG" in text and 'value="2000-01-01"' in text and "JJJJ" not in text
        status, text = await de.get("/chargers/CP1?from=1.1.2000&to=31.12.2000")
        assert status == 200 and "DE-TAG" not in text and "JJJJ" not in text
        # the export
        for to, found in ((_german(today), True), ("31.12.2000", False)):
            async with http.get(
                site.direct + f"/export/file?format=csv&from=01.01.2000&to={to}", headers=de.headers
            ) as response:
                assert response.status == 200, await response.text()
                assert (b"DE-TAG" in await response.read()) is found, to
        # the message log's times, with or without seconds, a comma or not
        for since, any_frame in (("01.01.2000 00:00", True), ("1.1.2099, 10:00:30", False)):
            status, text = await de.get(f"/admin/log?charger=CP1&from={since}")
            assert status == 200 and ("Keine passenden Nachrichten." not in text) is any_frame, since
            if any_frame:  # each frame's time as German writes it
                assert re.search(r"<time [^>]*>\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}</time>", text)
        status, text = await de.get("/admin/log?charger=CP1&from=01.01.2000 25:00")
        assert status == 400 and "Datum und Uhrzeit eingeben, etwa 01.03.2026 14:05." in text
        # a tag's expiry: valid through the day typed
        status, text = await de.post("/admin/tags", {"id_tag": "CARD-DE", "expiry": "31.12.2030"})
        assert status == 200, text
        record = site.central.tags.get("CARD-DE")
        assert record is not None and record.expiry is not None and record.expiry.date() == date(2031, 1, 1)
        status, text = await de.get("/admin/tags/edit?tag=CARD-DE")
        assert 'value="2030-12-31"' in text
        await ws.close()
        task.cancel()
