"""The HA services' certificate commands (1.6's security extension and 2.x) and 1.6's GetDiagnostics."""

from __future__ import annotations

from ..central_import import csms
from . import fields as f
from .command_types import NO_REFUSALS, Answer, Body, CentralSystem, Command, Station, answer_of, charger, command


async def _install_certificate(central: CentralSystem, station: Station, body: Body) -> Answer:
    kind, certificate = f.required_text(body, "certificate_type"), f.required_text(body, "certificate")
    return answer_of(await charger(central, station).install_certificate(kind, certificate))


async def _get_installed_certificate_ids(central: CentralSystem, station: Station, body: Body) -> Answer:
    kind = f.required_text(body, "certificate_type")
    return answer_of(await charger(central, station).get_installed_certificate_ids(kind))


async def _delete_certificate(central: CentralSystem, station: Station, body: Body) -> Answer:
    names = ("hash_algorithm", "issuer_name_hash", "issuer_key_hash", "serial_number")
    certificate = csms.CertificateHash(*(f.required_text(body, name) for name in names))
    return answer_of(await charger(central, station).delete_certificate(certificate))


async def _get_diagnostics(central: CentralSystem, station: Station, body: Body) -> Answer:
    upload = f.log_upload(body, "start_time", "stop_time")
    answer = await charger(central, station).get_diagnostics(upload)
    return answer_of(answer)


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
