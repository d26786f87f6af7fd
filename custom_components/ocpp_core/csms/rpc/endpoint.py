"""OCPP-J RPC: framing, message-id correlation, timeouts and error replies.

One `RpcEndpoint` per charger connection.  It knows nothing about
WebSockets (it gets a `send` coroutine) nor about OCPP actions (it gets a
handler lookup).  Incoming CALLs are answered in the receive loop when the
handler is a plain function, and in a task of their own when it returns an
awaitable, so a slow handler — one that itself calls the charger — never
blocks the next frame.  Outgoing CALLs go one at a time, as OCPP requires;
the rest wait in line.

OCPP 2.1 adds two frames: SEND (6), a CALL that is handled but never answered
(not even with an error), and CALLRESULTERROR (5), with which either side says
it could not process an answer: the charger's is logged, and we send one when
the charger's answer to our CALL cannot be used.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from ..config import CentralSystemConfig
from .codec import dumps, loads
from .framelog import redact_secrets
from .loglimit import LogLimiter
from .types import (
    UNKNOWN_MESSAGE_ID,
    CallError,
    CallTimeout,
    ErrorKind,
    InvalidCall,
    MessageType,
    NotConnected,
    OcppError,
    OcppVersion,
    error_code,
)
from .validation import SchemaSet

_LOGGER = logging.getLogger(__name__)

Payload = dict[str, Any]
Handler = Callable[[Payload], Payload | Awaitable[Payload]]
HandlerLookup = Callable[[str], Handler | None]
Sender = Callable[[str], Awaitable[None]]

_INDEX = re.compile(r"\[\d+\]")


class LimitExceeded(Exception):
    """The charger broke one of the limits of CentralSystemConfig: its connection is to be closed."""


def _loggable(raw: str | bytes) -> str | bytes:
    """A frame as it may appear in a log: cut short, secrets redacted."""
    return redact_secrets(raw[:2000]) if isinstance(raw, str) else raw[:300]


def _retrieve(future: asyncio.Future[Any]) -> None:
    future.exception()


class _NotJson:
    """What `parse_frame` gives for a frame that is not JSON (None is valid JSON: null)."""


NOT_JSON = _NotJson()


def parse_frame(raw: str | bytes) -> Any:
    """The frame's JSON value, or NOT_JSON."""
    try:
        return loads(raw)
    except (ValueError, RecursionError):  # RecursionError: the stdlib parser on deeply nested input
        return NOT_JSON


