"""Connections that end before their WebSocket handshake, logged as one line each, not an error.

websockets 15 logs every such connection as an ERROR with a traceback: a port scan, a browser or monitoring
probe (HTTP/1.0, POST), a half-sent request, TLS spoken to the plain port.  Nobody can act on those, and a
scan writes a page of traceback per attempt into Home Assistant's log.  Instead the record becomes one INFO
line naming the address and the reason, at most ten a minute per address (loglimit.py).  (A filter cannot log
a line of its own: Python drops what is logged while a record is being handled, the limiter's count of
suppressed lines too.  websockets 17 logs these at INFO itself, without the traceback; then nothing reaches
this filter.)
"""

from __future__ import annotations

import logging

from ..rpc.loglimit import LogLimiter

_FAILED = "opening handshake failed"
_LINE = "Closed a connection from %s before its WebSocket handshake: %s"


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
        self.limiter = LogLimiter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != _FAILED or not record.exc_info:
            return True
        logger = logging.getLogger(record.name)
        # (isEnabledFor says False for any logger while a record is being handled)
        if logger.getEffectiveLevel() > logging.INFO or logging.root.manager.disable >= logging.INFO:
            return False
        peer = _peer(record)
        if not self.limiter.admits(logger, logging.INFO, peer, _LINE):
            return False
        record.msg, record.args = _LINE, (peer, _reason(record.exc_info[1]))
        record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        record.exc_info = record.exc_text = None
        return True
