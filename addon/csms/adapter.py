"""What every OCPP version adapter offers the central system, and the registration rules they share.

Registration: each BootNotification is answered as `CentralSystemConfig.boot_policy`
decides (no policy: Accepted).  A station the user accepted before stays
Accepted when the policy answers Pending; Rejected always applies.  Messages
from a station that is not Accepted are answered anyway (logged once).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

from .config import CentralSystemConfig
from .features.charger import Charger
from .model.station import RegistrationStatus
from .rpc.endpoint import Handler, Payload
from .rpc.timeutil import utcnow
from .state.central_state import CentralState

_LOGGER = logging.getLogger(__name__)

CallFn = Callable[[str, Payload], Awaitable[Payload]]

_REGISTRATION_STATUSES = frozenset(RegistrationStatus)
_NOT_ACCEPTED = (RegistrationStatus.PENDING, RegistrationStatus.REJECTED)


class VersionAdapter(ABC):
    """Translates one OCPP version's messages to and from the domain model."""

    # the charger's version-neutral commands (features/charger.py), set by each version
    charger: Charger

    def __init__(self, station_id: str, state: CentralState, call: CallFn, config: CentralSystemConfig) -> None:
        self.station_id = station_id
        self.state = state
        self.call = call
        self.config = config
        # charger-initiated action -> its handler (filled by each version)
        self._handlers: dict[str, Handler] = {}

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
    async def request_boot(self) -> dict[str, Any]:
        """Ask the charger to send a BootNotification (TriggerMessage); returns its answer."""

    def before_call(self, action: str, request: Payload) -> None:  # noqa: B027 - optional hook
        """Note a call about to be sent (its answer, or what follows it, may arrive at once)."""

    def record_answer(self, action: str, request: Payload, answer: Payload) -> None:  # noqa: B027 - optional hook
        """Learn from the charger's answer to one of our calls (nothing by default)."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """The connection is gone: stop what the adapter runs in the background."""

    # ---- shared by the versions ----------------------------------------------

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
