"""OCPP 1.6J: what chargers report about firmware, diagnostics, logs and security.

The Firmware Management profile's notifications and those of the security
whitepaper (SecurityEventNotification, SignCertificate, LogStatusNotification,
SignedFirmwareStatusNotification).  Each is kept on the Station and announced
with its own event.
"""

from __future__ import annotations

from ..adapter import StationHandlers, handles, status_and_request_id
from ..rpc.endpoint import Payload

# No PKI is configured yet: a CSR is kept for later and refused for now.
SIGN_CERTIFICATE_ANSWER = "Rejected"


class V16StationReports(StationHandlers):
    """Handlers for the station-level notifications outside the Core profile."""

    @handles("DiagnosticsStatusNotification")
    def on_diagnostics_status_notification(self, payload: Payload) -> Payload:
        self.state.reports.record_diagnostics_status(self.station_id, str(payload["status"]))
        return {}

    @handles("SignedFirmwareStatusNotification")
    def on_signed_firmware_status_notification(self, payload: Payload) -> Payload:
        self.state.reports.record_firmware_status(self.station_id, *status_and_request_id(payload), signed=True)
        return {}

    @handles("SignCertificate")
    def on_sign_certificate(self, payload: Payload) -> Payload:
        self.state.reports.record_certificate_signing_request(
            self.station_id, str(payload["csr"]), SIGN_CERTIFICATE_ANSWER
        )
        return {"status": SIGN_CERTIFICATE_ANSWER}
