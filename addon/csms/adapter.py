"""What every OCPP version adapter offers the central system, and the registration rules they share.

Registration: each BootNotification is answered as `CentralSystemConfig.boot_policy`
decides (no policy: Accepted).  A station the user accepted before stays
Accepted when the policy answers Pending; Rejected always applies.  Messages
from a station that is not Accepted are answered anyway (logged once).
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, ClassVar

from .config import CentralSystemConfig
from .features.charger import Charger
from .model.events import Event, EventType
from .model.station import RegistrationStatus
from .rpc.endpoint import Handler, Payload
from .rpc.timeutil import format_timestamp, parse_timestamp, utcnow
from .rpc.values import json_int
from .state.call_answers import Recorder
from .state.central_state import CentralState

_LOGGER = logging.getLogger(__name__)

CallFn = Callable[[str, Payload], Awaitable[Payload]]

_REGISTRATION_STATUSES = frozenset(RegistrationStatus)
_NOT_ACCEPTED = (RegistrationStatus.PENDING, RegistrationStatus.REJECTED)


_HANDLED_ACTION = "_handled_action"  # the attribute `handles` sets on a handler method


def handles[M: Callable[..., Any]](action: str) -> Callable[[M], M]:
    """Marks a `StationHandlers` method as the handler of the charger-initiated `action`."""

    def mark(method: M) -> M:
        setattr(method, _HANDLED_ACTION, action)
        return method

    return mark


def status_and_request_id(payload: Payload) -> tuple[str, int | None]:
    """The status and requestId of a firmware or log status notification (None: it names no request)."""
    return str(payload["status"]), json_int(payload.get("requestId"))


class StationHandlers:
    """A group of one station's handlers that a version adapter takes in (reports, transactions); each
    handler says its action (`@handles`)."""

    def __init__(self, station_id: str, state: CentralState) -> None:
        self.station_id = station_id
        self.state = state

    def handlers(self) -> dict[str, Handler]:
        """The marked handlers, by action."""
        found: dict[str, Handler] = {}
        for name in dir(type(self)):
            action = getattr(getattr(type(self), name), _HANDLED_ACTION, None)
            if action is not None:
                found[action] = getattr(self, name)
        return found

    @handles("SecurityEventNotification")
    def on_security_event_notification(self, payload: Payload) -> Payload:
        """The same in 1.6 (security whitepaper) and 2.x."""
        self.state.reports.record_security_event(
            self.station_id, str(payload["type"]), parse_timestamp(payload.get("timestamp")), payload.get("techInfo")
        )
        return {}

    @handles("LogStatusNotification")
    def on_log_status_notification(self, payload: Payload) -> Payload:
        """The same in 1.6 (security whitepaper) and 2.x."""
        self.state.reports.record_log_status(self.station_id, *status_and_request_id(payload))
        return {}

    @handles("FirmwareStatusNotification")
    def on_firmware_status_notification(self, payload: Payload) -> Payload:
        """The same in 1.6 (which carries no requestId) and 2.x."""
        self.state.reports.record_firmware_status(self.station_id, *status_and_request_id(payload))
        return {}


class VersionAdapter(ABC):
    """Translates one OCPP version's messages to and from the domain model."""

    # the charger's version-neutral commands (features/charger.py), set by each version
    charger: Charger
    # what the state learns from the charger's answer to each of our actions (each version's answers.py)
    recorders: ClassVar[Mapping[str, Recorder]] = {}

    def __init__(self, station_id: str, state: CentralState, call: CallFn, config: CentralSystemConfig) -> None:
        self.station_id = station_id
        self.state = state
        self.call = call
        self.config = config
        # charger-initiated action -> its handler: the ones every version has; each version adds its own
        self._handlers: dict[str, Handler] = {
            "BootNotification": self.on_boot_notification,
            "Heartbeat": self.on_heartbeat,
            "StatusNotification": self.on_status_notification,
            "Authorize": self.on_authorize,
            "DataTransfer": self.on_data_transfer,
        }
        self._boot_read: asyncio.Task[None] | None = None  # what each boot reads from the charger

    def handler(self, action: str) -> Handler | None:
        """The handler for a charger-initiated action, or None when not implemented."""
        # every message of the station passes here: keep the checks to a dict look-up or two
        state = self.state
        if self.station_id in state.reservations.deadlines:
            self._expire_reservations()
        station = state.stations.get(self.station_id)
        if station is not None and station.registration_status in _NOT_ACCEPTED and action != "BootNotification":
            state.store.log_once(
                self.station_id,
                f"unregistered:{station.registration_status}",
                logging.INFO,
                "sent %s while its registration is %s; answered anyway (logged once)",
                action,
                station.registration_status,
            )
        return self._handlers.get(action)

    @abstractmethod
    def on_boot_notification(self, payload: Payload) -> Payload: ...

    @abstractmethod
    def on_status_notification(self, payload: Payload) -> Payload: ...

    @abstractmethod
    def on_authorize(self, payload: Payload) -> Payload: ...

    @abstractmethod
    async def request_boot(self) -> dict[str, Any]:
        """Ask the charger to send a BootNotification (TriggerMessage); returns its answer."""

    def before_call(self, action: str, request: Payload) -> None:  # noqa: B027 - optional hook
        """Note a call about to be sent (its answer, or what follows it, may arrive at once)."""

    def record_answer(self, action: str, request: Payload, answer: Payload) -> None:
        """Learn from the charger's answer to one of our calls (through the version's `recorders`)."""
        recorder = self.recorders.get(action)
        if recorder is not None:
            recorder(self.state, self.station_id, request, answer)

    def close(self) -> None:
        """The connection is gone: stop what the adapter runs in the background."""
        if self._boot_read is not None:
            self._boot_read.cancel()

    # ---- shared by the versions ----------------------------------------------

    def _read_after_boot(self, read: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Start this boot's read of the charger (its configuration, its inventory), ending the last one's."""
        if self._boot_read is not None:
            self._boot_read.cancel()
        self._boot_read = task = asyncio.create_task(read())
        task.add_done_callback(self._boot_read_done)

    def _boot_read_done(self, task: asyncio.Task[None]) -> None:
        """A finished read is not kept (a done task per idle charger, ~600 bytes)."""
        if self._boot_read is task:
            self._boot_read = None

    def on_heartbeat(self, payload: Payload) -> Payload:
        self.state.activity.record_heartbeat(self.station_id)
        return {"currentTime": format_timestamp(utcnow())}

    def on_data_transfer(self, payload: Payload) -> Payload:
        self.state.events.emit(Event(EventType.DATA_TRANSFER, self.station_id, data=dict(payload)))
        # No vendor extension is known to us: the answer the spec gives for that.
        return {"status": "UnknownVendorId"}

    def _log(
        self,
        level: int,
        message: str,
        *args: object,
        exc_info: BaseException | None = None,
        logger: logging.Logger = _LOGGER,
    ) -> None:
        """A line about this station (`message` starts with its id), rate-limited per station (loglimit.py)."""
        self.state.logs.log(logger, level, self.station_id, message, self.station_id, *args, exc_info=exc_info)

    def _registration(self, payload: Payload) -> str:
        """What to answer this BootNotification (see the module's docstring)."""
        policy = self.config.boot_policy
        if policy is None:
            return RegistrationStatus.ACCEPTED
        try:
            decided = policy(self.station_id, dict(payload))
        except Exception as err:  # noqa: BLE001 - the policy is the integration's: any bug of it answers Pending
            self._log(logging.ERROR, "%s: the boot policy failed; answering Pending", exc_info=err)
            return RegistrationStatus.PENDING
        if not isinstance(decided, str) or decided not in _REGISTRATION_STATUSES:
            self._log(logging.WARNING, "%s: the boot policy answered %r; answering Pending", decided)
            return RegistrationStatus.PENDING
        station = self.state.stations.get(self.station_id)
        if (
            decided == RegistrationStatus.PENDING
            and station is not None
            and station.registration_status == RegistrationStatus.ACCEPTED
        ):
            return RegistrationStatus.ACCEPTED  # accepted by the user before
        return str(decided)

    def _expire_reservations(self) -> None:
        if utcnow() >= self.state.reservations.deadlines[self.station_id]:
            self.state.reservations.expire(self.station_id)
