"""OCPP 2.1: every 2.0.1 use case on the same code, plus what 2.1 adds that the domain model uses.

2.1 keeps the 2.0.1 messages (with more fields and enum values, read where the
model has a place for them: transaction limits, tariffs and costs in
TransactionEvent, V2X energy requests in NotifyEVChargingNeeds) and adds the
RPC frames SEND (a CALL never answered) and CALLRESULTERROR (see rpc/endpoint.py).
Periodic event streams are kept; a station that calculates costs itself gets our
tariffs (charger.py, features/pricing/station_tariffs.py), a tag's own in its
AuthorizeResponse; any other new 2.1 action is answered NotImplemented.
"""

from __future__ import annotations

from ..adapter import CallFn
from ..config import CentralSystemConfig
from ..features.pricing.station_tariffs import tariff_id
from ..features.pricing.tariff import Tariff
from ..rpc.endpoint import Payload
from ..rpc.timeutil import parse_timestamp
from ..state.central_state import CentralState
from ..v201.adapter import V201Adapter
from .charger import V21Charger
from .commands import V21Commands
from .tariffs import tariff_type


class V21Adapter(V201Adapter):
    """The 2.0.1 adapter with the 2.1 additions."""

    def __init__(self, station_id: str, state: CentralState, call: CallFn, config: CentralSystemConfig) -> None:
        super().__init__(station_id, state, call, config)
        self.commands = V21Commands(call)
        self.charger: V21Charger = V21Charger(station_id, state, self.commands)
        self._handlers.update(
            {
                "OpenPeriodicEventStream": self.on_open_periodic_event_stream,
                "NotifyPeriodicEventStream": self.on_notify_periodic_event_stream,  # a SEND: never answered
                "ClosePeriodicEventStream": self.on_close_periodic_event_stream,
            }
        )

    def on_authorize(self, payload: Payload) -> Payload:
        """2.0.1's answer; an accepted tag with a tariff of its own, at a station that calculates costs itself,
        gets it as its driver tariff (I08)."""
        answer = super().on_authorize(payload)
        if answer["idTokenInfo"].get("status") != "Accepted" or self.charger.tariff_support is None:
            return answer
        tariff = self.state.tag_tariff(str(payload["idToken"]["idToken"]))
        if isinstance(tariff, Tariff) and self.charger.refusal(tariff) is None:
            answer["tariff"] = tariff_type(tariff, tariff_id(tariff))
        return answer

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
