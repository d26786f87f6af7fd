"""A repair issue when a charger keeps failing authentication (security profiles 1-3).

One refusal is often a charger retrying with an old password a moment before
it learns the new one; several in a row mean it is misconfigured (or someone
guesses).  The issue names the charger, the address it comes from and how it
fails; it goes away by itself once the charger gets in.  Refusals because of
the unknown-charger policy "reject" are what the user asked for: no issue.
"""

from __future__ import annotations

from homeassistant.core import callback

from ..csms import Event, EventType
from .charger_issues import AUTH_FAILED, ChargerRepairs, charger_issue_id

# refusals in a row before the user is told
FAILURES_BEFORE_ISSUE = 5
_CERTIFICATE = "certificate_mismatch"
_NOT_ADMITTED = "not_admitted"


def issue_id(entry_id: str, station_id: str) -> str:
    return charger_issue_id(AUTH_FAILED, entry_id, station_id)


class AuthRepairs(ChargerRepairs):
    """Raises and clears the authentication issues of one config entry."""

    KIND = AUTH_FAILED
    EVENTS = (EventType.AUTHENTICATION,)  # what `handle` is subscribed to

    @callback
    def handle(self, event: Event) -> None:
        data = event.data
        if data.get("ok"):
            self._issues.clear(event.station_id)
            return
        reason = data.get("reason")
        if reason == _NOT_ADMITTED or int(data.get("failures", 0)) < FAILURES_BEFORE_ISSUE:
            return
        self._issues.raise_issue(
            event.station_id,
            "auth_failed_certificate" if reason == _CERTIFICATE else "auth_failed_password",
            {
                "charger": event.station_id,
                "address": str(data.get("remote", "?")),
                "failures": str(data.get("failures", FAILURES_BEFORE_ISSUE)),
            },
        )
