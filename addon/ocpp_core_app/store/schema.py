"""The tables and their migrations (SQLite: PRAGMA user_version counts the migrations applied; PostgreSQL: its
schema_version table).

csms keeps its state as one JSON document; the store splits it so a change rewrites only its part:
- `document`: the top-level sections (id counters, tags, passwords as salted hashes, limits, …), one row each;
- `stations`: one row per charger (identity, connectors, settings, configuration and device model
  snapshots, certificate data, its open transactions), as JSON;
- `transactions`: one row per transaction, open and ended, with its columns for queries and exports
  (the record as csms hands it out beside them);
- `meter_samples`: the energy register (and power) of each session as it was read, for its chart; kept as
  long as the session's row;
- `message_batches`: each charger's newest frames (both directions, secrets never kept: csms's frame log),
  appended every second as they go, one row per charger and second (`data`: a JSON array of
  [time, direction, frame]; `seq` the first one's number, counting on), whole batches kept while they hold
  the newest 1,000 frames, for diagnostics; the `message_log` view has them one row per frame;
- `journal`: the event journal (the API's resumable event stream): the events kept, by seq (store/journal.py);
- `payments`: the card payments of remote starts (payments/flow.py), one JSON row each, written at every step;
- `card_tags`: the tags that pay by card;
- `meta`: the store's own bookkeeping (when it was last opened; the journal's stream id and seq numbers);
- `inbox`: unknown chargers that tried to connect and unknown tags that tried to charge, with the admin's
  decision (accepted / refused; none yet: waiting);
- `charger_notes`: what the admin pages keep about a charger beyond csms's settings (comment, the client
  certificate's thumbprint), as JSON.
"""

from __future__ import annotations

import re
import sqlite3

# migration 6's table of the message log's batches: the same words in SQLite and PostgreSQL
_MESSAGE_BATCHES = """
    CREATE TABLE message_batches (
        station_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        frames INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (station_id, seq)
    );
"""

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE document (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE stations (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE transactions (
        station_id TEXT NOT NULL,
        transaction_id TEXT NOT NULL,
        start_time TEXT NOT NULL,
        connector_id INTEGER NOT NULL,
        id_tag TEXT,
        stop_time TEXT,
        meter_start_wh REAL NOT NULL,
        meter_stop_wh REAL,
        energy_wh REAL,
        stop_reason TEXT,
        open INTEGER NOT NULL,
        -- the order of the ended ones (csms's history, oldest first)
        position INTEGER,
        record TEXT NOT NULL,
        PRIMARY KEY (station_id, transaction_id, start_time)
    );
    CREATE INDEX transactions_by_start ON transactions (start_time);
    """,
    # 2: the sessions' meter samples
    """
    CREATE TABLE meter_samples (
        station_id TEXT NOT NULL,
        transaction_id TEXT NOT NULL,
        start_time TEXT NOT NULL,
        time TEXT NOT NULL,
        energy_wh REAL NOT NULL,
        power_w REAL,
        PRIMARY KEY (station_id, transaction_id, start_time, time)
    ) WITHOUT ROWID;
    """,
    # 3: the chargers' message log
    """
    CREATE TABLE message_log (
        station_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        time REAL NOT NULL,
        direction TEXT NOT NULL,
        frame TEXT NOT NULL,
        PRIMARY KEY (station_id, seq)
    ) WITHOUT ROWID;
    """,
    # 4: the web UI's inbox and the admin's notes on chargers
    """
    CREATE TABLE inbox (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        shown TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        detail TEXT NOT NULL,
        decision TEXT,
        PRIMARY KEY (kind, key)
    );
    CREATE TABLE charger_notes (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    """,
    # 5: the event journal (a state event's row replaced by the next of its coalesce_key)
    """
    CREATE TABLE journal (
        seq BIGINT PRIMARY KEY,
        time REAL NOT NULL,
        coalesce_key TEXT,
        record TEXT NOT NULL
    );
    CREATE INDEX journal_by_key ON journal (coalesce_key);
    CREATE INDEX journal_by_time ON journal (time);
    """,
    # 6: the message log in batches (a row per frame cost the busy central system a tenth of its throughput)
    _MESSAGE_BATCHES
    + """
    INSERT INTO message_batches (station_id, seq, frames, data)
        SELECT station_id, min(seq), count(*), json_group_array(json_array(time, direction, frame))
        FROM (SELECT * FROM message_log ORDER BY station_id, seq) GROUP BY station_id;
    DROP TABLE message_log;
    CREATE VIEW message_log (station_id, seq, time, direction, frame) AS
        SELECT b.station_id, b.seq + e.key, e.value ->> 0, e.value ->> 1, e.value ->> 2
        FROM message_batches AS b, json_each(b.data) AS e;
    """,
    # 7: card payments and the tags that pay by card
    """
    CREATE TABLE payments (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE card_tags (id_tag TEXT PRIMARY KEY);
    """,
)
# where PostgreSQL's words differ more than for_postgres writes (by the migration's index)
_POSTGRES_OWN = {
    5: _MESSAGE_BATCHES
    + """
    INSERT INTO message_batches (station_id, seq, frames, data)
        SELECT station_id, min(seq), count(*), json_agg(json_build_array(time, direction, frame) ORDER BY seq)::text
        FROM message_log GROUP BY station_id;
    DROP TABLE message_log;
    CREATE VIEW message_log (station_id, seq, time, direction, frame) AS
        SELECT b.station_id, b.seq + e.n - 1, (e.v ->> 0)::double precision, e.v ->> 1, e.v ->> 2
        FROM message_batches AS b, json_array_elements(b.data::json) WITH ORDINALITY AS e (v, n);
    """,
}

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(connection: sqlite3.Connection) -> int:
    """Apply the migrations not applied yet, each in its own transaction; the version before."""
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise ValueError(f"the database is of a newer version ({version}) than this app knows ({SCHEMA_VERSION})")
    for number in range(version, SCHEMA_VERSION):
        try:
            connection.executescript(f"BEGIN; {MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;")
        except sqlite3.Error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    return version


def for_postgres(migration: str) -> str:
    """A migration in PostgreSQL's words: REAL is single precision there (an energy register needs double),
    and every table has its primary key as its index (no WITHOUT ROWID)."""
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", migration).replace(") WITHOUT ROWID;", ");")


# PostgreSQL has no user_version: its schema_version table (one row) counts the migrations applied
POSTGRES_MIGRATIONS = tuple(
    _POSTGRES_OWN.get(number, for_postgres(migration)) for number, migration in enumerate(MIGRATIONS)
)
