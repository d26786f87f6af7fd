"""OCPP 2.x TransactionEvent and MeterValues read into the domain (see transactions2.py for the rules)."""

from __future__ import annotations

from collections.abc import Awaitable
from decimal import Decimal
from typing import Any

from ..adapter import StationHandlers
from ..model import bounds
from ..model.station import ENERGY_IMPORT_REGISTER
from ..rpc.endpoint import Payload
from ..rpc.timeutil import parse_timestamp
from ..rpc.values import json_int
from ..state import authorization
from ..state.transaction_events import TxEvent
from .meter import read_meter_values

_LIMIT_KEYS = {"maxCost": "max_cost", "maxEnergy": "max_energy", "maxTime": "max_time", "maxSoC": "max_soc"}


def read_transaction_event(payload: Payload) -> TxEvent:
    info: dict[str, Any] = payload["transactionInfo"]
    evse: dict[str, Any] = payload.get("evse") or {}
    id_token: dict[str, Any] = payload.get("idToken") or {}
    limit = info.get("transactionLimit")
    return TxEvent(
        event_type=str(payload["eventType"]),
        transaction_id=str(info["transactionId"]),
        seq_no=int(payload["seqNo"]),
        timestamp=parse_timestamp(payload.get("timestamp")),
        trigger_reason=payload.get("triggerReason"),
        evse_id=json_int(evse.get("id")) or None,
        connector_id=json_int(evse.get("connectorId")),
        charging_state=info.get("chargingState"),
        stopped_reason=info.get("stoppedReason"),
        remote_start_id=json_int(info.get("remoteStartId")),
        time_spent_charging=json_int(info.get("timeSpentCharging")),
        id_token=id_token.get("idToken"),
        id_token_type=id_token.get("type"),
        offline=payload.get("offline") is True,
        reservation_id=json_int(payload.get("reservationId")),
        samples=read_meter_values(payload.get("meterValue") or []),
        transaction_limit=(
            {_LIMIT_KEYS[k]: v for k, v in limit.items() if k in _LIMIT_KEYS} if isinstance(limit, dict) else None
        ),
        tariff_id=info.get("tariffId"),
        cost_details=payload.get("costDetails"),
    )


class V201Transactions(StationHandlers):
    """The TransactionEvent and MeterValues handlers of a 2.x adapter."""

    def on_transaction_event(self, payload: Payload) -> Payload | Awaitable[Payload]:
        event = read_transaction_event(payload)
        station = self.state.stations.get(self.station_id)
        if event.evse_id is not None:
            bounds.evse_id(station, event.evse_id, "evse.id")
        if event.connector_id is not None:
            bounds.evse_connector_id(event.connector_id, "evse.connectorId")
        outcome = self.state.transaction_events.apply_transaction_event(self.station_id, event)
        answer: Payload = {}
        if event.id_token is not None:
            evse_id = event.evse_id
            if evse_id is None:  # an Updated / Ended event names its EVSE only now and then
                found = self.state.transactions.find_open(self.station_id, event.transaction_id)
                evse_id = found.connector_id if found is not None else None
            decision = self.state.authorization.decide(
                self.station_id,
                event.id_token,
                event.id_token_type,
                starting=event.event_type != "Ended",
                connector_id=evse_id,
                transaction_id=event.transaction_id,
            )
            answer["idTokenInfo"] = authorization.id_token_info_v2(decision)
            if not decision.accepted and (event.event_type == "Started" or event.trigger_reason == "Authorized"):
                # the station is to stop (or not start) charging; the transaction is recorded as reported.
                # Told once: some stations repeat the token in every event of the session
                self.state.events.emit(
                    authorization.refusal_event(
                        self.station_id, "TransactionEvent", event.id_token, decision.status, connector_id=evse_id
                    )
                )
        if event.event_type == "Ended":
            self.state.authorization.session_ended(self.station_id, event.transaction_id)
        total = self._total_cost(event)
        if total is not None:
            answer["totalCost"] = total  # the running cost (Updated), the final one (Ended): features/pricing
        if self.state.transaction_events.needs_saving_now(outcome):
            return self._saved(answer)  # a session opened or closed is written before the answer
        return answer

    def _total_cost(self, event: TxEvent) -> float | None:
        """The session's cost by our tariff, as a number for the station (exact to its minor unit)."""
        if event.event_type == "Started":
            return None
        connector = self.state.transactions.find_open(self.station_id, event.transaction_id)
        tx = connector.transaction if connector is not None else None
        if tx is None:
            station = self.state.stations.get(self.station_id)
            ended = [c.last_transaction for c in station.connectors.values()] if station is not None else []
            tx = next((t for t in ended if t is not None and t.transaction_id == event.transaction_id), None)
        cost = tx.cost if tx is not None else None
        if cost is None or tx is None:
            return None
        if tx.tariff_id is not None and tx.tariff_id == (cost.get("tariff") or {}).get("id"):
            return None  # OCPP 2.1: the station costs it by its copy of our tariff (features/pricing/station_tariffs)
        return float(Decimal(cost["total"]))

    async def _saved(self, answer: Payload) -> Payload:
        await self.state.store.save_now()
        return answer

    def on_meter_values(self, payload: Payload) -> Payload:
        station = self.state.stations.get(self.station_id)
        evse_id = bounds.evse_id(station, int(payload["evseId"]))  # 0: the station's main meter
        samples = read_meter_values(payload["meterValue"])
        if not samples:
            return {}
        if evse_id and station is not None:
            evse = station.connectors.get(evse_id)
            tx = evse.transaction if evse is not None else None
            if tx is not None and not tx.meter_start_known:
                energies = [s.value for s in samples if s.measurand == ENERGY_IMPORT_REGISTER and s.phase is None]
                if energies:
                    tx.meter_start_wh, tx.meter_start_known = min(energies), True
        self.state.activity.record_samples(self.station_id, evse_id, samples)
        return {}
