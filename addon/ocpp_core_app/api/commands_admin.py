"""The HA services' update_firmware and get_log (1.6, its security extension and 2.x) and set_charger_password."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime

from ..central_import import csms
from . import fields as f
from .command_types import NO_REFUSALS, Answer, Body, CentralSystem, Command, Station, answer_of, charger, command
from .errors import ApiError, bad_request

# the answers that mean the charger took the password (1.6 ChangeConfiguration, 2.x SetVariables); any other
# is a refusal, and the central system then kept the password it had
_PASSWORD_TAKEN = frozenset({"Accepted", "RebootRequired"})
# a generated password (as the HA service makes it): letters and digits, which every charger's keypad takes
_GENERATED_ALPHABET = string.ascii_letters + string.digits
_GENERATED_LENGTH = 32


async def _update_firmware(central: CentralSystem, station: Station, body: Body) -> Answer:
    """1.6: UpdateFirmware, or SignedUpdateFirmware when signed; 2.x: UpdateFirmware (the answer's requestId
    is what its FirmwareStatusNotifications carry)."""
    update = csms.FirmwareUpdate(
        f.required_text(body, "location"),
        f.time(body, "retrieve_date") or datetime.now(UTC),
        retries=f.integer(body, "retries"),
        retry_interval=f.integer(body, "retry_interval"),
        signing_certificate=f.text(body, "signing_certificate"),
        signature=f.text(body, "signature"),
        install=f.time(body, "install_date"),
        request_id=f.integer(body, "request_id"),
    )
    answer = await charger(central, station).update_firmware(update)
    return answer_of(answer) if answer.value is None else answer_of(answer, requestId=answer.value)


async def _get_log(central: CentralSystem, station: Station, body: Body) -> Answer:
    """GetLog, the same in 1.6's security extension and 2.x; the answer carries the requestId of its
    LogStatusNotifications."""
    target = charger(central, station)  # offline: a 503 before a request id is spent
    given = f.integer(body, "request_id")
    request_id = central.next_request_id() if given is None else given
    log_type = f.required_text(body, "log_type")  # checked first, as before the upload's fields
    request = csms.LogRequest(log_type, request_id, f.log_upload(body, "oldest_timestamp", "latest_timestamp"))
    answer = await target.get_log(request)
    return answer_of(answer, requestId=request_id)


def _generated_password() -> str:
    return "".join(secrets.choice(_GENERATED_ALPHABET) for _ in range(_GENERATED_LENGTH))


async def _set_charger_password(central: CentralSystem, station: Station, body: Body) -> Answer:
    """The charger's own HTTP Basic password, stored hashed; with send_to_charger (the default) the charger is
    given it first, and a refusal changes nothing.  No password and not sent: the charger's own one is removed.
    A generated password is in this answer only (it is never logged nor sent on the event stream)."""
    sid = station.station_id
    password = f.text(body, "password")
    push = f.boolean(body, "send_to_charger", default=True)
    generate = f.boolean(body, "generate", default=False)
    if generate:
        if password is not None:
            raise bad_request("give password or generate, not both")
        if not push:
            raise bad_request("generate: only with send_to_charger (a generated password must reach the charger)")
        password = _generated_password()
    if password is None:
        if push:
            raise bad_request("password: required to send one to the charger (or generate: true)")
        await central.credentials.set_password(sid, None)
        return {"removed": True}
    try:
        csms.validate_password(password, push=push)
    except csms.InvalidPassword as err:
        raise bad_request(f"password: {err}") from None
    if not push:
        await central.credentials.set_password(sid, password)
        return {"stored": True}
    if not central.is_connected(sid):
        raise ApiError(503, "offline", f"charger {sid} is not connected")
    status = await central.credentials.set_password(sid, password, push=True)
    if status not in _PASSWORD_TAKEN:
        raise ApiError(502, "refused", f"{sid} answered {status}", answer={"status": status})
    return {"status": status, "password": password} if generate else {"status": status}


ADMIN_COMMANDS: dict[str, Command] = {
    "update_firmware": command(
        _update_firmware,
        frozenset({"Rejected", "InvalidCertificate", "RevokedCertificate"}),
        "location",
        "retrieve_date",
        "retries",
        "retry_interval",
        "signing_certificate",
        "signature",
        "install_date",
        "request_id",
    ),
    "get_log": command(
        _get_log,
        frozenset({"Rejected"}),
        "log_type",
        "location",
        "request_id",
        "oldest_timestamp",
        "latest_timestamp",
        "retries",
        "retry_interval",
    ),
    "set_charger_password": command(_set_charger_password, NO_REFUSALS, "password", "send_to_charger", "generate"),
}
