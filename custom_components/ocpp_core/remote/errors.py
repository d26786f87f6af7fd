"""What a call of the add-on's API can end in, as exceptions (no Home Assistant imports: tested alone)."""

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
    `details` what its answer said beside the code and message (`tag_refused`: the id_tag and its tag_status)."""

    def __init__(
        self, message: str, code: str | None = None, status: int | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, code, status)
        self.details = details or {}


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
