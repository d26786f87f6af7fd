"""What an API command is: how it runs on a charger, which answers are refusals, which fields it takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..central_import import csms
from .errors import ApiError

CentralSystem = csms.CentralSystem
Station = csms.Station
Answer = dict[str, Any]
Body = dict[str, Any]  # the request's JSON fields
# (the central system, the station, the request's fields) → the charger's answer
Run = Callable[[CentralSystem, Station, Body], Awaitable[Answer]]
NO_REFUSALS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Command:
    run: Run
    # answer statuses that mean the charger did not do it (502); None: every status but Accepted
    refused: frozenset[str] | None
    fields: frozenset[str]


def command(run: Run, refused: frozenset[str] | None, *names: str) -> Command:
    return Command(run, refused, frozenset(names))


def charger(central: CentralSystem, station: Station) -> csms.Charger:
    """The station's version-neutral commands (NotConnected: a 503)."""
    return central.charger(station.station_id)


def answer_of(answer: csms.ChargerAnswer, **extra: Any) -> Answer:
    """The charger's answer as it sent it, with what the central system chose for it (`extra`)."""
    return {**answer.raw, **extra}


def open_transaction(station: Station, connector_id: int | None) -> str:
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
