"""Exports of real sessions (a simulated 1.6 charger on the app's central system), read back with the csv module
and openpyxl: numbers, dates in the add-on's time zone, separators and headers per language."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import openpyxl
import pytest
from ocpp_core_app.admin.exports import ExportQuery, export_rows, filename, to_csv, to_xlsx
from ocpp_core_app.central_import import csms

from sim.charger16 import connect as connect16
from tests.csms.support.helpers import wait_for

from .api_client import running_api

ZONE = timezone(timedelta(hours=5, minutes=30))  # no DST, far from UTC: a time left in UTC shows


async def _two_sessions(api: Any) -> Any:
    """CP1 charges 12.345 kWh with TAG-A (named "Anna's Auto"), then 0.5 kWh with TAG-B."""
    api.central.tags.add(csms.TagRecord("TAG-A", "Anna's Auto"))
    cp, task, ws = await connect16(api.ocpp_url, "CP1", connectors=2)
    await cp.boot()
    await cp.send_all_statuses()
    for tag, wh, connector in (("TAG-A", 12345, 1), ("TAG-B", 500, 2)):
        await cp.start_transaction(connector, tag)
        cp.sim.connectors[connector].energy_wh = float(int(cp.sim.connectors[connector].energy_wh) + wh)
        await cp.stop_transaction(connector, "EVDisconnected")
    await wait_for(lambda: len(api.central.transactions("CP1")) == 2)
    return cp, task, ws


async def _rows(api: Any, **query: Any) -> Any:
    return await export_rows(api.central, ExportQuery(**query), ZONE)


async def test_csv_in_english_and_german_reads_back_with_numbers_and_local_dates() -> None:
    async with running_api() as api:
        _cp, task, ws = await _two_sessions(api)
        rows = await _rows(api)
        records = api.central.transactions("CP1")
        await ws.close()
        task.cancel()
    assert [r.tag for r in rows] == ["TAG-A", "TAG-B"]

    english = to_csv(rows, "en")
    assert english.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    table = list(csv.reader(io.StringIO(english.decode("utf-8-sig"))))
    assert table[0] == [
        "Charger", "Connector", "Transaction", "Tag", "Tag name", "Start", "Stop", "Duration", "Energy (kWh)",
        "Stop reason",
    ]  # fmt: skip
    first = dict(zip(table[0], table[1], strict=True))
    assert (first["Charger"], first["Connector"], first["Tag"], first["Tag name"]) == (
        "CP1",
        "1",
        "TAG-A",
        "Anna's Auto",
    )
    assert first["Energy (kWh)"] == "12.345" and first["Stop reason"] == "EVDisconnected"
    start = datetime.fromisoformat(records[0]["start_time"])
    assert first["Start"] == start.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S")
    assert datetime.strptime(first["Start"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZONE) == start.replace(microsecond=0)
    assert first["Transaction"] == str(records[0]["transaction_id"])
    hours, minutes, seconds = (int(p) for p in first["Duration"].split(":"))
    assert 0 <= hours * 3600 + minutes * 60 + seconds < 60
    assert dict(zip(table[0], table[2], strict=True))["Energy (kWh)"] == "0.500"

    german = to_csv(rows, "de").decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(german), delimiter=";"))
    assert table[0][:3] == ["Ladestation", "Anschluss", "Vorgang"] and "Energie (kWh)" in table[0]
    first = dict(zip(table[0], table[1], strict=True))
    assert first["Energie (kWh)"] == "12,345" and first["Tag-Name"] == "Anna's Auto"
    assert "," not in german.splitlines()[0]  # the separator is ; (a German Excel splits on it)


async def test_xlsx_has_real_numbers_and_dates() -> None:
    async with running_api() as api:
        _cp, task, ws = await _two_sessions(api)
        rows = await _rows(api, charger="CP1")
        records = api.central.transactions("CP1")
        await ws.close()
        task.cancel()
    for language, header in (("en", "Energy (kWh)"), ("de", "Energie (kWh)")):
        book = openpyxl.load_workbook(io.BytesIO(to_xlsx(rows, language)))
        sheet = book.active
        assert sheet is not None
        values = list(sheet.iter_rows(values_only=True))
        head = list(values[0])
        first = dict(zip(head, values[1], strict=True))
        assert first[header] == pytest.approx(12.345) and isinstance(first[header], float)
        start_header = "Start" if language == "en" else "Beginn"
        assert isinstance(first[start_header], datetime)
        expected = datetime.fromisoformat(records[0]["start_time"]).astimezone(ZONE).replace(tzinfo=None)
        assert abs((first[start_header] - expected).total_seconds()) < 0.01
        connector = "Connector" if language == "en" else "Anschluss"
        assert first[connector] == 1
        duration = first["Duration" if language == "en" else "Dauer"]
        assert isinstance(duration, timedelta) and duration < timedelta(minutes=1)  # a number cell in [h]:mm:ss
        assert sheet.cell(row=2, column=head.index(header) + 1).number_format == "0.000"


async def test_filters_by_charger_tag_and_local_dates() -> None:
    async with running_api() as api:
        _cp, task, ws = await _two_sessions(api)
        today = datetime.now(UTC).astimezone(ZONE).date()
        assert [r.tag for r in await _rows(api, tag="tag-b")] == ["TAG-B"]  # tags match without regard to case
        assert await _rows(api, charger="CP2") == []
        inside = ExportQuery.for_dates("CP1", None, today, today, ZONE)
        assert len(await export_rows(api.central, inside, ZONE)) == 2
        before = ExportQuery.for_dates(None, None, date(2000, 1, 1), today - timedelta(days=1), ZONE)
        assert await export_rows(api.central, before, ZONE) == []
        assert filename(inside, "csv") == f"transactions_CP1_{today}_{today}.csv"
        assert filename(ExportQuery(tag="a/b c"), "xlsx") == "transactions_a_b_c.xlsx"
        assert (
            filename(ExportQuery(charger="Wallbox-Küche"), "csv") == "transactions_Wallbox-K_che.csv"
        )  # a header is ASCII
        await ws.close()
        task.cancel()


async def test_cost_column_from_the_pricing_hook() -> None:
    async with running_api() as api:
        _cp, task, ws = await _two_sessions(api)
        rows = await export_rows(api.central, ExportQuery(), ZONE, cost=lambda record: record["energy_wh"] / 1000 * 0.3)
        await ws.close()
        task.cancel()
    table = list(csv.reader(io.StringIO(to_csv(rows, "de", cost=lambda r: None).decode("utf-8-sig")), delimiter=";"))
    assert table[0][-2:] == ["Kosten", "Währung"] and table[1][-2:] == ["3,70", ""]  # a hook's cost: no currency
    assert "Cost" not in to_csv(await export_rows(api.central, ExportQuery(), ZONE), "en").decode("utf-8-sig")


async def test_cost_column_from_the_tariff() -> None:
    """A tariff set on the central system: each session's cost, as kept with it, is in the export."""
    async with running_api() as api:
        await api.central.pricing.set_tariff(
            csms.features.pricing.Scope.of(), {"currency": "EUR", "energy_price": "0.30", "session_fee": "1"}
        )
        _cp, task, ws = await _two_sessions(api)
        rows = await _rows(api)
        await ws.close()
        task.cancel()
    assert sorted(row.cost for row in rows if row.cost is not None) == [pytest.approx(1.15), pytest.approx(4.70)]
    table = list(csv.reader(io.StringIO(to_csv(rows, "en").decode("utf-8-sig")), delimiter=","))
    assert table[0][-2:] == ["Cost", "Currency"]
    assert sorted(tuple(row[-2:]) for row in table[1:]) == [("1.15", "EUR"), ("4.70", "EUR")]
