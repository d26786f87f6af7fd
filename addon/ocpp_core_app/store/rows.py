"""csms's state document split into the store's rows, and joined again.

A row is (table, key) -> its JSON text; the store writes a row only when its text changed since it was last
written, so a meter value rewrites the charger's row, not the whole document.
"""

from __future__ import annotations

from typing import Any

import msgspec

# sections of the document with their own table
STATIONS = "stations"
HISTORY = "history"

_encoder = msgspec.json.Encoder(order="deterministic")
_decoder = msgspec.json.Decoder()

RowKey = tuple[str, str]  # (table, key)


def encode(value: Any) -> str:
    return _encoder.encode(value).decode()


def decode(text: str) -> Any:
    return _decoder.decode(text)


def transaction_key(station_id: str, transaction_id: str, start_time: str) -> str:
    return encode([station_id, transaction_id, start_time])


def split(data: dict[str, Any]) -> dict[RowKey, str]:
    """Every row of the document: its sections, its stations, its transactions (open and ended)."""
    rows: dict[RowKey, str] = {}
    for key, value in data.items():
        if key not in (STATIONS, HISTORY):
            rows[("document", key)] = encode(value)
    for station_id, station in data.get(STATIONS, {}).items():
        rows[("stations", station_id)] = encode(station)
        for tx in station.get("open_transactions", []):
            record = {"station_id": station_id, **tx, "open": True}
            if tx.get("meter_last_wh") is not None:
                record["energy_wh"] = max(0.0, float(tx["meter_last_wh"]) - float(tx["meter_start_wh"]))
            rows[("transactions", transaction_key(station_id, str(tx["transaction_id"]), tx["start_time"]))] = encode(
                record
            )
    for record in data.get(HISTORY, []):
        key = transaction_key(record["station_id"], str(record["transaction_id"]), record["start_time"])
        rows[("transactions", key)] = encode({**record, "open": False})
    return rows


def is_open(text: str) -> bool:
    return bool(decode(text).get("open"))


def transaction_columns(text: str, position: int | None) -> tuple[Any, ...]:
    """The transactions table's columns of one row's JSON text (position: the order of the ended ones)."""
    record = decode(text)
    return (
        record["station_id"],
        str(record["transaction_id"]),
        record["start_time"],
        int(record["connector_id"]),
        record.get("id_tag"),
        record.get("stop_time"),
        float(record["meter_start_wh"]),
        record.get("meter_stop_wh"),
        record.get("energy_wh"),
        record.get("stop_reason"),
        1 if record.get("open") else 0,
        position,
        text,
    )


def join(document: list[tuple[str, str]], stations: list[tuple[str, str]], history: list[str]) -> dict[str, Any] | None:
    """The document csms saved, from its rows (history: the ended transactions' records, oldest first)."""
    if not document and not stations and not history:
        return None
    data: dict[str, Any] = {key: decode(value) for key, value in document}
    data[STATIONS] = {station_id: decode(value) for station_id, value in stations}
    records = []
    for text in history:
        records.append(decode(text))
    data[HISTORY] = records
    return data
