"""What a call of the add-on's API can end in, as exceptions, and which error answer raises which (no Home Assistant
imports: tested alone)."""

from __future__ import annotations

from typing import Any


class AddonError(Exception):
    """Any failure of a call to the add-on; `code` is the API's error code (docs/addon_api.md) when it gave one."""

    def __init__(self, message: str, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class AddonUnreachable(AddonError):
    """The add-on did not answer (not running, wrong host or port, the connection dropped)."""


class AuthFailed(AddonError):
    """The token was refused (401), or too many wrong ones came from here (429): reauthenticate."""


class RequestRefused(AddonError):
    """The add-on refused the request itself: a bad or unknown field, no such charger or tag, a conflict;
    `body` is its whole answer (e.g. the tag and the detail of a tag error); `details` what it said beside the
    code and message (`tag_refused`: the id_tag and its tag_status)."""

    def __init__(
        self, message: str, code: str | None = None, status: int | None = None, body: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, code, status)
        self.body = body or {}

    @property
    def details(self) -> dict[str, Any]:
        return {key: value for key, value in self.body.items() if key not in ("error", "message")}


class AddonOutdated(AddonError):
    """The add-on has not got the route asked for (404 for a path it does not know, 405 for a method it does
    not take there): it is older than this integration and must be updated; `request` what it was asked."""

    def __init__(self, request: str, code: str | None = None, status: int | None = None) -> None:
        super().__init__(f"the add-on has no {request or 'such request'} (it answered {status})", code, status)
        self.request = request


class ChargerOffline(AddonError):
    """The charger is not connected to the add-on's central system."""


class ChargerRefused(AddonError):
    """The charger said no (or answered with a CALLERROR): its answer in `answer`."""

    def __init__(self, message: str, answer: Any, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message, code, status)
        self.answer = answer


class CommandTimeout(AddonError):
    """The charger (or the add-on) did not answer in time."""


class CursorExpired(AddonError):
    """The event stream cannot continue from the cursor: read the snapshot again, then stream from its seq."""


# the codes of an add-on's 404 and 405 for a route it has not got (api/errors.py; None: not even a JSON answer)
_NO_ROUTE = frozenset({None, "not_found", "method_not_allowed"})


def raise_for(status: int, body: Any, request: str = "") -> None:
    """The exception an error answer of the API stands for (docs/addon_api.md: its status and error code);
    `request` ("PUT /options") names what an add-on without it was asked."""
    body = body if isinstance(body, dict) else {}
    code = body.get("error")
    message = str(body.get("message") or f"the add-on answered {status}")
    if status in (404, 405) and code in _NO_ROUTE:
        raise AddonOutdated(request, code, status)
    if status in (401, 429):
        raise AuthFailed(message, code, status)
    if status == 410:
        raise CursorExpired(message, code, status)
    if status == 503 and code == "offline":
        raise ChargerOffline(message, code, status)
    if status == 502 and code in ("refused", "call_error"):
        raise ChargerRefused(message, body.get("answer"), code, status)
    if status == 504:
        raise CommandTimeout(message, code, status)
    if 400 <= status < 500:
        raise RequestRefused(message, code, status, body)
    raise AddonUnreachable(message, code, status)
