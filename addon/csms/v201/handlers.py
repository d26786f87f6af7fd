"""OCPP 2.x: what stations report beyond the core — device model, events, monitoring, firmware and logs,
smart charging and the EV's needs, reservations, customer information, display messages — and the
certificate requests a central system without a PKI answers cleanly.

Each is read here and kept on the Station (see state/device_model_reports.py), with its own event.
"""

from __future__ import annotations

from typing import Any

from ..adapter import StationHandlers, handles
from ..model import bounds
from ..model.events import Event, EventType
from ..rpc.endpoint import Payload
from ..rpc.timeutil import parse_timestamp
from ..rpc.values import json_int

# No PKI is configured yet: CSRs are kept and refused, EV certificates and OCSP checks fail cleanly.
NO_PKI = {"reasonCode": "NoPKI", "additionalInfo": "No certificate authority is configured at this central system"}
SIGN_CERTIFICATE_ANSWER = "Rejected"
# No schedule is computed for the EV: the station charges by its own (or its installed) profiles.
EV_CHARGING_NEEDS_ANSWER = "Rejected"


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def requested_energy_wh(needs: dict[str, Any]) -> float | None:
    """The energy the EV asks for: AC / DC energyAmount, or (2.1) the V2X target request."""
    for key in ("acChargingParameters", "dcChargingParameters"):
        amount = _float((needs.get(key) or {}).get("energyAmount"))
        if amount is not None:
            return amount
    return _float((needs.get("v2xChargingParameters") or {}).get("evTargetEnergyRequest"))


