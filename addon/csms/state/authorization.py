"""Who may charge: the decision on an id token, and how each OCPP version answers it.

One decision serves the three places a charger asks (1.6 Authorize and
StartTransaction, 2.x Authorize and TransactionEvent), so a Blocked or Expired
tag is refused at all of them alike:

- token type NoAuthorization (2.x): nothing to check, Accepted;
- a remote-start-only tag (Home Assistant's own): Accepted only at the charger a
  remote start with it was asked of shortly before (and for the session it
  started), never when someone presents it at a charger;
- a known tag: its status (an Accepted tag past its expiry date is Expired),
  NotAtThisLocation (1.6: Invalid) at a charger it is not allowed at, and its
  parent id as 1.6 parentIdTag / 2.x groupIdToken;
- an unknown tag: Accepted or Invalid, as the policy says;
- an Accepted tag already in a session elsewhere: ConcurrentTx, when the policy
  refuses that (another charger at Authorize; another connector or charger at a
  start, since a charger may send Authorize for the tag that is to stop its session).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..model.events import Event, EventType
from ..model.station import Station
from ..rpc.timeutil import format_timestamp, utcnow
from .tags import ACCEPTED, INVALID, MAX_ID_LENGTH_V16, TagBook, tag_key

# no PKI (no OCSP responder, no contract certificate validation) is configured yet: a contract
# certificate, or its OCSP data, cannot be checked, so it is not available for authorisation
NO_PKI_CERTIFICATE_STATUS = "NoCertificateAvailable"
NO_AUTHORIZATION = "NoAuthorization"
CONCURRENT_TX = "ConcurrentTx"
NOT_AT_THIS_LOCATION = "NotAtThisLocation"
# how long after a remote start its tag is expected at that charger (a 1.6 charger waits for the
# cable up to its ConnectionTimeOut before it sends StartTransaction)
REMOTE_START_WINDOW = 600.0
_V16_STATUSES = frozenset({ACCEPTED, "Blocked", "Expired", INVALID, CONCURRENT_TX})


class TagRefused(Exception):
    """A remote start with a tag the central system would refuse at its start: nothing was sent."""

    def __init__(self, station_id: str, id_tag: str, status: str) -> None:
        super().__init__(f"{station_id}: a remote start with {id_tag} would be refused ({status})")
        self.station_id = station_id
        self.id_tag = id_tag
        self.status = status


@dataclass(slots=True, frozen=True)
class TokenDecision:
    status: str = ACCEPTED
    group_id_token: str | None = None
    group_id_token_type: str = "Central"
    cache_expiry: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


@dataclass(slots=True)
class TagPolicy:
    # the library answers every unknown token Accepted unless told otherwise (Home Assistant's
    # option defaults to refusing them)
    accept_unknown: bool = True
    refuse_concurrent: bool = False


class Authorization:
    """The tag book, the policy and the remote starts lately asked for."""

    def __init__(self, stations: Mapping[str, Station]) -> None:
        self.tags = TagBook()
        self.policy = TagPolicy()
        self.remote_start_window = REMOTE_START_WINDOW
        self._stations = stations
        self._remote_only: frozenset[str] = frozenset()
        # (station id, tag key) -> the monotonic deadlines of the remote starts asked for (one per start)
        self._expected: dict[tuple[str, str], list[float]] = {}
        # (station id, transaction id) of sessions a remote-start-only tag opened
        self._remote_sessions: set[tuple[str, str]] = set()

    def set_remote_only(self, id_tags: Iterable[str]) -> None:
        """Tags that are only ever accepted for the remote starts asked with them."""
        self._remote_only = frozenset(tag_key(id_tag) for id_tag in id_tags if id_tag.strip())

    def expect_remote_start(self, station_id: str, id_tag: str) -> None:
        """A remote start with this tag is being asked of this charger."""
        self._expected.setdefault((station_id, tag_key(id_tag)), []).append(time.monotonic() + self.remote_start_window)

    def check_remote_start(self, station_id: str, id_tag: str, connector_id: int | None, max_length: int) -> None:
        """A remote start with this tag is about to be asked: TagRefused when its start would be refused
        (the charger would start, be told the tag is not accepted and stop at once: a 0 Wh session).
        A tag too long for the version is left to the schema check, which refuses the request as such."""
        self.expect_remote_start(station_id, id_tag)
        if len(id_tag) > max_length:
            return
        decision = self.decide(station_id, id_tag, connector_id=connector_id)
        if not decision.accepted:
            self.remote_start_refused(station_id, id_tag)
            raise TagRefused(station_id, id_tag, decision.status)

    def remote_start_refused(self, station_id: str, id_tag: str) -> None:
        """The charger said no: the start asked last is not coming."""
        self._use_remote_start(station_id, tag_key(id_tag), newest=True)

    def _remote_start_expected(self, station_id: str, key: str) -> bool:
        deadlines = self._expected.get((station_id, key))
        if deadlines is None:
            return False
        now = time.monotonic()
        deadlines[:] = [deadline for deadline in deadlines if deadline >= now]
        if not deadlines:
            del self._expected[(station_id, key)]
            return False
        return True

    def _use_remote_start(self, station_id: str, key: str, newest: bool = False) -> None:
        deadlines = self._expected.get((station_id, key))
        if deadlines:
            deadlines.pop(-1 if newest else 0)
        if not deadlines:
            self._expected.pop((station_id, key), None)

    # ---- the decision ------------------------------------------------------------------

    def decide(
        self,
        station_id: str,
        id_token: str,
        token_type: str | None = None,
        *,
        starting: bool = False,
        connector_id: int | None = None,
        transaction_id: str | None = None,
    ) -> TokenDecision:
        """Whether this token may charge here.

        `starting`: a session starts with it (1.6 StartTransaction, 2.x TransactionEvent): a remote
        start it answers is used up.  `connector_id` / `transaction_id`: where it is asked, so its own
        session does not count as one elsewhere.
        """
        if token_type == NO_AUTHORIZATION:
            return TokenDecision()
        key = tag_key(id_token)
        if key in self._remote_only:
            return self._remote_only_decision(station_id, key, starting, transaction_id)
        record = self.tags.get(id_token)
        if record is None:
            decision = TokenDecision() if self.policy.accept_unknown else TokenDecision(INVALID)
        else:
            status = record.status_at(utcnow())
            if status == ACCEPTED and not record.allowed_at(station_id):
                status = NOT_AT_THIS_LOCATION
            decision = TokenDecision(status, group_id_token=record.parent_id, cache_expiry=record.expiry)
        if (
            decision.accepted
            and self.policy.refuse_concurrent
            and self._in_session_elsewhere(key, station_id, connector_id, transaction_id)
        ):
            return TokenDecision(CONCURRENT_TX, decision.group_id_token, cache_expiry=decision.cache_expiry)
        return decision

    def decide_stop(self, station_id: str, id_tag: str, session_tag: str | None) -> TokenDecision:
        """1.6 StopTransaction's idTagInfo: ending one's own session is fine, even with a remote-only tag."""
        if session_tag is not None and tag_key(session_tag) == tag_key(id_tag) and tag_key(id_tag) in self._remote_only:
            return TokenDecision()
        return self.decide(station_id, id_tag)

    def _remote_only_decision(
        self, station_id: str, key: str, starting: bool, transaction_id: str | None
    ) -> TokenDecision:
        if transaction_id is not None and (station_id, transaction_id) in self._remote_sessions:
            return TokenDecision()
        if not self._remote_start_expected(station_id, key):
            return TokenDecision(INVALID)
        if starting:
            self._use_remote_start(station_id, key)
            if transaction_id is not None:
                self._remote_sessions.add((station_id, transaction_id))
        return TokenDecision()

    def session_ended(self, station_id: str, transaction_id: str) -> None:
        self._remote_sessions.discard((station_id, transaction_id))

    def _in_session_elsewhere(
        self, key: str, station_id: str, connector_id: int | None, transaction_id: str | None
    ) -> bool:
        for other_id, station in self._stations.items():
            for connector in station.connectors.values():
                tx = connector.transaction
                if tx is None or tx.id_tag is None or tag_key(tx.id_tag) != key:
                    continue
                if other_id != station_id:
                    return True
                if transaction_id is not None and tx.transaction_id == transaction_id:
                    continue
                if connector_id is not None and connector.connector_id != connector_id:
                    return True
        return False


# ---- answers in each version's form --------------------------------------------------------


def id_tag_info_v16(decision: TokenDecision) -> dict[str, Any]:
    """IdTagInfo (1.6); statuses 1.6 does not have answer Invalid."""
    info: dict[str, Any] = {"status": decision.status if decision.status in _V16_STATUSES else INVALID}
    if decision.cache_expiry is not None:
        info["expiryDate"] = format_timestamp(decision.cache_expiry)
    if decision.group_id_token is not None and len(decision.group_id_token) <= MAX_ID_LENGTH_V16:
        info["parentIdTag"] = decision.group_id_token
    return info


def id_token_info_v2(decision: TokenDecision) -> dict[str, Any]:
    """IdTokenInfoType (2.0.1 / 2.1)."""
    info: dict[str, Any] = {"status": decision.status}
    if decision.cache_expiry is not None:
        info["cacheExpiryDateTime"] = format_timestamp(decision.cache_expiry)
    if decision.group_id_token is not None:
        info["groupIdToken"] = {"idToken": decision.group_id_token, "type": decision.group_id_token_type}
    return info


def refusal_event(station_id: str, action: str, id_tag: str, status: str, **data: Any) -> Event:
    """A session refused for its tag, told as an AUTHORIZE event (Home Assistant: tag presented)."""
    return Event(EventType.AUTHORIZE, station_id, data={"id_tag": id_tag, "status": status, "action": action, **data})
