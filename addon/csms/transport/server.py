"""The WebSocket side: who may connect, which OCPP version, one session per charger."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from urllib.parse import unquote

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from ..config import CentralSystemConfig
from ..rpc.framelog import redact_secrets
from ..rpc.loglimit import LogLimiter
from ..rpc.types import OcppVersion
from .admission import AuthResult, PasswordCheck
from .fastrecv import FastReceiveConnection
from .handshake_failures import FailedHandshakes
from .keepalive import Keepalive
from .throttle import Blocked, Throttles
from .tls import common_name, server_context, thumbprint_matches

_LOGGER = logging.getLogger(__name__)
_WS_LOGGER = logging.getLogger("websockets.server")
AUTHENTICATE = 'Basic realm="OCPP", charset="UTF-8"'


class _HideSecrets(logging.Filter):
    """websockets logs every request header and (cut short) every frame at debug level: never the
    Authorization header, nor a frame naming a password or key.  (Runs only when debug logging is on.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple):
            return True
        if len(args) == 2 and str(args[0]).lower() == "authorization":
            record.args = (args[0], "<redacted>")
        elif len(args) == 1 and isinstance(args[0], Frame) and args[0].opcode is Opcode.TEXT:
            text = bytes(args[0].data).decode(errors="replace")
            if redact_secrets(text) != text:
                record.args = (f"TEXT naming a secret, redacted [{len(args[0].data)} bytes]",)
        return True


_WS_LOGGER.addFilter(_HideSecrets())
_WS_LOGGER.addFilter(FailedHandshakes())

MAX_ID_LENGTH = 48
SUPPORTED_SUBPROTOCOLS = tuple(v.value for v in OcppVersion)


def _address(connection: ServerConnection) -> str:
    """The peer's IP address (the port changes with every attempt)."""
    remote = connection.remote_address
    return str(remote[0]) if isinstance(remote, tuple) and remote else str(remote)


def _too_many(connection: ServerConnection, why: str, retry_after: float) -> Response:
    response = connection.respond(HTTPStatus.TOO_MANY_REQUESTS, f"{why}\n")
    response.headers["Retry-After"] = str(max(int(retry_after + 0.999), 1))
    return response


class InvalidChargePointId(ValueError):
    """The URL does not carry a usable charge point id."""


