"""What the central system learns from a 1.6 charger's answers to its own calls.

Recorded at the call layer (ChargerSession.call), so a typed command and the
same action sent raw (send_call) update the state alike.  Reservations, the
local list version, configuration values, the file names of diagnostics and
logs, and the remote starts expected follow the charger's answers; every other
action changes nothing here (its effects arrive as the charger's own messages).
"""

from __future__ import annotations

import logging

from ..model.configuration import GarbageAnswer, parse_get_configuration
from ..model.station import Reservation
from ..rpc.endpoint import Payload
from ..rpc.timeutil import parse_timestamp
from ..state.call_answers import Recorder, cancel_reservation, send_local_list
from ..state.central_state import CentralState
from ..state.tags import MAX_ID_LENGTH_V16

_LOGGER = logging.getLogger(__name__)


def before_call(state: CentralState, station_id: str, action: str, request: Payload) -> None:
    """The tag of a remote start, which its StartTransaction may use (see Authorization.expect_remote_start);
    TagRefused, and nothing sent, when that StartTransaction would be refused."""
    if action == "RemoteStartTransaction" and isinstance(request.get("idTag"), str):
        connector_id = request.get("connectorId")
        where = connector_id if isinstance(connector_id, int) else None
        state.authorization.check_remote_start(station_id, request["idTag"], where, MAX_ID_LENGTH_V16)


def _reserve_now(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    if answer.get("status") == "Accepted":
        reservation = Reservation(
            int(request["reservationId"]),
            int(request["connectorId"]),
            str(request["idTag"]),
            parse_timestamp(request["expiryDate"]),
            request.get("parentIdTag"),
        )
        state.reservations.set(station_id, reservation)


def _get_local_list_version(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    version = answer.get("listVersion")
    if isinstance(version, int) and -1 <= version <= 2_147_483_647:
        state.reports.set_local_list_version(station_id, version)


def _get_configuration(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    try:
        entries, unknown = parse_get_configuration(answer)
    except GarbageAnswer as err:
        state.store.log_once(
            station_id,
            "garbage_configuration",
            logging.WARNING,
            "GetConfiguration answer not understood (%s), ignored: %.300r",
            err,
            answer,
        )
        return
    state.reports.record_configuration(station_id, entries, unknown, full=not request.get("key"))


def _change_configuration(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    if answer.get("status") in ("Accepted", "RebootRequired"):
        state.reports.set_configuration_value(station_id, str(request["key"]), str(request["value"]))


def _get_diagnostics(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    if isinstance(answer.get("fileName"), str):
        state.reports.record_diagnostics_status(station_id, None, answer["fileName"])


def _get_log(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    if answer.get("status") in ("Accepted", "AcceptedCanceled"):
        state.reports.record_log_status(station_id, None, int(request["requestId"]), answer.get("filename"))


def _remote_start_transaction(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    if answer.get("status") != "Accepted":
        state.authorization.remote_start_refused(station_id, str(request.get("idTag")))


RECORDERS: dict[str, Recorder] = {
    "ReserveNow": _reserve_now,
    "CancelReservation": cancel_reservation,
    "SendLocalList": send_local_list("listVersion"),
    "GetLocalListVersion": _get_local_list_version,
    "GetConfiguration": _get_configuration,
    "ChangeConfiguration": _change_configuration,
    "GetDiagnostics": _get_diagnostics,
    "GetLog": _get_log,
    "RemoteStartTransaction": _remote_start_transaction,
}
