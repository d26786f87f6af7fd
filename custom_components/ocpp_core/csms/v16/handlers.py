"""OCPP 1.6J: what chargers report about firmware, diagnostics, logs and security.

The Firmware Management profile's notifications and those of the security
whitepaper (SecurityEventNotification, SignCertificate, LogStatusNotification,
SignedFirmwareStatusNotification).  Each is kept on the Station and announced
with its own event.
"""

from __future__ import annotations

from ..rpc.endpoint import Handler, Payload
from ..rpc.timeutil import parse_timestamp
from ..state.central_state import CentralState

# No PKI is configured yet: a CSR is kept for later and refused for now.
SIGN_CERTIFICATE_ANSWER = "Rejected"


class V16StationReports:
    """Handlers for the station-level notifications outside the Core profile."""

    def __init__(self, station_id: str, state: CentralState) -> None:
        self.station_id = station_id
        self.state = state

    def handlers(self) -> dict[str, Handler]:
        return {
            "DiagnosticsStatusNotification": self.on_diagnostics_status_notification,
            "FirmwareStatusNotification": self.on_firmware_status_notification,
            "SecurityEventNotification": self.on_security_event_notification,
            "SignCertificate": self.on_sign_certificate,
            "LogStatusNotification": self.on_log_status_notification,
            "SignedFirmwareStatusNotification": self.on_signed_firmware_status_notification,
        }

    def on_diagnostics_status_notification(self, payload: Payload) -> Payload:
        self.state.reports.record_diagnostics_status(self.station_id, str(payload["status"]))
        return {}

    def on_firmware_status_notification(self, payload: Payload) -> Payload:
        self.state.reports.record_firmware_status(self.station_id, str(payload["status"]))
        return {}

    def on_signed_firmware_status_notification(self, payload: Payload) -> Payload:
        self.state.reports.record_firmware_status(
            self.station_id, str(payload["status"]), _int_or_none(payload.get("requestId")), signed=True
        )
        return {}

    def on_log_status_notification(self, payload: Payload) -> Payload:
        self.state.reports.record_log_status(
            self.station_id, str(payload["status"]), _int_or_none(payload.get("requestId"))
        )
        return {}

    def on_security_event_notification(self, payload: Payload) -> Payload:
        self.state.reports.record_security_event(
            self.station_id,
            str(payload["type"]),
            parse_timestamp(payload.get("timestamp")),
            payload.get("techInfo"),
        )
        return {}

    def on_sign_certificate(self, payload: Payload) -> Payload:
        self.state.reports.record_certificate_signing_request(
            self.station_id, str(payload["csr"]), SIGN_CERTIFICATE_ANSWER
        )
        return {"status": SIGN_CERTIFICATE_ANSWER}


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
