"""What an API command is: how it runs on a charger, which answers are refusals, which fields it takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .errors import ApiError

Answer = dict[str, Any]
# (the central system, the station, the request's fields) → the charger's answer
Run = Callable[[Any, Any, dict[str, Any]], Awaitable[Answer]]
NO_REFUSALS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Command:
    run: Run
    # answer statuses that mean the charger did not do it (502); None: every status but Accepted
    refused: frozenset[str] | None
    fields: frozenset[str]


def command(run: Run, refused: frozenset[str] | None, *names: str) -> Command:
    return Command(run, refused, frozenset(names))


def open_transaction(station: Any, connector_id: int | None) -> str:
    """The one open session on the connector (or, none named, on the charger); 409 when none or several."""
    open_ids = [
        c.transaction.transaction_id
        for n, c in station.connectors.items()
        if c.transaction is not None and connector_id in (None, n)
    ]
    if not open_ids:
        raise ApiError(409, "no_open_transaction", "no open transaction there")
    if len(open_ids) > 1:
        raise ApiError(409, "several_open_transactions", "several open transactions: name the transaction_id")
    return str(open_ids[0])