class V201StationReports(StationHandlers):
    """Handlers for the 2.x station-level notifications and certificate requests."""

    def _evse(self, value: object) -> int | None:
        """An evseId the station may name (None when it names none); out of range: OcppError."""
        found = json_int(value)
        if found is None:
            return None
        return bounds.evse_id(self.state.stations.get(self.station_id), found)

    # ---- device model and monitoring ----------------------------------------------

    @handles("NotifyReport")
    def on_notify_report(self, payload: Payload) -> Payload:
        self.state.v2_reports.record_report_part(
            self.station_id,
            int(payload["requestId"]),
            bounds.seq_no(int(payload["seqNo"])),
            payload.get("tbc") is True,
            list(payload.get("reportData") or []),
        )
        return {}

    @handles("NotifyEvent")
    def on_notify_event(self, payload: Payload) -> Payload:
        entries = [
            {
                "event_id": data.get("eventId"),
                "timestamp": parse_timestamp(data.get("timestamp")).isoformat(),
                "trigger": data.get("trigger"),
                "actual_value": data.get("actualValue"),
                "component": data.get("component"),
                "variable": data.get("variable"),
                "event_notification_type": data.get("eventNotificationType"),
                "cause": data.get("cause"),
                "tech_code": data.get("techCode"),
                "tech_info": data.get("techInfo"),
                "cleared": data.get("cleared"),
                "transaction_id": data.get("transactionId"),
                "variable_monitoring_id": data.get("variableMonitoringId"),
                # 2.1
                "severity": data.get("severity"),
            }
            for data in payload.get("eventData") or ()
            if isinstance(data, dict)
        ]
        self.state.v2_reports.record_device_events(self.station_id, entries)
        return {}

    @handles("NotifyMonitoringReport")
    def on_notify_monitoring_report(self, payload: Payload) -> Payload:
        self.state.v2_reports.record_monitoring_part(
            self.station_id,
            int(payload["requestId"]),
            bounds.seq_no(int(payload["seqNo"])),
            payload.get("tbc") is True,
            list(payload.get("monitor") or []),
        )
        return {}

    # ---- firmware, logs, security events ------------------------------------------

    @handles("PublishFirmwareStatusNotification")
    def on_publish_firmware_status_notification(self, payload: Payload) -> Payload:
        self.state.v2_reports.record_publish_firmware_status(
            self.station_id,
            str(payload["status"]),
            [str(location) for location in payload.get("location") or ()],
            json_int(payload.get("requestId")),
        )
        return {}

    # ---- smart charging and the EV ------------------------------------------------

    @handles("NotifyChargingLimit")
    def on_notify_charging_limit(self, payload: Payload) -> Payload:
        limit = payload["chargingLimit"]
        self.state.v2_reports.record_charging_limit(
            self.station_id,
            self._evse(payload.get("evseId")),
            str(limit["chargingLimitSource"]),
            limit.get("isGridCritical"),
            payload.get("chargingSchedule"),
        )
        return {}

    @handles("ClearedChargingLimit")
    def on_cleared_charging_limit(self, payload: Payload) -> Payload:
        self.state.v2_reports.clear_charging_limit(
            self.station_id, self._evse(payload.get("evseId")), str(payload["chargingLimitSource"])
        )
        return {}

    @handles("NotifyEVChargingNeeds")
    def on_notify_ev_charging_needs(self, payload: Payload) -> Payload:
        needs: dict[str, Any] = payload["chargingNeeds"]
        departure = needs.get("departureTime")
        self.state.v2_reports.record_ev_charging_needs(
            self.station_id,
            self._evse(int(payload["evseId"])) or 0,
            requested_energy_wh(needs),
            parse_timestamp(departure) if departure else None,
            needs.get("requestedEnergyTransfer"),
            needs,
        )
        return {"status": EV_CHARGING_NEEDS_ANSWER}

    @handles("NotifyEVChargingSchedule")
    def on_notify_ev_charging_schedule(self, payload: Payload) -> Payload:
        self.state.v2_reports.record_ev_charging_schedule(
            self.station_id,
            self._evse(int(payload["evseId"])) or 0,
            parse_timestamp(payload.get("timeBase")),
            payload["chargingSchedule"],
        )
        return {"status": "Accepted"}

    @handles("ReportChargingProfiles")
    def on_report_charging_profiles(self, payload: Payload) -> Payload:
        self.state.v2_reports.record_charging_profiles_part(
            self.station_id,
            int(payload["requestId"]),
            str(payload["chargingLimitSource"]),
            self._evse(int(payload["evseId"])) or 0,
            list(payload.get("chargingProfile") or []),
        )
        return {}

    @handles("ReservationStatusUpdate")
    def on_reservation_status_update(self, payload: Payload) -> Payload:
        # Expired, Removed (2.1: NoTransaction): the reservation is over either way
        reason = {"Expired": "expired", "Removed": "removed"}.get(payload["reservationUpdateStatus"], "ended")
        self.state.reservations.remove(self.station_id, int(payload["reservationId"]), reason)
        return {}

    # ---- customer information and display messages ---------------------------------

    @handles("NotifyCustomerInformation")
    def on_notify_customer_information(self, payload: Payload) -> Payload:
        self.state.v2_reports.record_customer_information_part(
            self.station_id,
            int(payload["requestId"]),
            bounds.seq_no(int(payload["seqNo"])),
            payload.get("tbc") is True,
            str(payload["data"]),
        )
        return {}

    @handles("NotifyDisplayMessages")
    def on_notify_display_messages(self, payload: Payload) -> Payload:
        self.state.v2_reports.record_display_messages(
            self.station_id, int(payload["requestId"]), list(payload.get("messageInfo") or [])
        )
        return {}

    # ---- certificates (no PKI) ----------------------------------------------------

    @handles("SignCertificate")
    def on_sign_certificate(self, payload: Payload) -> Payload:
        self.state.reports.record_certificate_signing_request(
            self.station_id, str(payload["csr"]), SIGN_CERTIFICATE_ANSWER
        )
        return {"status": SIGN_CERTIFICATE_ANSWER, "statusInfo": dict(NO_PKI)}

    @handles("Get15118EVCertificate")
    def on_get_15118_ev_certificate(self, payload: Payload) -> Payload:
        self._certificate_request("Get15118EVCertificate", "Failed", {"action": payload.get("action")})
        return {"status": "Failed", "statusInfo": dict(NO_PKI), "exiResponse": ""}

    @handles("GetCertificateStatus")
    def on_get_certificate_status(self, payload: Payload) -> Payload:
        ocsp = payload.get("ocspRequestData") or {}
        self._certificate_request("GetCertificateStatus", "Failed", {"serial_number": ocsp.get("serialNumber")})
        return {"status": "Failed", "statusInfo": dict(NO_PKI)}

    def _certificate_request(self, kind: str, status: str, details: dict[str, Any]) -> None:
        self.state.events.emit(
            Event(EventType.CERTIFICATE_REQUEST, self.station_id, data={"kind": kind, "status": status, **details})
        )
