"""Connections that end before their WebSocket handshake, logged as one line each, not an error.

websockets 15 logs every such connection as an ERROR with a traceback: a port scan, a browser or monitoring
probe (HTTP/1.0, POST), a half-sent request, TLS spoken to the plain port.  Nobody can act on those, and a
scan writes a page of traceback per attempt into Home Assistant's log.  Instead the record becomes one INFO
line naming the address and the reason, at most `LINES` a minute per address.  (A filter cannot log a line
of its own: Python drops what is logged while a record is being handled.  websockets 17 logs these at INFO
itself, without the traceback; then nothing reaches this filter.)
"""

from __future__ import annotations

import logging
import time

_FAILED = "opening handshake failed"
LINES = 10
INTERVAL = 60.0
_MAX_PEERS = 2_000


def _reason(error: BaseException | None) -> str:
    """What websockets found wrong with what arrived: the cause of its "did not receive a valid HTTP request"
    (an unsupported method or protocol, a request line that is none, the connection closed mid-request)."""
    if error is None:
        return "unknown"
    cause = error.__cause__ or error.__context__
    return str(cause or error) or type(cause or error).__name__


def _peer(record: logging.LogRecord) -> str:
    remote = getattr(getattr(record, "websocket", None), "remote_address", None)
    return str(remote[0]) if isinstance(remote, tuple) and remote else "an unknown address"


class FailedHandshakes(logging.Filter):
    """On websockets' server logger: its failed-handshake error becomes an INFO line, or nothing."""

    def __init__(self) -> None:
        super().__init__()
        self._windows: dict[str, tuple[float, int]] = {}  # address -> (window's start, lines in it)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != _FAILED or not record.exc_info:
            return True
        # (isEnabledFor says False for any logger while a record is being handled)
        if (
            logging.getLogger(record.name).getEffectiveLevel() > logging.INFO
            or logging.root.manager.disable >= logging.INFO
        ):
            return False
        peer = _peer(record)
        if not self._room(peer):
            return False
        record.msg = "Closed a connection from %s before its WebSocket handshake: %s"
        record.args = (peer, _reason(record.exc_info[1]))
        record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        record.exc_info = record.exc_text = None
        return True

    def _room(self, peer: str) -> bool:
        now = time.monotonic()
        started, lines = self._windows.pop(peer, (now, 0))
        if now - started >= INTERVAL:
            started, lines = now, 0
        if len(self._windows) >= _MAX_PEERS:  # the oldest address forgotten first
            del self._windows[next(iter(self._windows))]
        self._windows[peer] = (started, lines + 1)
        return lines < LINES
