"""What the simulated 2.0.1 / 2.1 station answers to every central-system operation, and what it sends
after: transactions, availability, reset and triggers here; smart charging, reservations, the local
list, firmware and logs in handlers201_charging; the device model, monitoring, display messages,
customer data, security and data transfer in handlers201_device.  `Handlers201` has them all.

It answers like a typical AC wallbox: refusals where a real one refuses (an unknown EVSE, an
occupied one, a profile it cannot apply …), follow-up messages (TransactionEvent, StatusNotification,
BootNotification, FirmwareStatusNotification …) after the answer has gone out (`then`).  Handlers get
the payload in snake_case; answers use the station's own version's call_result classes.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ocpp import exceptions as ocpp_exceptions
from ocpp.routing import on

from .followups import Step
from .handlers201_charging import ChargingHandlers201
from .handlers201_device import PEM_CERTIFICATE, SIM_VENDOR_ID, certificate_hash, status_info
from .state201 import EvseSim

__all__ = ["PEM_CERTIFICATE", "SIM_VENDOR_ID", "Handlers201", "certificate_hash"]


class Handlers201(ChargingHandlers201):
    """Every central-system operation of OCPP 2.0.1 (and 2.1, which keeps their names)."""

    async def stop_transaction(self, evse_id: int, *args: Any, **kwargs: Any) -> Any:
        """The core's TransactionEvent Ended, then what waited for the transaction to end: a scheduled
        availability change of its EVSE, a Reset OnIdle once no transaction is left."""
        answer = await super().stop_transaction(evse_id, *args, **kwargs)
        pending = self._extra.setdefault("pending_availability", {})
        if evse_id in pending:
            for step in self._availability_steps(self.sim.evses[evse_id], pending.pop(evse_id)):
                await step()
        if self._extra.get("reset_scheduled") and all(e.transaction_id is None for e in self.sim.evses.values()):
            self._extra["reset_scheduled"] = False
            await self.reboot("ScheduledReset")
        return answer

    # ---- transactions ---------------------------------------------------------------------

    @on("RequestStartTransaction")
    def on_request_start_transaction(
        self,
        id_token: dict[str, Any],
        remote_start_id: int,
        evse_id: int | None = None,
        charging_profile: dict[str, Any] | None = None,
        group_id_token: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        self.remote_starts.append({"id_token": id_token, "remote_start_id": remote_start_id, "evse_id": evse_id})
        if evse_id is not None:
            chosen = self.sim.evses.get(evse_id)
            candidates = [chosen] if chosen is not None else []
        else:
            candidates = list(self.sim.evses.values())
        free = [e for e in candidates if e.transaction_id is None and self._usable(e) and self._token_fits(e, id_token)]
        if not free:
            reason = "UnknownEvse" if evse_id is not None and not candidates else "NoFreeEvse"
            return self._result("RequestStartTransaction", status="Rejected", status_info=status_info(reason))
        if charging_profile is not None and charging_profile["charging_profile_purpose"] != "TxProfile":
            return self._result("RequestStartTransaction", status="Rejected", status_info=status_info("NotTxProfile"))
        evse = free[0]
        if charging_profile is not None:
            self._install_profile(evse.evse_id, charging_profile)
        self.then(
            lambda: self.start_transaction(
                evse.evse_id,
                id_token["id_token"],
                id_token["type"],
                trigger_reason="RemoteStart",
                remote_start_id=remote_start_id,
            )
        )
        return self._result("RequestStartTransaction", status="Accepted")

    @on("RequestStopTransaction")
    def on_request_stop_transaction(self, transaction_id: str, **kwargs: Any) -> Any:
        self.remote_stops.append(transaction_id)
        evse = self._evse_of(transaction_id)
        if evse is None:
            return self._result("RequestStopTransaction", status="Rejected", status_info=status_info("UnknownTx"))
        self.then(partial(self.stop_transaction, evse.evse_id, "Remote", "RemoteStop"))
        return self._result("RequestStopTransaction", status="Accepted")

    @on("GetTransactionStatus")
    def on_get_transaction_status(self, transaction_id: str | None = None, **kwargs: Any) -> Any:
        ongoing = None if transaction_id is None else self._evse_of(transaction_id) is not None
        return self._result("GetTransactionStatus", messages_in_queue=bool(self.queued), ongoing_indicator=ongoing)

    @on("CostUpdated")
    def on_cost_updated(self, total_cost: float, transaction_id: str, **kwargs: Any) -> Any:
        if self._extra.get("refuse_cost_updated"):  # tests: a station without the Tariff and Cost block
            raise ocpp_exceptions.NotImplementedError("CostUpdated is not implemented here")
        self._extra.setdefault("costs", {})[transaction_id] = total_cost
        self._extra.setdefault("cost_updates", []).append((transaction_id, total_cost))
        return self._result("CostUpdated")

    # ---- availability and reset -----------------------------------------------------------

    @on("Reset")
    def on_reset(self, type: str, evse_id: int | None = None, **kwargs: Any) -> Any:
        if evse_id is not None:
            evse = self.sim.evses.get(evse_id)
            if evse is None:
                return self._result("Reset", status="Rejected", status_info=status_info("UnknownEvse"))
            if evse.transaction_id is not None and type == "OnIdle":
                return self._result("Reset", status="Scheduled")
            if evse.transaction_id is not None:
                self.then(partial(self.stop_transaction, evse_id, "ImmediateReset", "ResetCommand"))
            statuses = ("Unavailable", self._resting_status(evse))
            self.then(*(partial(self.send_status, evse_id, c, status) for status in statuses for c in evse.connectors))
            return self._result("Reset", status="Accepted")
        busy = [e.evse_id for e in self.sim.evses.values() if e.transaction_id is not None]
        if busy and type == "OnIdle":
            self._extra["reset_scheduled"] = True
            return self._result("Reset", status="Scheduled")
        if type == "ImmediateAndResume":  # 2.1: the transactions go on after the reboot
            self.then(lambda: self.reboot("RemoteReset", resume=True))
        else:
            self.then(*(partial(self.stop_transaction, e, "ImmediateReset", "ResetCommand") for e in busy))
            self.then(lambda: self.reboot("RemoteReset"))
        return self._result("Reset", status="Accepted")

    @on("UnlockConnector")
    def on_unlock_connector(self, evse_id: int, connector_id: int, **kwargs: Any) -> Any:
        evse = self.sim.evses.get(evse_id)
        if evse is None or connector_id not in evse.connectors:
            return self._result("UnlockConnector", status="UnknownConnector")
        if evse.transaction_id is not None:
            return self._result("UnlockConnector", status="OngoingAuthorizedTransaction")
        return self._result("UnlockConnector", status="Unlocked")

    def _availability_steps(self, evse: EvseSim, operative: bool, connector_id: int | None = None) -> list[Step]:
        """Make the EVSE (or one connector of it) (in)operative; the StatusNotifications that follow."""
        if connector_id is None:
            evse.operative = operative
        status = "Unavailable" if not operative else "Reserved" if evse.reservation_id is not None else "Available"
        model = self.sim.device_model
        steps: list[Step] = []
        model.set({"name": "EVSE", "evse": {"id": evse.evse_id}}, {"name": "AvailabilityState"}, status)
        for cid, current in evse.connectors.items():
            if connector_id is not None and cid != connector_id:
                continue
            model.set(
                {"name": "Connector", "evse": {"id": evse.evse_id, "connector_id": cid}},
                {"name": "AvailabilityState"},
                status,
            )
            if current not in (status, "Occupied", "Faulted"):  # a connector in use or broken stays so
                steps.append(partial(self.send_status, evse.evse_id, cid, status))
        return steps

    @on("ChangeAvailability")
    def on_change_availability(self, operational_status: str, evse: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        operative = operational_status == "Operative"
        if evse is None:
            targets, connector_id = list(self.sim.evses.values()), None
            model = self.sim.device_model
            model.set(
                {"name": "ChargingStation"}, {"name": "AvailabilityState"}, "Available" if operative else "Unavailable"
            )
        else:
            target = self.sim.evses.get(evse["id"])
            connector_id = evse.get("connector_id")
            if target is None or (connector_id is not None and connector_id not in target.connectors):
                return self._result("ChangeAvailability", status="Rejected", status_info=status_info("UnknownEvse"))
            targets = [target]
        scheduled = False
        for target in targets:
            if target.transaction_id is not None and not operative:
                self._extra.setdefault("pending_availability", {})[target.evse_id] = operative
                scheduled = True
            else:
                self.then(*self._availability_steps(target, operative, connector_id))
        return self._result("ChangeAvailability", status="Scheduled" if scheduled else "Accepted")

    # ---- remote trigger -------------------------------------------------------------------

    def _trigger(self, requested: str, evse: EvseSim | None, connector_id: int | None) -> str:
        """Queue the requested message; the answer's status."""
        evses = [evse] if evse is not None else list(self.sim.evses.values())
        if requested == "BootNotification":
            if self.registration_status == "Accepted":
                return "Rejected"  # F06.FR.17: an accepted station does not boot again on request
            self.then(lambda: self.boot("Triggered", expect=None))
        elif requested == "Heartbeat":
            self.then(self.heartbeat)
        elif requested == "StatusNotification":
            self.then(
                *(
                    partial(self.send_status, e.evse_id, cid, status)
                    for e in evses
                    for cid, status in e.connectors.items()
                    if connector_id is None or cid == connector_id
                )
            )
        elif requested == "MeterValues":
            self.then(*(partial(self.send_meter_values, e.evse_id, 0.0) for e in evses))
        elif requested == "TransactionEvent":
            running = [e.evse_id for e in evses if e.transaction_id is not None]
            if not running:
                return "Rejected"
            self.then(
                *(partial(self.transaction_event, e, "Updated", "Trigger", meter_context="Trigger") for e in running)
            )
        elif requested == "FirmwareStatusNotification":
            status, request_id = self._extra.get("firmware_status", ("Idle", None))
            self.then(partial(self.send_firmware_status, status, request_id))
        elif requested == "LogStatusNotification":
            status, request_id = self._extra.get("log_status", ("Idle", None))
            self.then(partial(self.send_log_status, status, request_id))
        elif requested == "SignChargingStationCertificate":
            self.then(partial(self.sign_certificate, "ChargingStationCertificate"))
        elif requested == "SignV2GCertificate":
            self.then(partial(self.sign_certificate, "V2GCertificate"))
        elif requested == "SignCombinedCertificate":
            self.then(self._sign_combined)
        else:  # PublishFirmwareStatusNotification (not a local controller); 2.1 CustomTrigger, SignV2G20Certificate
            return "NotImplemented"
        return "Accepted"

    async def _sign_combined(self) -> Any:
        self.sim.csr = f"-----BEGIN CERTIFICATE REQUEST-----\nSIM-{self.id}-combined\n-----END CERTIFICATE REQUEST-----"
        return await self.send("SignCertificate", csr=self.sim.csr)

    @on("TriggerMessage")
    def on_trigger_message(self, requested_message: str, evse: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        target = None
        connector_id = None
        if evse is not None:
            target = self.sim.evses.get(evse["id"])
            connector_id = evse.get("connector_id")
            if target is None or (connector_id is not None and connector_id not in target.connectors):
                return self._result("TriggerMessage", status="Rejected", status_info=status_info("UnknownEvse"))
        return self._result("TriggerMessage", status=self._trigger(requested_message, target, connector_id))
