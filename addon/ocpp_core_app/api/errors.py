"""The API's errors: JSON {"error": code, "message": …} with the HTTP status that says what went wrong."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..central_import import csms

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """An error answer; `extra` goes into the body too (e.g. the charger's answer)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def error_response(status: int, code: str, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": code, "message": message, **extra}, status=status)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def _charger_error(err: Exception) -> ApiError | None:
    """What the central system raises for a command, as an API error (None: not one of those)."""
    if isinstance(err, csms.NotConnected):
        return ApiError(503, "offline", f"charger {err} is not connected")
    if isinstance(err, csms.CallTimeout):
        return ApiError(504, "timeout", str(err))
    if isinstance(err, csms.CallError):
        answer = {"code": err.code, "description": err.description, "details": err.details}
        return ApiError(502, "call_error", str(err), answer=answer)
    if isinstance(err, csms.FieldRequires):  # the same check as the HA service's, its message with its names
        return ApiError(400, "field_requires", str(err), field=err.field, requires=err.requires)
    if isinstance(err, csms.InvalidArgument):
        return ApiError(400, "bad_request", str(err))
    if isinstance(err, csms.InvalidCall):
        return ApiError(400, "invalid_call", str(err))
    if isinstance(err, csms.UnsupportedVersion):
        return ApiError(400, "unsupported_version", str(err))
    if isinstance(err, csms.InvalidLimit):  # (its own code: the integration's limit entities name it)
        return ApiError(400, "invalid_limit", str(err))
    if isinstance(err, csms.TagRefused):  # a remote start with a tag the central system would refuse: not sent
        return ApiError(409, "tag_refused", str(err), id_tag=err.id_tag, tag_status=err.status)
    if isinstance(err, csms.InvalidSettings):
        return ApiError(400, "bad_request", str(err))
    return None


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure as JSON; nothing but a bug gives a 500 (the web UI beside the API answers in HTML)."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as err:
        return error_response(err.status, err.code, err.message, **err.extra)
    except web.HTTPException as err:
        if err.status < 400:
            raise
        code = "not_found" if err.status == 404 else "method_not_allowed" if err.status == 405 else "http_error"
        return error_response(err.status, code, err.reason)
    except Exception as err:  # mapped, or re-raised (a 500)
        mapped = _charger_error(err)
        if mapped is None:
            raise
        return error_response(mapped.status, mapped.code, mapped.message, **mapped.extra)
