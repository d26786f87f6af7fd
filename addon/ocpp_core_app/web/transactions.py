"""The charger page's transaction table: its columns (one list, so a later column — the cost, once pricing
lands — is one entry here and one translation key), newest first, in a date range."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .context import Context
from .formats import between, day_bounds, duration, local_time, number


@dataclass(frozen=True, slots=True)
class Column:
    # translation key of its heading
    label: str
    cell: Callable[[Context, dict[str, Any]], str]
    numeric: bool = False


def _energy(ctx: Context, tx: dict[str, Any]) -> str:
    wh = tx.get("energy_wh")
    return number(ctx.lang, wh / 1000, 2) if isinstance(wh, int | float) else "–"


COLUMNS: list[Column] = [
    Column("core.tx.start", lambda ctx, tx: local_time(ctx.lang, tx.get("start_time"))),
    Column("core.tx.duration", lambda ctx, tx: duration(between(tx.get("start_time"), tx.get("stop_time"))), True),
    Column("core.tx.energy", _energy, True),
    Column("core.tx.tag", lambda ctx, tx: str(tx.get("id_tag") or "–")),
    Column(
        "core.tx.stop_reason",
        lambda ctx, tx: ctx.t("core.tx.running") if tx.get("open") else str(tx.get("stop_reason") or "–"),
    ),
    # the cost column goes here once pricing lands: a Column of its key (core.tx.cost), its cell, numeric
]


@dataclass(frozen=True, slots=True)
class Range:
    since: datetime | None
    until: datetime | None
    # the form's values as given (shown back), and the translation key of what is wrong with them
    given_from: str
    given_to: str
    error: str | None


def date_range(ctx: Context) -> Range:
    given_from, given_to = ctx.request.query.get("from", ""), ctx.request.query.get("to", "")
    since = until = None
    error = None
    if given_from:
        bounds = day_bounds(given_from)
        if bounds is None:
            error = "core.tx.error.date"
        else:
            since = bounds[0]
    if given_to:
        bounds = day_bounds(given_to)
        if bounds is None:
            error = "core.tx.error.date"
        else:
            until = bounds[1]
    if since is not None and until is not None and since >= until:
        error, since, until = "core.tx.error.order", None, None
    return Range(since, until, given_from, given_to, error)


def transactions(ctx: Context, station_id: str, connector: int | None, span: Range) -> list[dict[str, Any]]:
    found = ctx.state.central.transactions(station_id, span.since, span.until)
    if connector is not None:
        found = [tx for tx in found if tx.get("connector_id") == connector]
    return sorted(found, key=lambda tx: str(tx.get("start_time")), reverse=True)
