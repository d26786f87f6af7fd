"""OCPP 2.x transactions: TransactionEvent Started / Updated / Ended applied to the domain model.

The charger numbers the events of a transaction
(seqNo); events may arrive late (queued while the charger was offline, then
replayed with their old timestamps), out of order, or twice (our answer got
lost).  The rules:

- an event seen before (the same seqNo, eventType and timestamp) is a
  duplicate: answered, not applied again; an event that reuses a seqNo but
  differs (the virtual charge point numbers both Started and Ended 0) is
  applied, and an Ended is never dropped;
- the newest event (highest seqNo) sets the transaction's state (charging
  state, trigger reason, limits, costs); an older one only fills what is still
  unknown (the id token, the start time, the meter start); meter readings
  never go back in time (see StationActivity.record_samples); the session's id
  token is the first one sent, or a later authorisation (triggerReason
  Authorized), never the token that stops it;
- any event of a transaction the central system does not know (lost in a
  crash, or started while it was down) opens it; an Ended one is recorded in
  the history as it is; an event of a transaction that has ended does not
  open it again.

The energy of a session runs from its first energy register reading
(Transaction.Begin when the charger sends one) to its last (Transaction.End).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import msgspec

from ..model.events import Event, EventType
from ..model.station import ENERGY_IMPORT_REGISTER, Connector, MeterSample, Station
from ..model.transaction import METER_ROUNDING_WH, Transaction
from .reservations import Reservations
from .store import StateStore
from .transactions import Transactions

_LOGGER = logging.getLogger(__name__)

# how many ended 2.x transactions are remembered in memory to recognise their late events
_ENDED_REMEMBERED = 256
# a seqNo gap wider than this is not listed, nor more missing seqNos than this in all
# (a garbage seqNo must not make a huge list)
_MAX_GAP = 1000
# how many events' (eventType, timestamp) a transaction remembers to tell a repeat from a reused seqNo
_SIGNATURES_KEPT = 200
BEGIN = "Transaction.Begin"
# StationActivity.record_samples: (station id, connector id, samples, transaction id)
RecordSamples = Callable[[str, int, Iterable[MeterSample], str | None], None]
END = "Transaction.End"


class TxEvent(msgspec.Struct):
    """A TransactionEvent, read (see v201/transactions.py). A msgspec Struct: one is made per message, built in
    C from its nineteen keywords (a slots dataclass's generated __init__ took a fifth longer)."""

    event_type: str  # Started / Updated / Ended
    transaction_id: str
    seq_no: int
    timestamp: datetime
    trigger_reason: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    charging_state: str | None = None
    stopped_reason: str | None = None
    remote_start_id: int | None = None
    time_spent_charging: int | None = None
    id_token: str | None = None
    id_token_type: str | None = None
    offline: bool = False
    reservation_id: int | None = None
    samples: list[MeterSample] = msgspec.field(default_factory=list)
    # OCPP 2.1
    transaction_limit: dict[str, float] | None = None
    tariff_id: str | None = None
    cost_details: dict[str, Any] | None = None

    def energy(self, context: str | None = None) -> list[float]:
        """The energy register readings (total, not per phase), optionally of one context."""
        return [s.value for s in self._registers() if context is None or s.context == context]

    def energy_and_begins(self) -> tuple[list[float], list[float]]:
        """The energy register readings, and those of them from Transaction.Begin, in one walk (every Updated)."""
        readings = self._registers()
        return [s.value for s in readings], [s.value for s in readings if s.context == BEGIN]

    def _registers(self) -> list[MeterSample]:
        return [s for s in self.samples if s.measurand == ENERGY_IMPORT_REGISTER and s.phase is None]

    def earliest(self) -> datetime:
        return min([self.timestamp, *(s.timestamp for s in self.samples)])


class TransactionEvents:
    """Applies TransactionEvents to the store; closing goes through Transactions.close."""

    def __init__(
        self, store: StateStore, transactions: Transactions, record_samples: RecordSamples, reservations: Reservations
    ) -> None:
        self._store = store
        self._transactions = transactions
        self._record_samples = record_samples
        self._reservations = reservations
        # 2.x transactions ended lately, to recognise their late events
        self._recently_ended: dict[tuple[str, str], None] = {}

    # ---- the one entry point ---------------------------------------------------------

    def apply_transaction_event(self, station_id: str, ev: TxEvent) -> str:
        """Apply one TransactionEvent; returns what it did: started, updated, ended, recorded (an Ended
        of an unknown transaction), duplicate, late (of an ended transaction) or dropped (no EVSE to put it on).

        Everything changes synchronously; `needs_saving_now` tells whether to write before answering.
        """
        station = self._store.station(station_id)
        connector = self._transactions.find_open(station_id, ev.transaction_id)
        if connector is None or connector.transaction is None:
            return self._unknown_transaction(station, ev)
        tx = connector.transaction
        signature = (ev.event_type, ev.timestamp)
        seen = _seen(tx, ev.seq_no)
        if seen and ev.event_type != "Ended" and signature in tx.seq_events.get(ev.seq_no, [signature]):
            _LOGGER.debug("%s: TransactionEvent %s #%s again; not applied", station_id, tx.transaction_id, ev.seq_no)
            return "duplicate"
        # a reused seqNo belongs to a later event than the one first numbered so
        newest = tx.seq_max is None or ev.seq_no >= tx.seq_max or ev.event_type == "Ended"
        if seen:
            _LOGGER.debug("%s: TransactionEvent %s reuses #%s", station_id, tx.transaction_id, ev.seq_no)
        else:
            _track_seq(tx, ev.seq_no)
        _note_signature(tx, ev.seq_no, signature)
        shown_before = (tx.id_tag, tx.start_time)  # what an update may change that is not a reading
        self._apply(station, connector, tx, ev, newest)
        if ev.event_type == "Ended":
            self._finish(station, connector, tx, ev)
            return "ended"
        self._store.save_soon()
        self._store.events.emit(
            Event(
                EventType.TRANSACTION_UPDATED,
                station_id,
                connector.connector_id,
                {
                    "transaction_id": tx.transaction_id,
                    "seq_no": ev.seq_no,
                    "trigger_reason": ev.trigger_reason,
                    "charging_state": tx.charging_state,
                    "offline": ev.offline,
                },
                readings_only=(tx.id_tag, tx.start_time) == shown_before,
            )
        )
        return "updated"

    def needs_saving_now(self, outcome: str) -> bool:
        """Write before the answer: a session opened or closed, or the station's retry of an event whose first
        answer was an error because the write failed (a duplicate, or a late Ended, now)."""
        return outcome in ("started", "ended", "recorded") or (outcome in ("duplicate", "late") and self._store.unsaved)

    # ---- known transactions ------------------------------------------------------------

    def _apply(self, station: Station, connector: Connector, tx: Transaction, ev: TxEvent, newest: bool) -> None:
        tx.offline = tx.offline or ev.offline
        # the session's token: the first one, or a later authorisation (a token that stops it is not its owner)
        if ev.id_token is not None and (tx.id_tag is None or (newest and ev.trigger_reason == "Authorized")):
            tx.id_tag = ev.id_token
            tx.id_token_type = ev.id_token_type
        if ev.event_type == "Started" and ev.timestamp < tx.start_time:
            tx.start_time = ev.timestamp
        if tx.remote_start_id is None:
            tx.remote_start_id = ev.remote_start_id
        if tx.evse_connector_id is None:
            tx.evse_connector_id = ev.connector_id
        for key in ("charging_state", "trigger_reason", "time_spent_charging", "transaction_limit", "tariff_id"):
            value = getattr(ev, key)
            if value is not None and (newest or getattr(tx, key) is None):
                setattr(tx, key, value)
        if ev.cost_details is not None and (newest or tx.cost_details is None):
            _set_cost(tx, ev.cost_details)
        _note_energy(tx, ev)
        if newest and ev.charging_state is not None and connector.charging_state != ev.charging_state:
            connector.charging_state = ev.charging_state
            self._store.events.emit(Event(EventType.CONNECTOR_UPDATED, station.station_id, connector.connector_id))
        if ev.reservation_id is not None:
            self._reservations.remove(station.station_id, ev.reservation_id, "used")
        if ev.samples:
            self._record_samples(station.station_id, connector.connector_id, ev.samples, tx.transaction_id)

    def _finish(self, station: Station, connector: Connector, tx: Transaction, ev: TxEvent) -> None:
        ends = ev.energy(END) or ev.energy()
        meter_stop = max(ends) if ends else tx.meter_last_wh
        last = tx.meter_last_wh
        if meter_stop is not None and last is not None and meter_stop >= last - METER_ROUNDING_WH:
            meter_stop = max(meter_stop, last)  # a register only grows: the highest is the latest
        # one far below the last reading is not trusted: close keeps the last one and flags the transaction
        self._transactions.close(station, connector, tx, meter_stop, ev.timestamp, ev.stopped_reason)
        if ev.charging_state is None:
            plugged = "Occupied" in connector.connector_statuses.values()
            connector.charging_state = "EVConnected" if plugged else "Idle"
        self._remember_ended(station.station_id, tx.transaction_id)
        self._store.events.emit(Event(EventType.CONNECTOR_UPDATED, station.station_id, connector.connector_id))

    # ---- unknown transactions -----------------------------------------------------------

    def _unknown_transaction(self, station: Station, ev: TxEvent) -> str:
        station_id = station.station_id
        if (station_id, ev.transaction_id) in self._recently_ended or self._transactions.history.find(
            station_id, ev.transaction_id
        ) is not None:
            # a late or repeated event of an ended transaction: its readings, nothing else
            evse_id = ev.evse_id or _only_evse(station)
            if ev.samples and evse_id:
                self._record_samples(station_id, evse_id, ev.samples, ev.transaction_id)
            return "late"
        evse_id = ev.evse_id or _only_evse(station)
        if not evse_id:
            self._store.log_once(
                station_id, f"tx_without_evse:{ev.transaction_id}", logging.WARNING,
                "TransactionEvent %s of unknown transaction %s names no EVSE; not recorded",
                ev.event_type, ev.transaction_id,
            )  # fmt: skip
            return "dropped"
        if ev.event_type != "Started":
            self._store.logs.log(
                _LOGGER,
                logging.INFO,
                station_id,
                "%s: %s event of unknown transaction %s (seqNo %s); recorded as is",
                station_id,
                ev.event_type,
                ev.transaction_id,
                ev.seq_no,
            )
        energies, begins = ev.energy_and_begins()
        start_wh = min(begins or energies) if (begins or energies) else None
        tx = Transaction(
            ev.transaction_id,
            evse_id,
            None,
            ev.timestamp if ev.event_type == "Started" else ev.earliest(),
            start_wh if start_wh is not None else 0.0,
            meter_last_wh=max(energies) if energies else None,
            meter_start_known=start_wh is not None,
        )
        _track_seq(tx, ev.seq_no)
        _note_signature(tx, ev.seq_no, (ev.event_type, ev.timestamp))
        connector = self._store.connector(station, evse_id)
        if ev.event_type == "Ended":
            self._apply_fields_only(tx, ev)
            ends = ev.energy(END) or energies
            # not open on the connector: recorded as sent, whatever the connector has open
            self._transactions.close(
                station, connector, tx, max(ends) if ends else None, ev.timestamp, ev.stopped_reason
            )
            self._remember_ended(station_id, tx.transaction_id)
            if ev.samples:
                self._record_samples(station_id, evse_id, ev.samples, None)
            return "recorded"
        self._put_open(station, connector, tx)
        self._apply(station, connector, tx, ev, True)
        self._store.events.emit(Event(EventType.TRANSACTION_STARTED, station_id, evse_id, tx.to_dict()))
        return "started"

    def _apply_fields_only(self, tx: Transaction, ev: TxEvent) -> None:
        tx.id_tag, tx.id_token_type = ev.id_token, ev.id_token_type
        tx.offline = ev.offline
        tx.evse_connector_id = ev.connector_id
        tx.remote_start_id = ev.remote_start_id
        for key in ("charging_state", "trigger_reason", "time_spent_charging", "transaction_limit", "tariff_id"):
            setattr(tx, key, getattr(ev, key))
        if ev.cost_details is not None:
            _set_cost(tx, ev.cost_details)

    def _put_open(self, station: Station, connector: Connector, tx: Transaction) -> None:
        previous = connector.transaction
        if previous is not None:
            self._store.logs.log(
                _LOGGER,
                logging.INFO,
                station.station_id,
                "%s: transaction %s on EVSE %s closed by the start of %s",
                station.station_id,
                previous.transaction_id,
                connector.connector_id,
                tx.transaction_id,
            )
            self._transactions.close(station, connector, previous, previous.meter_last_wh, tx.start_time, "Other")
            self._remember_ended(station.station_id, previous.transaction_id)
        connector.transaction = tx

    def _remember_ended(self, station_id: str, transaction_id: str) -> None:
        self._recently_ended[(station_id, transaction_id)] = None
        while len(self._recently_ended) > _ENDED_REMEMBERED:
            del self._recently_ended[next(iter(self._recently_ended))]


def _only_evse(station: Station) -> int | None:
    """The EVSE an event without one must be about: the station's only one."""
    return next(iter(station.connectors)) if len(station.connectors) == 1 else None


def _seen(tx: Transaction, seq_no: int) -> bool:
    if tx.seq_min is None or tx.seq_max is None:
        return False
    return tx.seq_min <= seq_no <= tx.seq_max and seq_no not in tx.seq_missing


def _note_signature(tx: Transaction, seq_no: int, signature: tuple[str, datetime]) -> None:
    """Remember which events a seqNo numbered (bounded: the newest _SIGNATURES_KEPT seqNos)."""
    tx.seq_events.setdefault(seq_no, []).append(signature)
    while len(tx.seq_events) > _SIGNATURES_KEPT:
        del tx.seq_events[next(iter(tx.seq_events))]


def _track_seq(tx: Transaction, seq_no: int) -> None:
    """Note a seqNo (not seen before): the range grows, a gap fills or opens."""
    if tx.seq_min is None or tx.seq_max is None or seq_no - tx.seq_max > _MAX_GAP:
        tx.seq_min = tx.seq_max = seq_no  # the first, or a jump no station makes: counted afresh
        tx.seq_missing = []
        return
    if seq_no > tx.seq_max:
        tx.seq_missing.extend(range(tx.seq_max + 1, seq_no))
        tx.seq_max = seq_no
    elif seq_no < tx.seq_min:
        if tx.seq_min - seq_no <= _MAX_GAP:
            tx.seq_missing.extend(range(seq_no + 1, tx.seq_min))
            tx.seq_missing.sort()
        tx.seq_min = seq_no
    else:
        tx.seq_missing.remove(seq_no)
    if len(tx.seq_missing) > _MAX_GAP:
        # gaps opening again and again (each within _MAX_GAP) must not make the list grow without end:
        # the oldest are forgotten, and the range starts at the oldest gap kept
        del tx.seq_missing[: len(tx.seq_missing) - _MAX_GAP]
        tx.seq_min = tx.seq_missing[0]


def _note_energy(tx: Transaction, ev: TxEvent) -> None:
    """The meter start from Transaction.Begin, or the first energy reading of the session."""
    readings, begins = ev.energy_and_begins()
    if not readings:
        return
    if begins or not tx.meter_start_known:
        tx.meter_start_wh = min(begins or readings)
        tx.meter_start_known = True
    highest = max(readings)
    if tx.meter_last_wh is None or highest > tx.meter_last_wh:
        tx.meter_last_wh = highest  # a register only grows: the highest is the latest


def _set_cost(tx: Transaction, cost_details: dict[str, Any]) -> None:
    """OCPP 2.1 costDetails: kept as sent, the total (incl. tax when given) and currency read out."""
    tx.cost_details = cost_details
    total_cost = cost_details.get("totalCost") or {}
    total = total_cost.get("total") or {}
    amount = total.get("inclTax", total.get("exclTax"))
    if isinstance(amount, int | float) and not isinstance(amount, bool):
        tx.total_cost = float(amount)
    if isinstance(total_cost.get("currency"), str):
        tx.currency = total_cost["currency"]
