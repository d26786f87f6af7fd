"""The transactions of a charger, a tag or all, for a date range, as CSV or XLSX.

CSV is UTF-8 with a BOM (Excel then reads the umlauts right); German uses `;` and a decimal comma as Excel
does in a German locale, English `,` and `.`.  Times are in the add-on's local time, written as
`YYYY-MM-DD HH:MM:SS`, which Excel reads as a date in either locale.  XLSX has real number and date cells.
The cost column appears once there is a cost (a station that sends one, or the pricing's `cost` function).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from ..store.recorded import SessionQuery

# a transaction's record (csms's transactions()) -> its cost, or None (the pricing issue plugs in here)
CostFn = Callable[[dict[str, Any]], float | None]

LANGUAGES = ("en", "de")
COLUMNS = (
    "charger",
    "connector",
    "transaction_id",
    "tag",
    "tag_name",
    "start",
    "stop",
    "duration",
    "energy_kwh",
    "stop_reason",
    "cost",
    "currency",
)
HEADERS: dict[str, dict[str, str]] = {
    "en": {
        "charger": "Charger",
        "connector": "Connector",
        "transaction_id": "Transaction",
        "tag": "Tag",
        "tag_name": "Tag name",
        "start": "Start",
        "stop": "Stop",
        "duration": "Duration",
        "energy_kwh": "Energy (kWh)",
        "stop_reason": "Stop reason",
        "cost": "Cost",
        "currency": "Currency",
    },
    "de": {
        "charger": "Ladestation",
        "connector": "Anschluss",
        "transaction_id": "Vorgang",
        "tag": "Tag",
        "tag_name": "Tag-Name",
        "start": "Beginn",
        "stop": "Ende",
        "duration": "Dauer",
        "energy_kwh": "Energie (kWh)",
        "stop_reason": "Grund des Endes",
        "cost": "Kosten",
        "currency": "Währung",
    },
}
SHEET_NAME = {"en": "Transactions", "de": "Ladevorgänge"}
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class ExportQuery:
    """Which transactions: of one charger and / or tag (None: all), started in [since, until)."""

    charger: str | None = None
    tag: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def for_dates(
        cls, charger: str | None, tag: str | None, first: date | None, last: date | None, zone: tzinfo
    ) -> ExportQuery:
        """The days first..last (both included) in the add-on's time zone."""
        since = datetime.combine(first, time(), zone) if first is not None else None
        until = datetime.combine(last + timedelta(days=1), time(), zone) if last is not None else None
        return cls(charger or None, tag or None, since, until)


@dataclass(frozen=True, slots=True)
class ExportRow:
    charger: str
    connector: int
    transaction_id: str
    tag: str | None
    tag_name: str | None
    start: datetime  # local time, naive (what a spreadsheet shows)
    stop: datetime | None
    duration_s: float | None
    energy_kwh: float | None
    stop_reason: str | None
    cost: float | None
    currency: str | None = None  # of the cost (ISO 4217)
    cost_decimals: int = 2  # the currency's minor unit (as the cost was rounded)


def local_zone() -> tzinfo:
    """The add-on's time zone (its TZ; the Supervisor sets Home Assistant's)."""
    return datetime.now().astimezone().tzinfo or UTC


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


# sessions read from the store per query; each page's records become rows, then go (100,000 sessions on SQLite:
# ~8 s, the event loop blocked ~150 ms at most; smaller pages cost more in OFFSET scans)
EXPORT_PAGE = 5000


