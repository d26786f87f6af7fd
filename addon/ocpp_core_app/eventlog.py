"""The app's own log lines, from csms's events: one per connection, boot, session start and stop, refusal and
error; never one per meter value (csms's own loggers are set to WARNING unless the log level is debug)."""

from __future__ import annotations

import logging
from typing import Any

from .central_import import csms

LOGGER = logging.getLogger("ocpp_core_app.events")
_EventType = csms.EventType


# the event types that can get a line (log_event is subscribed to these only)
LOGGED_TYPES = frozenset(
    {
        _EventType.CONNECTED,
        _EventType.DISCONNECTED,
        _EventType.BOOTED,
        _EventType.TRANSACTION_STARTED,
        _EventType.TRANSACTION_ENDED,
        _EventType.AUTHORIZE,
        _EventType.REGISTRATION,
        _EventType.AUTHENTICATION,
        _EventType.CONNECTION_REPLACED,
        _EventType.UNSTORABLE,
    }
)


def _line(event: Any) -> tuple[int, str] | None:
    """(level, text) of the event's line, or None for events that get none."""
    kind, who, data = event.type, event.station_id, event.data or {}
    where = f"{who}/{event.connector_id}" if event.connector_id else who
    if kind == _EventType.CONNECTED:
        return logging.INFO, f"{who}: connected"
    if kind == _EventType.DISCONNECTED:
        return logging.INFO, f"{who}: disconnected"
    if kind == _EventType.BOOTED:
        model = " ".join(str(data[k]) for k in ("vendor", "model") if data.get(k))
        return logging.INFO, f"{who}: booted{' (' + model + ')' if model else ''}, {data.get('registration_status')}"
    if kind == _EventType.TRANSACTION_STARTED:
        return logging.INFO, (
            f"{where}: session {data.get('transaction_id')} started (tag {data.get('id_tag')}, "
            f"meter {data.get('meter_start_wh')} Wh)"
        )
    if kind == _EventType.TRANSACTION_ENDED:
        return logging.INFO, (
            f"{where}: session {data.get('transaction_id')} ended ({data.get('stop_reason')}), "
            f"{data.get('energy_wh')} Wh" + ("" if data.get("known", True) else ", unknown to us")
        )
    if kind == _EventType.AUTHORIZE and data.get("status") not in (None, "Accepted"):
        return logging.INFO, f"{who}: tag {data.get('id_tag')} refused ({data.get('status')})"
    status = data.get("status")
    if kind == _EventType.REGISTRATION and status in ("Rejected", "Pending") and status != data.get("previous"):
        return logging.INFO, f"{who}: registration {status}"
    if kind == _EventType.AUTHENTICATION and data.get("ok") is False:
        return logging.WARNING, f"{who}: connection refused ({data.get('reason')}, from {data.get('remote')})"
    if kind == _EventType.CONNECTION_REPLACED:
        return logging.WARNING, f"{who}: connection replaced by one from {data.get('remote')}"
    if kind == _EventType.UNSTORABLE:
        return logging.ERROR, f"{who or 'central system'}: not saved: {data.get('path')} ({data.get('reason')})"
    return None


def log_event(event: Any) -> None:
    line = _line(event)
    if line is not None and LOGGER.isEnabledFor(line[0]):
        LOGGER.log(line[0], "%s", line[1])


class _NoHandshakeTracebacks(logging.Filter):
    """websockets logs every connection that sends no WebSocket upgrade (the health check, port scanners) as an
    ERROR with a traceback: not one for an unattended server's log (shown at debug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "opening handshake failed"


def setup_logging(level: str) -> None:
    """One format for all; csms's chatty loggers at WARNING unless debugging."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    if level != "debug":
        for name in ("csms", "websockets", "ocpp"):
            logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
        logging.getLogger("websockets.server").addFilter(_NoHandshakeTracebacks())
