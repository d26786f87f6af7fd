"""What both OCPP versions record alike from a charger's answer to our call (see v16/answers.py, v201/answers.py)."""

from __future__ import annotations

from collections.abc import Callable

from ..rpc.endpoint import Payload
from .central_state import CentralState

Recorder = Callable[[CentralState, str, Payload, Payload], None]


def cancel_reservation(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    if answer.get("status") == "Accepted":
        state.reservations.remove(station_id, int(request["reservationId"]), "cancelled")


def send_local_list(version_key: str) -> Recorder:
    """SendLocalList's recorder: the version sent (1.6 listVersion, 2.x versionNumber) once the charger accepts it."""

    def record(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
        if answer.get("status") == "Accepted":
            state.reports.set_local_list_version(station_id, int(request[version_key]))

    return record
