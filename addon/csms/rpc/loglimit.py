"""Log lines a charger can trigger again and again, rate-limited per charger and kind of line: at most
`lines` per `interval` seconds, then silence, then one line saying how many were suppressed.

A flood of messages must not become a flood of log (30,000 DataTransfers once wrote 120 MB).  A line's
kind is its format string unless a key is given; `log_once` (CentralState) stays for conditions worth
one line per run.
"""

from __future__ import annotations

import logging
import time

LINES = 10
INTERVAL = 60.0
# chargers (or addresses) tracked at most, and kinds of line per charger: the oldest are forgotten first
_MAX_PEERS = 2_000
_MAX_KEYS = 100


class _Window:
    __slots__ = ("level", "logged", "logger", "started", "suppressed")

    def __init__(self, logger: logging.Logger, level: int, started: float) -> None:
        self.logger = logger
        self.level = level
        self.started = started
        self.logged = 0
        self.suppressed = 0


class LogLimiter:
    """At most `lines` lines per peer and kind within `interval` seconds."""

    def __init__(self, lines: int = LINES, interval: float = INTERVAL) -> None:
        self.lines = lines
        self.interval = interval
        self._peers: dict[str, dict[str, _Window]] = {}

    def log(
        self,
        logger: logging.Logger,
        level: int,
        peer: str,
        message: str,
        *args: object,
        key: str | None = None,
        exc_info: BaseException | None = None,
    ) -> None:
        """`logger.log(level, message, *args)` unless this peer logged `lines` of its kind in the interval."""
        if logger.isEnabledFor(level) and self.admits(logger, level, peer, key if key is not None else message):
            logger.log(level, message, *args, exc_info=exc_info)

    def admits(self, logger: logging.Logger, level: int, peer: str, kind: str) -> bool:
        """Whether this peer's next line of `kind` is within its `lines` (counted as logged), else suppressed."""
        window = self._window(logger, level, peer, kind)
        now = time.monotonic()
        if now - window.started >= self.interval:
            self._report(peer, kind, window, now)
            window.started, window.logged = now, 0
        if window.logged >= self.lines:
            window.suppressed += 1
            window.logger, window.level = logger, level
            return False
        window.logged += 1
        return True

    def flush(self, peer: str) -> None:
        """Report what was suppressed for this peer now (it disconnected: no later line may come to)."""
        now = time.monotonic()
        for kind, window in self._peers.get(peer, {}).items():
            self._report(peer, kind, window, now)

    def _window(self, logger: logging.Logger, level: int, peer: str, kind: str) -> _Window:
        windows = self._peers.get(peer)
        if windows is None:
            if len(self._peers) >= _MAX_PEERS:
                del self._peers[next(iter(self._peers))]
            windows = self._peers[peer] = {}
        window = windows.get(kind)
        if window is None:
            if len(windows) >= _MAX_KEYS:
                del windows[next(iter(windows))]
            window = windows[kind] = _Window(logger, level, time.monotonic())
        return window

    def _report(self, peer: str, kind: str, window: _Window, now: float) -> None:
        """One line for what was suppressed (at the level and on the logger of the last one), then none."""
        if window.suppressed:
            window.logger.log(
                window.level,
                "%s: %d more lines like this suppressed in the last %.0f s: %s",
                peer,
                window.suppressed,
                now - window.started,
                kind,
            )
            window.suppressed = 0
