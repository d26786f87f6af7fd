"""The HA services' certificate commands (1.6's security extension and 2.x) and 1.6's GetDiagnostics."""

from __future__ import annotations

from typing import Any

from . import fields as f
from .command_types import NO_REFUSALS, Answer, Command, command

# the service's (1.6) spelling of the certificate types where 2.x's differs
_V2_NAMES = {"CentralSystemRootCertificate": "CSMSRootCertificate"}


def _commands(central: Any, station: Any) -> Any:
    return central.v201(station.station_id) if station.is_v2 else central.v16(station.station_id)


def _certificate_type(station: Any, body: dict[str, Any]) -> str:
    kind = f.required_text(body, "certificate_type")
    return _V2_NAMES.get(kind, kind) if station.is_v2 else kind


async def _install_certificate(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    kind, certificate = _certificate_type(station, body), f.required_text(body, "certificate")
    answer: Answer = await _commands(central, station).install_certificate(kind, certificate)
    return answer


async def _get_installed_certificate_ids(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    kind = _certificate_type(station, body)
    if station.is_v2:
        answer: Answer = await central.v201(station.station_id).get_installed_certificate_ids([kind])
        return answer
    answer = await central.v16(station.station_id).get_installed_certificate_ids(kind)
    return answer


async def _delete_certificate(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    names = ("hash_algorithm", "issuer_name_hash", "issuer_key_hash", "serial_number")
    answer: Answer = await _commands(central, station).delete_certificate(*(f.required_text(body, n) for n in names))
    return answer


async def _get_diagnostics(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    answer: Answer = await central.v16(station.station_id).get_diagnostics(
        f.required_text(body, "location"),
        f.integer(body, "retries"),
        f.integer(body, "retry_interval"),
        f.time(body, "start_time"),
        f.time(body, "stop_time"),
    )
    return answer


SECURITY_COMMANDS: dict[str, Command] = {
    "install_certificate": command(
        _install_certificate, frozenset({"Rejected", "Failed"}), "certificate_type", "certificate"
    ),
    "get_installed_certificate_ids": command(_get_installed_certificate_ids, NO_REFUSALS, "certificate_type"),
    "delete_certificate": command(
        _delete_certificate,
        frozenset({"Failed", "NotFound"}),
        "hash_algorithm",
        "issuer_name_hash",
        "issuer_key_hash",
        "serial_number",
    ),
    "get_diagnostics": command(
        _get_diagnostics, None, "location", "retries", "retry_interval", "start_time", "stop_time"
    ),
}
