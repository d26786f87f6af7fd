"""OCPP 1.6J: what chargers report about firmware, diagnostics, logs and security.

The Firmware Management profile's notifications and those of the security
whitepaper (SecurityEventNotification, SignCertificate, LogStatusNotification,
SignedFirmwareStatusNotification).  Each is kept on the Station and announced
with its own event.
"""

from __future__ import annotations

from ..adapter import StationHandlers
from ..rpc.endpoint import Handler, Payload
from ..rpc.values import json_int

# No PKI is configured yet: a CSR is kept for later and refused for now.
SIGN_CERTIFICATE_ANSWER = "Rejected"


class V16StationReports(StationHandlers):
    """Handlers for the station-level notifications outside the Core profile."""

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
            self.station_id, str(payload["status"]), json_int(payload.get("requestId")), signed=True
        )
        return {}

    def on_sign_certificate(self, payload: Payload) -> Payload:
        self.state.reports.record_certificate_signing_request(
            self.station_id, str(payload["csr"]), SIGN_CERTIFICATE_ANSWER
        )
        return {"status": SIGN_CERTIFICATE_ANSWER}
