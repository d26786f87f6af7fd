"""The charger page's transaction table: its columns (one list: a column is one entry here and one translation
key; the cost is csms's pricing's, running sessions showing what they cost so far); every session the store
recorded, newest first, by connector, tag and date range, a page at a time."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..central_import import csms
from ..store import StoreError
from ..store.recorded import SessionQuery
from .context import Context
from .formats import between, day_bounds, duration, iso_day, local_time, money, number

if TYPE_CHECKING:
    from custom_components.ocpp_core.csms.features import pricing
else:  # csms's pricing package, beside the csms the app imports (its copy in the add-on)
    pricing = importlib.import_module(f"{csms.__name__}.features.pricing")


@dataclass(frozen=True, slots=True)
class Column:
    # translation key of its heading
    label: str
    cell: Callable[[Context, dict[str, Any]], str]
    numeric: bool = False


def _energy(ctx: Context, tx: dict[str, Any]) -> str:
    wh = tx.get("energy_wh")
    return number(ctx.lang, wh / 1000, 2) if isinstance(wh, int | float) else "–"


def _cost(ctx: Context, tx: dict[str, Any]) -> str:
    """The pricing's cost (the running cost while the session runs), else the charger's own; empty if none."""
    cost = tx.get("cost")
    if isinstance(cost, dict):
        total, currency = cost.get("total"), cost.get("currency")
    else:
        total, currency = tx.get("total_cost"), tx.get("currency")
    if not isinstance(currency, str):
        return ""
    digits = pricing.minor_unit(currency)
    return money(ctx.lang, total, currency, 2 if digits is None else digits)


COLUMNS: list[Column] = [
    Column("core.tx.start", lambda ctx, tx: local_time(ctx.lang, tx.get("start_time"))),
    Column("core.tx.duration", lambda ctx, tx: duration(between(tx.get("start_time"), tx.get("stop_time"))), True),
    Column("core.tx.energy", _energy, True),
    Column("core.tx.tag", lambda ctx, tx: str(tx.get("id_tag") or "–")),
    Column(
        "core.tx.stop_reason",
        lambda ctx, tx: ctx.t("core.tx.running") if tx.get("open") else str(tx.get("stop_reason") or "–"),
    ),
    Column("core.tx.cost", _cost, True),
]


@dataclass(frozen=True, slots=True)
class Range:
    since: datetime | None
    until: datetime | None
    # the form's values as given (shown back), and the translation key of what is wrong with them
    given_from: str
    given_to: str
    error: str | None
    given_tag: str = ""
    # the page of the table (0: the newest)
    page: int = 0


def date_range(ctx: Context) -> Range:
    # shown again in the date inputs, which take the ISO form only (a day typed as 1.3.2026 becomes 2026-03-01)
    given_from, given_to = (iso_day(ctx.request.query.get(name, "")) for name in ("from", "to"))
    # from the start of the first day to the end of the last
    first, last = (day_bounds(given) if given else None for given in (given_from, given_to))
    error = "core.tx.error.date" if (given_from and first is None) or (given_to and last is None) else None
    since = first[0] if first else None
    until = last[1] if last else None
    if since is not None and until is not None and since >= until:
        error, since, until = "core.tx.error.order", None, None
    tag = ctx.request.query.get("tag", "").strip()[:36]
    page_text = ctx.request.query.get("page", "")
    page = min(int(page_text), 100_000) - 1 if page_text.isdigit() and int(page_text) > 0 else 0
    return Range(since, until, given_from, given_to, error, tag, page)


@dataclass(frozen=True, slots=True)
class Found:
    transactions: list[dict[str, Any]]
    # whether an older page follows
    more: bool
    # the translation key of why the store could not be read, if it could not
    error: str | None = None


async def transactions(ctx: Context, station_id: str, connector: int | None, span: Range) -> Found:
    """The page of the charger's recorded sessions the filters ask for."""
    query = SessionQuery(station_id, connector, span.given_tag or None, span.since, span.until, span.page)
    try:
        found, more = await ctx.state.store.recorded_sessions(query)
    except StoreError:
        return Found([], False, "core.tx.error.store")
    return Found([_live_cost(ctx, tx) for tx in found], more)


def _live_cost(ctx: Context, tx: dict[str, Any]) -> dict[str, Any]:
    """A running session with the cost csms counts now (the store's copy is as of its last write)."""
    if not tx.get("open"):
        return tx
    station = ctx.state.central.stations.get(tx.get("station_id"))
    connector = station.connectors.get(tx.get("connector_id")) if station is not None else None
    live = getattr(connector, "transaction", None)
    cost = getattr(live, "cost", None)
    if live is None or str(live.transaction_id) != str(tx.get("transaction_id")) or cost is None:
        return tx
    return {**tx, "cost": cost}
