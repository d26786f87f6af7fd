"""A charging session as the central system knows it: its readings, its closing reading, its 2.x fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# how much lower than the session's last reading a closing one may be and still be trusted: the integer Wh
# of a 1.6 meterStop against a register sent in kWh with decimals, rounded (a made-up one is far lower)
METER_ROUNDING_WH = 100.0


@dataclass(slots=True)
class Transaction:
    """A charging session, as the central system knows it."""

    transaction_id: str
    connector_id: int
    id_tag: str | None
    start_time: datetime
    meter_start_wh: float
    meter_last_wh: float | None = None
    stop_time: datetime | None = None
    meter_stop_wh: float | None = None
    stop_reason: str | None = None
    # OCPP 2.x (None for 1.6): the connector of the EVSE (connector_id is the EVSE id), and what the
    # newest TransactionEvent said; and OCPP 2.1's limits and costs
    evse_connector_id: int | None = None
    charging_state: str | None = None
    trigger_reason: str | None = None
    id_token_type: str | None = None
    remote_start_id: int | None = None
    time_spent_charging: int | None = None
    # False while no energy reading of the session has arrived (2.x sends none at start)
    meter_start_known: bool = True
    # some of its events arrived queued (sent while the charger was offline)
    offline: bool = False
    # the TransactionEvent seqNos seen: lowest, highest, and those missing in between
    seq_min: int | None = None
    seq_max: int | None = None
    seq_missing: list[int] = field(default_factory=list)
    # in memory: seqNo -> (eventType, timestamp) of the events it numbered (a repeat is the same event)
    seq_events: dict[int, list[tuple[str, datetime]]] = field(default_factory=dict, repr=False)
    # OCPP 2.1: transactionInfo.transactionLimit {"max_cost", "max_energy", "max_time", "max_soc"} as set,
    # transactionInfo.tariffId, and the station's costDetails (total_cost / currency read from it)
    transaction_limit: dict[str, float] | None = None
    tariff_id: str | None = None
    total_cost: float | None = None
    currency: str | None = None
    cost_details: dict[str, Any] | None = None
    # a reading that cannot be trusted, kept apart (see state/transactions.py close): "meter_stop_below_last_reading"
    # (the meter stop reported, reported_meter_stop_wh, was lower than the session's last reading)
    anomaly: str | None = None
    reported_meter_stop_wh: float | None = None
    # what the central system's tariff makes the session cost (features/pricing): Cost.to_dict() and the
    # tariff's scope; running while it goes, "final" at its end
    cost: dict[str, Any] | None = None

    @property
    def energy_wh(self) -> float:
        """Energy delivered so far (or in total once stopped)."""
        if not self.meter_start_known:
            return 0.0
        end = self.meter_stop_wh if self.meter_stop_wh is not None else self.meter_last_wh
        if end is None:
            return 0.0
        return max(0.0, end - self.meter_start_wh)

    @property
    def is_open(self) -> bool:
        return self.stop_time is None

    def set_meter_stop(self, reported: float | None) -> str | None:
        """The session's closing reading: the reported one (None: the last one), unless it is lower than the
        last reading by more than a meter's rounding (a register only grows: a made-up stop, or a meter
        fault), which is kept apart as the anomaly returned."""
        last = self.meter_last_wh
        if reported is not None and last is not None and reported < last - METER_ROUNDING_WH:
            self.anomaly, self.reported_meter_stop_wh = "meter_stop_below_last_reading", reported
            self.meter_stop_wh = last
            return self.anomaly
        self.meter_stop_wh = reported if reported is not None else last
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "connector_id": self.connector_id,
            "id_tag": self.id_tag,
            "start_time": self.start_time.isoformat(),
            "meter_start_wh": self.meter_start_wh,
            "meter_last_wh": self.meter_last_wh,
            "stop_time": self.stop_time.isoformat() if self.stop_time else None,
            "meter_stop_wh": self.meter_stop_wh,
            "stop_reason": self.stop_reason,
            **v2_fields_dict(self),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transaction:
        stop_time = data.get("stop_time")
        tx = cls(
            transaction_id=str(data["transaction_id"]),
            connector_id=int(data["connector_id"]),
            id_tag=data.get("id_tag"),
            start_time=datetime.fromisoformat(data["start_time"]),
            meter_start_wh=float(data["meter_start_wh"]),
            meter_last_wh=data.get("meter_last_wh"),
            stop_time=datetime.fromisoformat(stop_time) if stop_time else None,
            meter_stop_wh=data.get("meter_stop_wh"),
            stop_reason=data.get("stop_reason"),
        )
        for key in _TX_V2_FIELDS:
            if key in data:
                setattr(tx, key, data[key])
        return tx


# The 2.x fields of a Transaction and its anomaly, written out only when set (others look as before).
_TX_V2_FIELDS = (
    "evse_connector_id", "charging_state", "trigger_reason", "id_token_type", "remote_start_id",
    "time_spent_charging", "meter_start_known", "offline", "seq_min", "seq_max", "seq_missing",
    "transaction_limit", "tariff_id", "total_cost", "currency", "cost_details",
    "anomaly", "reported_meter_stop_wh", "cost",
)  # fmt: skip
_TX_V2_DEFAULTS: dict[str, Any] = {"meter_start_known": True, "offline": False, "seq_missing": []}


def v2_fields_dict(tx: Transaction) -> dict[str, Any]:
    """The 2.x fields that differ from their defaults."""
    out: dict[str, Any] = {}
    for key in _TX_V2_FIELDS:
        value = getattr(tx, key)
        if value is not None and value != _TX_V2_DEFAULTS.get(key):
            out[key] = list(value) if isinstance(value, list) else value
    return out
