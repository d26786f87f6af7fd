"""OCPP 2.1: every 2.0.1 use case on the same code, plus what 2.1 adds that the domain model uses.

2.1 keeps the 2.0.1 messages (with more fields and enum values, read where the
model has a place for them: transaction limits, tariffs and costs in
TransactionEvent, V2X energy requests in NotifyEVChargingNeeds) and adds the
RPC frames SEND (a CALL never answered) and CALLRESULTERROR (see rpc/endpoint.py).
Periodic event streams are kept; any other new 2.1 action is answered
NotImplemented.
"""

from __future__ import annotations

from ..adapter import CallFn
from ..config import CentralSystemConfig
from ..rpc.endpoint import Payload
from ..rpc.timeutil import parse_timestamp
from ..state.central_state import CentralState
from ..v201.adapter import V201Adapter


class V21Adapter(V201Adapter):
    """The 2.0.1 adapter with the 2.1 additions."""

    def __init__(self, station_id: str, state: CentralState, call: CallFn, config: CentralSystemConfig) -> None:
        super().__init__(station_id, state, call, config)
        self._handlers.update(
            {
                "OpenPeriodicEventStream": self.on_open_periodic_event_stream,
                "NotifyPeriodicEventStream": self.on_notify_periodic_event_stream,  # a SEND: never answered
                "ClosePeriodicEventStream": self.on_close_periodic_event_stream,
            }
        )

    def on_open_periodic_event_stream(self, payload: Payload) -> Payload:
        stream = payload["constantStreamData"]
        self.state.v2_reports.record_periodic_stream(
            self.station_id,
            int(stream["id"]),
            opened=True,
            params=stream.get("params"),
            variable_monitoring_id=stream.get("variableMonitoringId"),
        )
        return {"status": "Accepted"}

    def on_notify_periodic_event_stream(self, payload: Payload) -> Payload:
        self.state.v2_reports.record_periodic_stream(
            self.station_id,
            int(payload["id"]),
            basetime=parse_timestamp(payload.get("basetime")).isoformat(),
            data=list(payload.get("data") or []),
            pending=payload.get("pending"),
        )
        return {}

    def on_close_periodic_event_stream(self, payload: Payload) -> Payload:
        self.state.v2_reports.record_periodic_stream(self.station_id, int(payload["id"]), closed=True)
        return {}
