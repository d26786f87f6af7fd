"""Exports of every recorded session, on SQLite and on a real PostgreSQL server: csms keeps only the last few
sessions (history_size 3), the export still holds all twelve of the date range — read back with the csv module and
openpyxl, with their numbers, their dates in the add-on's time zone and the tariff's cost."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
from ocpp_core_app.admin import exports
from ocpp_core_app.admin.exports import ExportQuery, export_rows, to_csv, to_xlsx
from ocpp_core_app.central_import import csms
from ocpp_core_app.store import RowStore

from tests.csms.support.helpers import BOOT, RawCharger

HISTORY = 3
ZONE = timezone(timedelta(hours=5, minutes=30))  # 20:00 UTC is 01:30 the next day here


async def _charge(central: csms.CentralSystem, cp_id: str, sessions: list[tuple[str, str, int]]) -> list[str]:
    """One session per (start, stop, Wh) through a raw 1.6 charger; the transaction ids."""
    cp = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", cp_id)
    await cp.call("BootNotification", BOOT)
    ids = []
    meter = 0
    for n, (start, stop, wh) in enumerate(sessions):
        begin = {"connectorId": 1, "idTag": "TAG-A", "meterStart": meter, "timestamp": start}
        tx_id = (await cp.call("StartTransaction", begin, f"s{n}"))[2]["transactionId"]
        meter += wh
        end = {"transactionId": tx_id, "meterStop": meter, "timestamp": stop, "reason": "EVDisconnected"}
        await cp.call("StopTransaction", end, f"e{n}")
        ids.append(str(tx_id))
    await cp.close()
    return ids


async def test_the_export_holds_every_recorded_session_not_only_csms_history(
    store: RowStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "EXPORT_PAGE", 5)  # three pages of the store's sessions
    central = csms.CentralSystem(csms.CentralSystemConfig(host="127.0.0.1", port=0, history_size=HISTORY), store)
    await central.start()
    try:
        await central.pricing.set_tariff(
            csms.features.pricing.Scope.of(), {"currency": "EUR", "energy_price": "0.30", "session_fee": "1"}
        )
        central.tags.add(csms.TagRecord("TAG-A", "Anna's Auto"))
        # outside March 1-12 (local): Feb 28 10:00Z and Mar 13 10:00Z; inside: Feb 28 20:00Z (Mar 1, 01:30 local)
        # and one a day Mar 1..11 at 10:00Z; the n-th inside session charges (n + 1) * 100 Wh in 45 minutes
        inside = [("2026-02-28T20:00:00Z", "2026-02-28T20:45:00Z")]
        inside += [(f"2026-03-{day:02d}T10:00:00Z", f"2026-03-{day:02d}T10:45:00Z") for day in range(1, 12)]
        sessions = [("2026-02-28T10:00:00Z", "2026-02-28T10:45:00Z", 7000)]
        sessions += [(start, stop, (n + 1) * 100) for n, (start, stop) in enumerate(inside)]
        sessions += [("2026-03-13T10:00:00Z", "2026-03-13T10:45:00Z", 9000)]
        ids = await _charge(central, "CP-A", sessions)
        assert len(central.transactions()) == HISTORY  # csms keeps the last three only
        query = ExportQuery.for_dates(None, None, date(2026, 3, 1), date(2026, 3, 12), ZONE)
        rows = await export_rows(central, query, ZONE, store=store)
        by_charger = await export_rows(
            central, ExportQuery.for_dates("CP-A", "tag-a", None, None, ZONE), ZONE, store=store
        )
    finally:
        await central.stop()

    assert [row.transaction_id for row in rows] == ids[1:-1]  # all twelve, oldest first
    assert len(by_charger) == 14  # the charger and tag filters alone: every session
    starts = [datetime.fromisoformat(start).astimezone(ZONE).replace(tzinfo=None) for start, _ in inside]
    assert starts[0] == datetime(2026, 3, 1, 1, 30)

    table = list(csv.reader(io.StringIO(to_csv(rows, "de").decode("utf-8-sig")), delimiter=";"))
    assert table[0][-2:] == ["Kosten", "Währung"] and len(table) == 13
    for n, line in enumerate(table[1:]):
        cells = dict(zip(table[0], line, strict=True))
        assert cells["Vorgang"] == ids[n + 1] and cells["Tag-Name"] == "Anna's Auto"
        assert cells["Beginn"] == starts[n].strftime("%Y-%m-%d %H:%M:%S")
        assert cells["Ende"] == (starts[n] + timedelta(minutes=45)).strftime("%Y-%m-%d %H:%M:%S")
        assert cells["Dauer"] == "0:45:00" and cells["Grund des Endes"] == "EVDisconnected"
        assert cells["Energie (kWh)"] == f"{(n + 1) / 10:.3f}".replace(".", ",")
        assert cells["Kosten"] == f"{1 + 0.03 * (n + 1):.2f}".replace(".", ",")
        assert cells["Währung"] == "EUR"

    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(rows, "en"))).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    head = list(values[0])
    assert len(values) == 13
    for n, line in enumerate(values[1:]):
        cells = dict(zip(head, line, strict=True))
        assert cells["Transaction"] == ids[n + 1]
        assert isinstance(cells["Start"], datetime) and abs((cells["Start"] - starts[n]).total_seconds()) < 0.01
        assert cells["Energy (kWh)"] == pytest.approx((n + 1) / 10)
        assert cells["Cost"] == pytest.approx(1 + 0.03 * (n + 1))
        assert cells["Duration"] == timedelta(minutes=45)