def charge_point_id_from_path(path: str) -> str:
    """The charge point id: the last path segment, percent-decoded and checked."""
    segment = path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    try:
        cp_id = unquote(segment, errors="strict")
    except UnicodeDecodeError as err:
        raise InvalidChargePointId("charge point id is not valid UTF-8") from err
    if not cp_id:
        raise InvalidChargePointId("charge point id missing: connect to ws://host:port/<charge point id>")
    if len(cp_id) > MAX_ID_LENGTH:
        raise InvalidChargePointId(f"charge point id longer than {MAX_ID_LENGTH} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in cp_id):
        raise InvalidChargePointId("charge point id contains control characters")
    return cp_id


def choose_subprotocol(offered: Sequence[str], supported: Sequence[str] = SUPPORTED_SUBPROTOCOLS) -> str | None:
    """The first OCPP version in the charger's order of preference that we speak."""
    for protocol in offered:
        if protocol in supported:
            return protocol
    return None


ConnectionHandler = Callable[[str, OcppVersion, ServerConnection], Awaitable[None]]


class OcppServer:
    """Accepts chargers and hands each connection to `on_connection`."""

    def __init__(
        self,
        config: CentralSystemConfig,
        on_connection: ConnectionHandler,
        versions: Sequence[OcppVersion],
        credentials: PasswordCheck | None = None,
        throttles: Throttles | None = None,
        room_for: Callable[[str], bool] | None = None,
    ) -> None:
        self._config = config
        self._subprotocols = tuple(v.value for v in versions)
        self._on_connection = on_connection
        self._credentials = credentials
        self.throttles = throttles or Throttles(config)
        self._refused = self.throttles.refused
        # lines per address or charger id (a refused peer retries as often as it likes)
        self._logs = LogLimiter()
        # is there room for this charger id (False: a new one beyond the cap, see retention.py)
        self._room_for = room_for
        self._server: Server | None = None
        self._keepalive: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The port actually listened on (useful with port 0)."""
        assert self._server is not None
        return int(next(iter(self._server.sockets)).getsockname()[1])

    async def _tls_context(self) -> ssl.SSLContext | None:
        """Profiles 2 and 3 (read in a worker thread: loading files blocks); TlsSetupError when unusable."""
        config = self._config
        if config.security_profile < 2:
            return None
        if not config.certfile:
            raise ValueError(f"security profile {config.security_profile} needs a certificate file")
        cafile = config.cafile if config.security_profile == 3 else None
        if config.security_profile == 3 and not cafile:
            raise ValueError("security profile 3 needs the CA file of the chargers' certificates")
        return await asyncio.to_thread(server_context, config.certfile, config.keyfile, cafile)

    async def start(self) -> None:
        if self._config.security_profile in (1, 2) and self._credentials is None:
            raise ValueError("security profiles 1 and 2 need the charger passwords (a CredentialStore)")
        self._server = await serve(
            self._handle,
            self._config.host,
            self._config.port,
            process_request=self._check_request,
            select_subprotocol=self._select_subprotocol,
            subprotocols=None,
            compression=None,
            ping_interval=None,  # one keepalive for all connections (keepalive.py), not a task per connection
            close_timeout=self._config.close_timeout,
            max_size=self._config.max_frame_size,
            server_header="ocpp-core",
            ssl=await self._tls_context(),
            logger=_WS_LOGGER,
            create_connection=FastReceiveConnection,  # the common frame read without websockets' parser
        )
        server = self._server
        if self._config.ping_interval is not None:
            keepalive = Keepalive(self._config.ping_interval, self._config.ping_timeout, lambda: server.connections)
            self._keepalive = asyncio.create_task(keepalive.run(), name="ocpp-keepalive")
        _LOGGER.info(
            "OCPP central system listening on %s:%s (security profile %d)",
            self._config.host,
            self.port,
            self._config.security_profile,
        )

    async def stop(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()
            self._keepalive = None
        if self._server is not None:
            self._server.close(close_connections=True)
            await self._server.wait_closed()
            self._server = None

    async def _check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Refuse, before the WebSocket upgrade: bad ids (400), addresses refused too often and chargers
        closed for flooding (429), chargers not admitted or whose certificate names another charger (403),
        missing, wrong or repeated passwords (401)."""
        remote = _address(connection)
        retry_after = self._refused.retry_after(remote)
        if retry_after is not None:
            _LOGGER.debug("Refused a connection from %s: too many refused attempts", remote)
            return _too_many(connection, "too many refused attempts", retry_after)
        try:
            cp_id = charge_point_id_from_path(request.path)
        except InvalidChargePointId as err:
            self._logs.log(_LOGGER, logging.WARNING, remote, "Refused a connection from %s: %s", remote, err)
            self._refused.record(remote)
            return connection.respond(HTTPStatus.BAD_REQUEST, f"{err}\n")
        retry_after = self.throttles.flood_retry_after(cp_id, remote)
        if retry_after is not None:
            _LOGGER.debug("Refused %s from %s: closed for flooding, %.0f s to wait", cp_id, remote, retry_after)
            return _too_many(connection, "closed for sending too much; reconnect later", retry_after)
        admission = self._config.admission
        if admission is not None and not admission(cp_id):
            self._refuse(cp_id, remote, AuthResult.NOT_ADMITTED)
            return connection.respond(HTTPStatus.FORBIDDEN, "charger not admitted\n")
        profile = self._config.security_profile
        if profile == 3:
            ssl_object = connection.transport.get_extra_info("ssl_object")
            peer = ssl_object.getpeercert() if isinstance(ssl_object, ssl.SSLObject) else None
            if common_name(peer) != cp_id:
                self._refuse(cp_id, remote, AuthResult.CERTIFICATE)
                return connection.respond(HTTPStatus.FORBIDDEN, "certificate does not name this charger\n")
            pinned = self._config.certificate_pin(cp_id) if self._config.certificate_pin is not None else None
            if pinned is not None:
                der = ssl_object.getpeercert(binary_form=True) if isinstance(ssl_object, ssl.SSLObject) else None
                if not thumbprint_matches(der, pinned):
                    self._refuse(cp_id, remote, AuthResult.CERTIFICATE)
                    return connection.respond(
                        HTTPStatus.FORBIDDEN, "certificate is not the one pinned for this charger\n"
                    )
        elif profile in (1, 2) and self._credentials is not None:
            refused = await self._check_password(connection, request, cp_id, remote)
            if refused is not None:
                return refused
        if self._room_for is not None and not self._room_for(cp_id):
            self._refused.record(remote)
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "too many chargers known\n")
        if profile and self._credentials is not None:
            self._credentials.succeeded(cp_id, remote)
        return None

    async def _check_password(
        self, connection: ServerConnection, request: Request, cp_id: str, remote: str
    ) -> Response | None:
        """HTTP Basic: None when the password is right.  Counted against the address when the check
        starts (see FailureLimiter.attempt): concurrent guesses are not all checked."""
        assert self._credentials is not None
        headers = request.headers.get_all("Authorization")
        try:
            async with self._refused.attempt(remote):
                if len(headers) > 1:  # which would we check?  Refused, and counted as a guess
                    result = AuthResult.MALFORMED
                else:
                    result = await self._credentials.check(cp_id, headers[0] if headers else None)
                if result is not AuthResult.OK:
                    self._refuse(cp_id, remote, result)
        except Blocked as blocked:
            _LOGGER.debug("Refused a connection from %s: too many refused attempts", remote)
            return _too_many(connection, "too many refused attempts", blocked.retry_after)
        if result is AuthResult.OK:
            return None
        response = connection.respond(HTTPStatus.UNAUTHORIZED, "authentication required\n")
        response.headers["WWW-Authenticate"] = AUTHENTICATE
        return response

    def _refuse(self, cp_id: str, remote: str, reason: AuthResult) -> None:
        """Count a refusal against the address (a charger sending no password guesses nothing) and the charger."""
        if reason is not AuthResult.MISSING:
            self._refused.record(remote)
        if self._credentials is not None:
            self._credentials.failed(cp_id, remote, reason)
        else:
            self._logs.log(
                _LOGGER,
                logging.INFO,
                cp_id,
                "Refused charger %s from %s: %s",
                cp_id,
                remote,
                reason.value.replace("_", " "),
            )

    def _select_subprotocol(self, connection: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
        chosen = choose_subprotocol(offered, self._subprotocols)
        return Subprotocol(chosen) if chosen is not None else None

    async def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        cp_id = charge_point_id_from_path(connection.request.path)
        if connection.subprotocol is None:
            offered = ", ".join(connection.request.headers.get_all("Sec-WebSocket-Protocol"))
            self._logs.log(
                _LOGGER,
                logging.WARNING,
                cp_id,
                "%s offered no OCPP version we speak (%s); treating it as OCPP 1.6",
                cp_id,
                offered or "none",
            )
            version = OcppVersion.V16
        else:
            version = OcppVersion(connection.subprotocol)
        # the handshake's headers are never read again: they held ~4 KiB per connection for as long as it lasts
        # (issue 15: a thousand idle chargers in < 100 MiB); emptied in place, as websockets' parser keeps the
        # request too (and takes a connection whose request is None for one whose handshake is still to come)
        connection.request.headers.clear()
        if connection.response is not None:
            connection.response.headers.clear()
        with contextlib.suppress(ConnectionClosed):
            await self._on_connection(cp_id, version, connection)
