"""Bearer-token authentication: constant-time compare, 401 with WWW-Authenticate, failed attempts throttled."""

from __future__ import annotations

import hmac
import time
from collections import OrderedDict

from aiohttp import web
from aiohttp.typedefs import Middleware

from .errors import Handler, error_response

# every route but these needs the token (the OpenAPI document describes the API, it discloses nothing)
PUBLIC_PATHS = frozenset({"/api/v1/openapi.json"})
# the API's paths (the web UI beside it authenticates its own way)
API_PATHS = "/api/"
REALM = 'Bearer realm="ocpp_core"'


class FailureThrottle:
    """Per address: after `limit` failed attempts within `window` s, every request is refused (429) until the
    window has passed since the last failure; bounded to `max_addresses` (the oldest forgotten first)."""

    def __init__(self, limit: int = 10, window: float = 60.0, max_addresses: int = 4096) -> None:
        self.limit, self.window, self.max_addresses = limit, window, max_addresses
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def blocked(self, address: str) -> bool:
        count, last = self._failures.get(address, (0, 0.0))
        if count and time.monotonic() - last > self.window:
            del self._failures[address]
            return False
        return count >= self.limit

    def failed(self, address: str) -> None:
        count, _ = self._failures.pop(address, (0, 0.0))
        self._failures[address] = (count + 1, time.monotonic())
        while len(self._failures) > self.max_addresses:
            self._failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)


def given_token(request: web.Request) -> str | None:
    """The bearer header's token, else (browsers cannot set headers on a WebSocket) the `token` query parameter."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query.get("token") or None


def auth_middleware(token: str, throttle: FailureThrottle) -> Middleware:
    expected = token.encode()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in PUBLIC_PATHS or not request.path.startswith(API_PATHS):
            return await handler(request)
        address = request.remote or "?"
        if throttle.blocked(address):
            return error_response(429, "too_many_failures", "too many failed attempts; try again later")
        given = given_token(request)
        if given is None or not hmac.compare_digest(given.encode(), expected):
            throttle.failed(address)
            response = error_response(
                401, "unauthorized", "a bearer token is needed" if given is None else "wrong token"
            )
            response.headers["WWW-Authenticate"] = REALM if given is None else REALM + ', error="invalid_token"'
            return response
        throttle.succeeded(address)
        return await handler(request)

    return middleware
