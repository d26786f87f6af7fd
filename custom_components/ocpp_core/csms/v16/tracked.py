"""The 1.6 commands whose answers change what the central system knows about a charger."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..adapter import CallFn
from ..history import as_utc
from ..model import Reservation
from ..rpc import Payload
from ..state import CentralState
from .commands import V16Commands
from .configuration import GarbageAnswer, parse_get_configuration

_LOGGER = logging.getLogger(__name__)

_CONFIGURATION_STORED = ("Accepted", "RebootRequired")


class TrackedV16Commands(V16Commands):
    """V16Commands that record the answers in the domain state, as the charger accepted them.

    Reservations, the local list version, configuration values and the file names
    of diagnostics and logs follow the charger's answers; every other command
    changes nothing here (its effects arrive as the charger's own messages).
    """

    def __init__(self, call: CallFn, station_id: str, state: CentralState) -> None:
        super().__init__(call)
        self._station_id = station_id
        self._state = state

    async def reserve_now(
        self,
        connector_id: int,
        expiry_date: datetime,
        id_tag: str,
        reservation_id: int,
        parent_id_tag: str | None = None,
    ) -> Payload:
        answer = await super().reserve_now(connector_id, expiry_date, id_tag, reservation_id, parent_id_tag)
        if answer.get("status") == "Accepted":
            expiry = as_utc(expiry_date)
            assert expiry is not None
            self._state.set_reservation(
                self._station_id, Reservation(reservation_id, connector_id, id_tag, expiry, parent_id_tag)
            )
        return answer

    async def cancel_reservation(self, reservation_id: int) -> Payload:
        answer = await super().cancel_reservation(reservation_id)
        if answer.get("status") == "Accepted":
            self._state.remove_reservation(self._station_id, reservation_id, "cancelled")
        return answer

    async def send_local_list(
        self, list_version: int, update_type: str, local_authorization_list: list[dict[str, Any]] | None = None
    ) -> Payload:
        answer = await super().send_local_list(list_version, update_type, local_authorization_list)
        if answer.get("status") == "Accepted":
            self._state.set_local_list_version(self._station_id, list_version)
        return answer

    async def get_local_list_version(self) -> Payload:
        answer = await super().get_local_list_version()
        version = answer.get("listVersion")
        if isinstance(version, int):
            self._state.set_local_list_version(self._station_id, version)
        return answer

    async def get_configuration(self, keys: list[str] | None = None) -> Payload:
        answer = await super().get_configuration(keys)
        try:
            entries, unknown = parse_get_configuration(answer)
        except GarbageAnswer as err:
            self._state.log_once(
                self._station_id,
                "garbage_configuration",
                logging.WARNING,
                "GetConfiguration answer not understood (%s), ignored: %.300r",
                err,
                answer,
            )
            return answer
        self._state.record_configuration(self._station_id, entries, unknown, full=not keys)
        return answer

    async def change_configuration(self, key: str, value: str) -> Payload:
        answer = await super().change_configuration(key, value)
        if answer.get("status") in _CONFIGURATION_STORED:
            self._state.set_configuration_value(self._station_id, key, value)
        return answer

    async def get_diagnostics(
        self,
        location: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        start_time: datetime | None = None,
        stop_time: datetime | None = None,
    ) -> Payload:
        answer = await super().get_diagnostics(location, retries, retry_interval, start_time, stop_time)
        if isinstance(answer.get("fileName"), str):
            self._state.record_diagnostics_status(self._station_id, None, answer["fileName"])
        return answer

    async def get_log(
        self,
        log_type: str,
        request_id: int,
        remote_location: str,
        oldest_timestamp: datetime | None = None,
        latest_timestamp: datetime | None = None,
        retries: int | None = None,
        retry_interval: int | None = None,
    ) -> Payload:
        answer = await super().get_log(
            log_type, request_id, remote_location, oldest_timestamp, latest_timestamp, retries, retry_interval
        )
        if answer.get("status") in ("Accepted", "AcceptedCanceled"):
            self._state.record_log_status(self._station_id, None, request_id, answer.get("filename"))
        return answer
