"""Reading the recorded sessions (every one the store holds, also those older than csms's history): by charger,
connector, tag and time range, newest first, a page at a time; each as csms's transactions() hands it out.

Times are compared as times, not as text: a charger may have sent its own UTC offset (each backend names its
function for it: SQLite's julianday, PostgreSQL's cast to timestamptz).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class SessionQuery:
    """Which sessions: of a charger / connector / tag (None: any), meeting [since, until] (open ones run on);
    the page (0 first) of `size`."""

    station_id: str | None = None
    connector_id: int | None = None
    id_tag: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    page: int = 0
    size: int = PAGE_SIZE


def _iso(value: datetime) -> str:
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def select(query: SessionQuery, time_sql: str) -> tuple[str, list[Any]]:
    """The SELECT of the query's page (one row more than the page: whether an older page follows)."""
    where: list[str] = []
    params: list[Any] = []
    if query.station_id is not None:
        where.append("station_id = ?")
        params.append(query.station_id)
    if query.connector_id is not None:
        where.append("connector_id = ?")
        params.append(query.connector_id)
    if query.id_tag:
        where.append("lower(id_tag) = ?")  # tags are case-insensitive (OCPP's IdToken)
        params.append(query.id_tag.lower())
    time = time_sql.format
    if query.until is not None:
        where.append(f"{time('start_time')} <= {time('?')}")
        params.append(_iso(query.until))
    if query.since is not None:
        where.append(f"(stop_time IS NULL OR {time('stop_time')} >= {time('?')})")
        params.append(_iso(query.since))
    statement = "SELECT record FROM transactions"
    if where:
        statement += " WHERE " + " AND ".join(where)
    statement += f" ORDER BY {time('start_time')} DESC, station_id, transaction_id DESC LIMIT ? OFFSET ?"
    params += [query.size + 1, max(0, query.page) * query.size]
    return statement, params
