"""A repair issue when a charger refuses (or never answers) a load-management limit.

The issue quotes the charger's answer, so the user sees why (a reasonCode, a CALLERROR,
a timeout).  It goes away by itself when a later limit for the same charger / EVSE is
accepted, or the limit is removed.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import callback

from ..csms import Event, EventType, LimitStatus
from .charger_issues import LIMIT_REJECTED, ChargerRepairs, charger_issue_id

_REFUSED = frozenset({LimitStatus.REJECTED, LimitStatus.FAILED})
_SETTLED = frozenset({LimitStatus.ACCEPTED, LimitStatus.OVERRIDDEN})  # overridden: accepted, another profile wins


def issue_id(entry_id: str, station_id: str, evse_id: int) -> str:
    return charger_issue_id(LIMIT_REJECTED, entry_id, station_id, evse_id)


def describe_answer(answer: dict[str, Any] | None) -> str:
    """The charger's answer in one line: 'Rejected (reasonCode: additional info)' or 'error: description'."""
    if not answer:
        return "no answer"
    if "error" in answer:
        description = str(answer.get("description") or "").strip()
        return f"{answer['error']}: {description}" if description else str(answer["error"])
    text = str(answer.get("status", "?"))
    info = answer.get("statusInfo")
    if isinstance(info, dict) and info.get("reasonCode"):
        detail = str(info["reasonCode"])
        if info.get("additionalInfo"):
            detail += f": {info['additionalInfo']}"
        text += f" ({detail})"
    return text


class LimitRepairs(ChargerRepairs):
    """Raises and clears the limit issues of one config entry (subscribed to its central system's events)."""

    KIND = LIMIT_REJECTED
    EVENTS = (EventType.LIMIT,)  # what `handle` is subscribed to

    @callback
    def handle(self, event: Event) -> None:
        data = event.data
        evse_id = int(data.get("evse_id", event.connector_id or 0))
        status = data.get("status")
        if data.get("cleared") or status in _SETTLED:
            self._issues.clear(event.station_id, evse_id)
        elif status in _REFUSED:
            self._issues.raise_issue(
                event.station_id,
                "charger_limit_rejected" if evse_id == 0 else "limit_rejected",
                {
                    "charger": event.station_id,
                    "connector": str(evse_id),
                    "limit": f"{float(data.get('amps', 0)):g} A",
                    "answer": describe_answer(data.get("answer")),
                },
                evse_id,
            )