class RpcEndpoint:
    """The OCPP-J RPC state of one charger connection."""

    def __init__(
        self,
        charge_point_id: str,
        version: OcppVersion,
        schemas: SchemaSet,
        send: Sender,
        handlers: HandlerLookup,
        config: CentralSystemConfig | None = None,
        logs: LogLimiter | None = None,
    ) -> None:
        self.charge_point_id = charge_point_id
        # every line a frame can cause is rate-limited per charger (shared across its connections)
        self._logs = logs or LogLimiter()
        self.version = version
        # shared with the central system, so option changes apply to connected chargers at once
        self.config = config or CentralSystemConfig()
        self._schemas = schemas
        self._send = send
        self._handlers = handlers
        self._call_lock = asyncio.Lock()
        self._pending_id: str | None = None
        self._pending_action = ""
        self._pending: asyncio.Future[Payload] | None = None
        # (a dict as the set of running handler tasks, and the quirks' set made when first needed: an empty set
        # takes 216 bytes, an empty dict 64)
        self._tasks: dict[asyncio.Task[None], None] = {}
        self._quirks_seen: set[str] | None = None
        self._closed = False

    # ---- receiving -------------------------------------------------------

    async def receive(self, raw: str | bytes, frame: Any = None) -> None:
        """Handle one WebSocket frame from the charger (`frame`: what `parse_frame` made of it, if done)."""
        if frame is None:
            frame = parse_frame(raw)
        if frame is NOT_JSON:
            await self._reply_error(UNKNOWN_MESSAGE_ID, ErrorKind.NOT_JSON, "Frame is not valid JSON", raw)
            return
        if not isinstance(frame, list) or len(frame) < 3 or not isinstance(frame[1], str):
            message_id = (
                frame[1]
                if isinstance(frame, list) and len(frame) > 1 and isinstance(frame[1], str)
                else UNKNOWN_MESSAGE_ID
            )
            await self._reply_error(message_id, ErrorKind.BAD_FRAME, "Frame is not an OCPP-J message array", raw)
            return
        message_type, message_id = frame[0], frame[1]
        if message_type == MessageType.CALL:
            await self._on_call(frame, raw, reply=True)
        elif message_type == MessageType.CALLRESULT:
            refused = self._on_result(frame)
            if refused is not None and self.version is OcppVersion.V21:
                # 2.1: tell the charger its answer could not be processed
                await self._send_frame([MessageType.CALLRESULTERROR, message_id, *refused, {}])
        elif message_type == MessageType.CALLERROR:
            self._on_error(frame)
        elif self.version is OcppVersion.V21 and message_type == MessageType.SEND:
            await self._on_call(frame, raw, reply=False)
        elif self.version is OcppVersion.V21 and message_type == MessageType.CALLRESULTERROR:
            self._on_result_error(frame)
        else:
            await self._reply_error(
                message_id, ErrorKind.UNKNOWN_MESSAGE_TYPE, f"Unknown message type {message_type!r}", raw
            )

    async def _on_call(self, frame: list[Any], raw: str | bytes, *, reply: bool) -> None:
        message_id = frame[1]
        if len(frame) != 4 or not isinstance(frame[2], str) or not isinstance(frame[3], dict):
            if reply:
                await self._reply_error(
                    message_id, ErrorKind.INCOMPLETE, "CALL must be [2, id, action, {payload}]", raw
                )
            return
        action: str = frame[2]
        handler = self._handlers(action)
        if handler is None:
            if reply:
                await self._reply_error(
                    message_id, ErrorKind.NOT_IMPLEMENTED, f"Action {action} is not implemented", raw
                )
            return
        try:
            payload = self._schemas.validate(
                action, frame[3], response=False, lenient_mode=self.config.lenient, on_quirk=self._quirk
            )
            result = handler(payload)
        except Exception as err:  # noqa: BLE001 - see _reply_failure
            if reply:
                await self._reply_failure(message_id, action, raw, err)
            return
        if type(result) is not dict and inspect.isawaitable(result):
            if len(self._tasks) >= self.config.max_pending_calls:
                if inspect.iscoroutine(result):
                    result.close()
                elif isinstance(result, asyncio.Future):
                    result.cancel()
                raise LimitExceeded(f"more than {self.config.max_pending_calls} calls pending at once")
            task = asyncio.create_task(self._finish_call(message_id, action, result, raw, reply))
            self._tasks[task] = None
            task.add_done_callback(self._task_done)
        elif reply:
            await self._send_frame([MessageType.CALLRESULT, message_id, result])

    async def _finish_call(
        self, message_id: str, action: str, pending: Awaitable[Payload], raw: str | bytes, reply: bool
    ) -> None:
        try:
            result = await pending
        except Exception as err:  # noqa: BLE001 - see _reply_failure
            if reply:
                await self._reply_failure(message_id, action, raw, err)
            return
        if reply:
            await self._send_frame([MessageType.CALLRESULT, message_id, result])

    async def _reply_failure(self, message_id: str, action: str, raw: str | bytes, err: Exception) -> None:
        """A protocol error gets its own CALLERROR; any handler bug becomes InternalError, as OCPP-J prescribes."""
        if isinstance(err, OcppError):
            await self._reply_error(message_id, err.kind, err.description, raw, err.details)
            return
        self._log(logging.ERROR, "%s: handler for %s failed on frame %r", action, _loggable(raw), exc_info=err)
        await self._reply_error(message_id, ErrorKind.INTERNAL, f"{action} handler failed", raw)

    def _on_result(self, frame: list[Any]) -> tuple[str, str] | None:
        """Hand the answer to the waiting call; (error code, description) when it cannot be used."""
        future = self._take_pending(frame[1])
        if future is None:
            return None
        payload = frame[2]
        action = self._pending_action
        if not isinstance(payload, dict):
            code = error_code(self.version, ErrorKind.BAD_FRAME)
            future.set_exception(CallError(action, code, "CALLRESULT payload is not an object", payload))
            return code, "CALLRESULT payload is not an object"
        try:
            payload = self._schemas.validate(
                action,
                payload,
                response=True,
                lenient_mode=self.config.lenient,
                on_quirk=self._quirk,
            )
        except OcppError as err:
            code = error_code(self.version, err.kind)
            future.set_exception(CallError(action, code, err.description, payload))
            return code, err.description
        future.set_result(payload)
        return None

    def _on_error(self, frame: list[Any]) -> None:
        future = self._take_pending(frame[1])
        if future is None:
            return
        code = frame[2] if len(frame) > 2 else "GenericError"
        description = frame[3] if len(frame) > 3 else ""
        details = frame[4] if len(frame) > 4 else {}
        future.set_exception(CallError(self._pending_action, str(code), str(description), details))

    def _on_result_error(self, frame: list[Any]) -> None:
        """OCPP 2.1: the charger could not process our answer to one of its calls; nothing to answer."""
        self._log(
            logging.WARNING,
            "%s could not process our answer to its message %s: %s %s",
            frame[1],
            frame[2] if len(frame) > 2 else "GenericError",
            frame[3] if len(frame) > 3 else "",
        )

    def _take_pending(self, message_id: str) -> asyncio.Future[Payload] | None:
        future = self._pending
        if future is None or message_id != self._pending_id or future.done():
            self._log(logging.INFO, "%s: answer to unknown or expired call %s ignored", message_id)
            return None
        return future

    # ---- sending ---------------------------------------------------------

    async def call(self, action: str, payload: Payload, timeout: float | None = None) -> Payload:  # noqa: ASYNC109 - per-call OCPP timeout
        """Send a CALL and wait for its answer; one outstanding call at a time.

        The payload is checked against the action's schema first (strictly: what we
        send must be right), so bad input fails here with InvalidCall, never at the charger.
        """
        timeout = self.config.call_timeout if timeout is None else timeout
        if not self._schemas.has_action(action):
            raise InvalidCall(action, f"not an OCPP {self.version} action")
        try:
            self._schemas.validate(action, payload, response=False, lenient_mode=False)
        except OcppError as err:
            raise InvalidCall(action, err.description) from None
        async with self._call_lock:
            if self._closed:
                raise NotConnected(self.charge_point_id)
            message_id = str(uuid.uuid4())
            future: asyncio.Future[Payload] = asyncio.get_running_loop().create_future()
            self._pending_id, self._pending_action, self._pending = message_id, action, future
            try:
                await self._send_frame([MessageType.CALL, message_id, action, payload])
                return await asyncio.wait_for(future, timeout)
            except TimeoutError:
                raise CallTimeout(action, timeout) from None
            finally:
                self._pending_id, self._pending = None, None

    async def _reply_error(
        self,
        message_id: str,
        kind: ErrorKind,
        description: str,
        raw: str | bytes,
        details: dict[str, object] | None = None,
    ) -> None:
        self._log(
            logging.WARNING,
            "%s: answering %s (%s) to frame %.300r",
            error_code(self.version, kind),
            description,
            _loggable(raw),
        )
        await self._send_frame(
            [MessageType.CALLERROR, message_id, error_code(self.version, kind), description, details or {}]
        )

    async def _send_frame(self, frame: list[Any]) -> None:
        if self._closed:
            return
        try:
            await self._send(dumps(frame))
        except ConnectionError:
            _LOGGER.debug("%s: connection gone while sending", self.charge_point_id)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)

    def _quirk(self, action: str, description: str) -> None:
        key = f"{action}: {_INDEX.sub('[]', description)}"
        if self._quirks_seen is None:
            self._quirks_seen = set()
        if key not in self._quirks_seen:
            self._quirks_seen.add(key)
            self._log(
                logging.WARNING,
                "%s: tolerated a schema break in %s (lenient mode); further ones like it are not logged",
                key,
                key=f"quirk {key}",
            )

    def _log(
        self, level: int, message: str, *args: object, key: str | None = None, exc_info: BaseException | None = None
    ) -> None:
        """A line about this charger (`message` starts with its id), rate-limited (see LogLimiter)."""
        self._logs.log(
            _LOGGER, level, self.charge_point_id, message, self.charge_point_id, *args, key=key, exc_info=exc_info
        )

    def close(self) -> None:
        """Fail the outstanding call and cancel running handlers."""
        self._closed = True
        if self._pending is not None and not self._pending.done():
            self._pending.set_exception(NotConnected(self.charge_point_id))
            # its caller may be cancelled in the same turn (the central system stopping): then nobody reads
            # the exception, and asyncio would log "Future exception was never retrieved"
            self._pending.add_done_callback(_retrieve)
        for task in list(self._tasks):
            task.cancel()