async def export_rows(
    central: Any, query: ExportQuery, zone: tzinfo, cost: CostFn | None = None, store: Any = None
) -> list[ExportRow]:
    """The matching transactions, oldest start first, as rows (times in `zone`): every session the store
    recorded (all its pages; store None: csms's history alone) with csms's own (its open sessions, those not
    written yet, and the freshest copy of each).  StoreError when the store cannot be read."""
    wanted_tag = query.tag.strip().casefold() if query.tag else None
    fresh = {_key(record): record for record in central.transactions(query.charger, query.since, query.until)}
    found: list[ExportRow] = []
    seen: set[tuple[str, str, str]] = set()

    def add(record: dict[str, Any]) -> None:
        key = _key(record)
        if key in seen:  # a page shifted by a session recorded meanwhile
            return
        seen.add(key)
        row = _row(central, fresh.pop(key, record), query, wanted_tag, zone, cost)
        if row is not None:
            found.append(row)

    if store is not None:
        # SQLite's lower() folds ASCII only: another tag is matched here, not in the query
        tag = query.tag.strip() if query.tag and query.tag.isascii() else None
        page = 0
        while True:
            records, more = await store.recorded_sessions(
                SessionQuery(query.charger, None, tag, query.since, query.until, page, EXPORT_PAGE)
            )
            for record in records:
                add(record)
            if not more or not records:
                break
            page += 1
    for record in list(fresh.values()):
        add(record)
    found.sort(key=lambda row: row.start)
    return found


def _key(record: dict[str, Any]) -> tuple[str, str, str]:
    return (str(record["station_id"]), str(record["transaction_id"]), str(record.get("start_time")))


def _row(
    central: Any, record: dict[str, Any], query: ExportQuery, wanted_tag: str | None, zone: tzinfo, cost: CostFn | None
) -> ExportRow | None:
    """The record's row, or None when it does not match (the store's query also hands out sessions that merely
    meet the range; an export holds those started in it)."""
    start = _parse(record["start_time"])
    if start is None:
        return None
    if (query.since is not None and start < query.since) or (query.until is not None and start >= query.until):
        return None
    if query.charger is not None and str(record["station_id"]) != query.charger:
        return None
    id_tag = record.get("id_tag")
    if wanted_tag is not None and (id_tag or "").strip().casefold() != wanted_tag:
        return None
    stop = _parse(record.get("stop_time"))
    tag = central.tags.get(id_tag) if id_tag else None
    energy = record.get("energy_wh")
    amount = cost(record) if cost is not None else _recorded_cost(record)
    currency = _recorded_currency(record) if amount is not None else None
    return ExportRow(
        charger=str(record["station_id"]),
        connector=int(record["connector_id"]),
        transaction_id=str(record["transaction_id"]),
        tag=id_tag,
        tag_name=tag.name if tag is not None else None,
        start=start.astimezone(zone).replace(tzinfo=None),
        stop=stop.astimezone(zone).replace(tzinfo=None) if stop is not None else None,
        duration_s=(stop - start).total_seconds() if stop is not None else None,
        energy_kwh=float(energy) / 1000 if energy is not None else None,
        stop_reason=record.get("stop_reason"),
        cost=float(amount) if amount is not None else None,
        currency=currency,
        cost_decimals=_decimals(amount),
    )


def _recorded_cost(record: dict[str, Any]) -> Any:
    """The cost the central system's tariff put on the session (features/pricing), else the station's own."""
    priced = record.get("cost")
    if isinstance(priced, dict) and priced.get("total") is not None:
        return priced["total"]
    return record.get("total_cost")


def _recorded_currency(record: dict[str, Any]) -> str | None:
    priced = record.get("cost")
    if isinstance(priced, dict) and priced.get("currency"):
        return str(priced["currency"])
    currency = record.get("currency")
    return str(currency) if currency else None


def _decimals(amount: Any) -> int:
    """The decimals of a cost kept as text ("4.30": 2, "430": 0); 2 for a number."""
    if isinstance(amount, str) and amount.strip():
        _, _, fraction = amount.strip().partition(".")
        return len(fraction)
    return 2


def columns(rows: Sequence[ExportRow], cost: CostFn | None = None) -> tuple[str, ...]:
    """The columns written: cost only once there is a cost to show (or a pricing to compute it)."""
    if cost is not None or any(row.cost is not None for row in rows):
        return COLUMNS
    return COLUMNS[:-2]


