"""The WebSocket side: who may connect, which OCPP version, one session per charger."""

from __future__ import annotations

import contextlib
import logging
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from urllib.parse import unquote

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from .config import CentralSystemConfig
from .rpc_types import OcppVersion

_LOGGER = logging.getLogger(__name__)

MAX_ID_LENGTH = 48
SUPPORTED_SUBPROTOCOLS = tuple(v.value for v in OcppVersion)


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
        self, config: CentralSystemConfig, on_connection: ConnectionHandler, versions: Sequence[OcppVersion]
    ) -> None:
        self._config = config
        self._subprotocols = tuple(v.value for v in versions)
        self._on_connection = on_connection
        self._server: Server | None = None

    @property
    def port(self) -> int:
        """The port actually listened on (useful with port 0)."""
        assert self._server is not None
        return int(next(iter(self._server.sockets)).getsockname()[1])

    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            self._config.host,
            self._config.port,
            process_request=self._check_request,
            select_subprotocol=self._select_subprotocol,
            subprotocols=None,
            compression=None,
            ping_interval=self._config.ping_interval,
            ping_timeout=self._config.ping_timeout,
            close_timeout=self._config.close_timeout,
            max_size=self._config.max_frame_size,
            server_header="ocpp-core",
        )
        _LOGGER.info("OCPP central system listening on %s:%s", self._config.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close(close_connections=True)
            await self._server.wait_closed()
            self._server = None

    def _check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        try:
            cp_id = charge_point_id_from_path(request.path)
        except InvalidChargePointId as err:
            _LOGGER.warning("Refused a connection from %s: %s", connection.remote_address, err)
            return connection.respond(HTTPStatus.BAD_REQUEST, f"{err}\n")
        admission = self._config.admission
        if admission is not None and not admission(cp_id):
            _LOGGER.info("Refused charger %s from %s: not admitted", cp_id, connection.remote_address)
            return connection.respond(HTTPStatus.FORBIDDEN, "charger not admitted\n")
        return None

    def _select_subprotocol(self, connection: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
        chosen = choose_subprotocol(offered, self._subprotocols)
        return Subprotocol(chosen) if chosen is not None else None

    async def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        cp_id = charge_point_id_from_path(connection.request.path)
        if connection.subprotocol is None:
            offered = connection.request.headers.get("Sec-WebSocket-Protocol")
            _LOGGER.warning(
                "%s offered no OCPP version we speak (%s); treating it as OCPP 1.6", cp_id, offered or "none"
            )
            version = OcppVersion.V16
        else:
            version = OcppVersion(connection.subprotocol)
        with contextlib.suppress(ConnectionClosed):
            await self._on_connection(cp_id, version, connection)
