"""The argument objects of the `Charger`'s longer commands (charger_commands.py, charger.py); reserve_now
takes the model's `Reservation` (model/station.py), the reservation the charger is asked to hold.

A command whose arguments are many takes them as one of these, so the interface, the base of each
version's charger and every caller (the HA services, the add-on's API) name them once; each version's
charger says what its version makes of them (v16/charger.py, v201/charger.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class RemoteStart:
    """remote_start's arguments: the token, the connector (None or 0: the charger chooses), a charging profile
    in the charger's version's form, and (2.x) the token's type (default Central)."""

    id_tag: str
    connector_id: int | None = None
    charging_profile: dict[str, Any] | None = None
    id_token_type: str | None = None


@dataclass(frozen=True, slots=True)
class FirmwareUpdate:
    """update_firmware's arguments.  1.6 sends UpdateFirmware, or SignedUpdateFirmware when signed; 2.x
    UpdateFirmware; a request id is chosen when none is given (1.6 unsigned has none)."""

    location: str
    retrieve: datetime
    retries: int | None = None
    retry_interval: int | None = None
    signing_certificate: str | None = None
    signature: str | None = None
    install: datetime | None = None
    request_id: int | None = None


class FieldRequires(ValueError):
    """A field given without the one it needs (the service's field names): nothing was sent."""

    def __init__(self, field: str, requires: str) -> None:
        super().__init__(f"{field}: only with {requires}")
        self.field = field
        self.requires = requires


def check_signed_fields(update: FirmwareUpdate) -> None:
    """1.6: what makes an UpdateFirmware a SignedUpdateFirmware goes together (the signature with its signing
    certificate; the certificate, install date and request id only with the signature); FieldRequires names
    the first field that lacks its partner.  One check for the HA service and the add-on's command."""
    signed = {"signing_certificate": update.signing_certificate, "install_date": update.install,
              "request_id": update.request_id}  # fmt: skip
    if update.signature is None:
        for name, value in signed.items():
            if value is not None:
                raise FieldRequires(name, "signature")
    elif update.signing_certificate is None:
        raise FieldRequires("signature", "signing_certificate")


@dataclass(frozen=True, slots=True)
class LogUpload:
    """Where a charger uploads its log, of which time, with how many retries: 1.6 GetDiagnostics, and the log
    part of GetLog (the 1.6 security extension's and 2.x's successor of it)."""

    location: str
    oldest: datetime | None = None
    latest: datetime | None = None
    retries: int | None = None
    retry_interval: int | None = None


@dataclass(frozen=True, slots=True)
class LogRequest:
    """get_log's arguments: which log (DiagnosticsLog, SecurityLog …), the request id its
    LogStatusNotifications carry, and the upload."""

    log_type: str
    request_id: int
    upload: LogUpload


@dataclass(frozen=True, slots=True)
class ProfileCriteria:
    """Which charging profiles clear_charging_profile clears: those matching every criterion given (the
    purpose in either version's spelling); none given: all."""

    profile_id: int | None = None
    evse_id: int | None = None
    purpose: str | None = None
    stack_level: int | None = None


@dataclass(frozen=True, slots=True)
class CertificateHash:
    """An installed certificate, as delete_certificate names it (CertificateHashDataType)."""

    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str