def _duration_text(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _number_text(value: float, decimals: int, language: str) -> str:
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if language == "de" else text


def _csv_cell(row: ExportRow, column: str, language: str) -> str:
    value: Any = {
        "charger": row.charger,
        "connector": str(row.connector),
        "transaction_id": row.transaction_id,
        "tag": row.tag,
        "tag_name": row.tag_name,
        "start": row.start.strftime(DATE_FORMAT),
        "stop": row.stop.strftime(DATE_FORMAT) if row.stop is not None else None,
        "duration": _duration_text(row.duration_s) if row.duration_s is not None else None,
        "energy_kwh": _number_text(row.energy_kwh, 3, language) if row.energy_kwh is not None else None,
        "stop_reason": row.stop_reason,
        "cost": _number_text(row.cost, row.cost_decimals, language) if row.cost is not None else None,
        "currency": row.currency,
    }[column]
    return "" if value is None else str(value)


def to_csv(rows: Sequence[ExportRow], language: str, cost: CostFn | None = None) -> bytes:
    """UTF-8 with BOM; `;` and decimal comma in German, `,` and `.` in English."""
    language = language if language in LANGUAGES else "en"
    names = columns(rows, cost)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if language == "de" else ",", lineterminator="\r\n")
    writer.writerow([HEADERS[language][name] for name in names])
    for row in rows:
        writer.writerow([_csv_cell(row, name, language) for name in names])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[ExportRow], language: str, cost: CostFn | None = None) -> bytes:
    """One sheet; dates, durations and numbers as real cells (the spreadsheet's locale shows them)."""
    language = language if language in LANGUAGES else "en"
    names = columns(rows, cost)
    out = io.BytesIO()
    import xlsxwriter  # only for an XLSX export: ~1.5 MiB of RSS an add-on that never exports need not carry

    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet(SHEET_NAME[language])
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    duration = book.add_format({"num_format": "[h]:mm:ss"})
    energy = book.add_format({"num_format": "0.000"})
    money = book.add_format({"num_format": "0.00"})
    widths = {"start": 20, "stop": 20, "tag_name": 20, "stop_reason": 18, "transaction_id": 14, "charger": 16}
    for col, name in enumerate(names):
        sheet.write_string(0, col, HEADERS[language][name], bold)
        sheet.set_column(col, col, widths.get(name, 12))
    for number, row in enumerate(rows, start=1):
        for col, name in enumerate(names):
            _xlsx_cell(
                sheet, number, col, row, name, {"when": when, "duration": duration, "energy": energy, "money": money}
            )
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(names) - 1)
    book.close()
    return out.getvalue()


def _xlsx_cell(sheet: Any, number: int, col: int, row: ExportRow, name: str, formats: dict[str, Any]) -> None:
    if name == "connector":
        sheet.write_number(number, col, row.connector)
    elif name == "start":
        sheet.write_datetime(number, col, row.start, formats["when"])
    elif name == "stop" and row.stop is not None:
        sheet.write_datetime(number, col, row.stop, formats["when"])
    elif name == "duration" and row.duration_s is not None:
        sheet.write_number(number, col, row.duration_s / 86400, formats["duration"])
    elif name == "energy_kwh" and row.energy_kwh is not None:
        sheet.write_number(number, col, row.energy_kwh, formats["energy"])
    elif name == "cost" and row.cost is not None:
        sheet.write_number(number, col, row.cost, formats["money"])
    else:
        text = {
            "charger": row.charger,
            "transaction_id": row.transaction_id,
            "tag": row.tag,
            "tag_name": row.tag_name,
            "stop_reason": row.stop_reason,
            "currency": row.currency,
        }.get(name)
        if text:
            sheet.write_string(number, col, text)


def filename(query: ExportQuery, extension: str) -> str:
    """e.g. transactions_CP1_2026-12-01_2026-12-31.csv (only safe characters)."""
    parts = ["transactions"]
    for part in (query.charger, query.tag):
        if part:
            parts.append("".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "_" for c in part)[:40])
    if query.since is not None:
        parts.append(query.since.date().isoformat())
    if query.until is not None:
        parts.append((query.until - timedelta(days=1)).date().isoformat())
    return "_".join(parts) + "." + extension
