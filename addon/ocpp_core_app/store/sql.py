"""The statements both backends run (SQLite's and PostgreSQL's SQL agree on these; `?` placeholders)."""

from __future__ import annotations

SELECT_DOCUMENT = "SELECT key, value FROM document"
SELECT_STATIONS = "SELECT id, data FROM stations"
# what csms keeps: the open ones and its history (an ended one with no position is older than its history_size)
SELECT_TRANSACTIONS = (
    "SELECT station_id, transaction_id, start_time, open, position, record FROM transactions"
    " WHERE open = 1 OR position IS NOT NULL ORDER BY position"
)
# an ended transaction csms no longer keeps (its history is full): the row stays, for the UI and the exports
KEEP_TRANSACTION = (
    "UPDATE transactions SET position = NULL WHERE station_id = ? AND transaction_id = ? AND start_time = ?"
)
# a charger the user removed: its sessions go with it
DELETE_STATION_TRANSACTIONS = "DELETE FROM transactions WHERE station_id = ?"
DELETE_STATION_SAMPLES = "DELETE FROM meter_samples WHERE station_id = ?"
SELECT_SAMPLES = (
    "SELECT time, energy_wh, power_w FROM meter_samples WHERE station_id = ? AND transaction_id = ? AND start_time = ?"
    " ORDER BY time"
)
INSERT_SAMPLE = "INSERT INTO meter_samples VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
INSERT_FRAMES = "INSERT INTO message_batches VALUES (?, ?, ?, ?)"
DELETE_MESSAGE_LOG = "DELETE FROM message_batches WHERE station_id = ?"
# a charger's batches whose frames are all older than the newest it keeps
TRIM_MESSAGE_LOG = "DELETE FROM message_batches WHERE station_id = ? AND seq + frames <= ?"
SELECT_MESSAGE_LOG_NEXT = "SELECT station_id, max(seq + frames) FROM message_batches GROUP BY station_id"
DELETE_TRANSACTION = "DELETE FROM transactions WHERE station_id = ? AND transaction_id = ? AND start_time = ?"
DELETE_SAMPLES = "DELETE FROM meter_samples WHERE station_id = ? AND transaction_id = ? AND start_time = ?"
UPSERT_TRANSACTION = (
    "INSERT INTO transactions (station_id, transaction_id, start_time, connector_id, id_tag, stop_time,"
    " meter_start_wh, meter_stop_wh, energy_wh, stop_reason, open, position, record)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (station_id, transaction_id, start_time) DO UPDATE SET"
    " connector_id = excluded.connector_id, id_tag = excluded.id_tag, stop_time = excluded.stop_time,"
    " meter_start_wh = excluded.meter_start_wh, meter_stop_wh = excluded.meter_stop_wh,"
    " energy_wh = excluded.energy_wh, stop_reason = excluded.stop_reason, open = excluded.open,"
    " position = coalesce(excluded.position, transactions.position), record = excluded.record"
)
# a write at every start: a database that cannot be written fails now, not at the first session
TOUCH_META = "INSERT INTO meta (key, value) VALUES ('opened', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"

# the web UI's tables (admin/inbox.py, admin/chargers.py) and the message log a page reads
SELECT_INBOX = "SELECT kind, key, shown, first_seen, last_seen, attempts, detail, decision FROM inbox"
UPSERT_INBOX = (
    "INSERT INTO inbox (kind, key, shown, first_seen, last_seen, attempts, detail, decision)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET shown = excluded.shown,"
    " first_seen = excluded.first_seen, last_seen = excluded.last_seen, attempts = excluded.attempts,"
    " detail = excluded.detail, decision = excluded.decision"
)
DELETE_INBOX = "DELETE FROM inbox WHERE kind = ? AND key = ?"
SELECT_NOTES = "SELECT id, data FROM charger_notes"
UPSERT_NOTES = "INSERT INTO charger_notes (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data"
DELETE_NOTES = "DELETE FROM charger_notes WHERE id = ?"
SELECT_MESSAGE_LOG = "SELECT time, direction, frame FROM message_log WHERE station_id = ? ORDER BY seq"
SELECT_PAYMENTS = "SELECT data FROM payments ORDER BY id"
UPSERT_PAYMENT = "INSERT INTO payments (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data"
SELECT_CARD_TAGS = "SELECT id_tag FROM card_tags ORDER BY id_tag"
DELETE_CARD_TAGS = "DELETE FROM card_tags"
INSERT_CARD_TAG = "INSERT INTO card_tags (id_tag) VALUES (?)"

# the key-value tables: table -> (its key column, its value column)
_COLUMNS = {"document": ("key", "value"), "stations": ("id", "data")}


def delete_row(table: str) -> str:
    key, _ = _COLUMNS[table]
    return f"DELETE FROM {table} WHERE {key} = ?"


def upsert_row(table: str) -> str:
    key, value = _COLUMNS[table]
    return f"INSERT INTO {table} ({key}, {value}) VALUES (?, ?) ON CONFLICT ({key}) DO UPDATE SET {value} = excluded.{value}"
