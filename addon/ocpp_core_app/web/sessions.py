"""Own-port sign-ins: a random session id in an HttpOnly, SameSite=Strict cookie, kept in memory (a restart signs
everyone out), each with its CSRF token; expired after a week, or a day without use."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

COOKIE = "ocpp_core_session"
LIFETIME = 7 * 86400.0
IDLE = 86400.0
MAX_SESSIONS = 1000


@dataclass(slots=True)
class Session:
    account: str
    csrf: str
    created: float
    used: float


class Sessions:
    def __init__(self) -> None:
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def create(self, account: str) -> str:
        session_id = secrets.token_urlsafe(32)
        now = time.monotonic()
        self._sessions[session_id] = Session(account, secrets.token_urlsafe(24), now, now)
        while len(self._sessions) > MAX_SESSIONS:
            self._sessions.popitem(last=False)
        return session_id

    def get(self, session_id: str | None) -> Session | None:
        session = self._sessions.get(session_id or "")
        if session is None:
            return None
        now = time.monotonic()
        if now - session.created > LIFETIME or now - session.used > IDLE:
            del self._sessions[session_id or ""]
            return None
        session.used = now
        return session

    def end(self, session_id: str | None) -> None:
        self._sessions.pop(session_id or "", None)

    def end_account(self, account: str) -> None:
        """Sign an account out everywhere (its password changed, it was removed)."""
        for session_id in [k for k, s in self._sessions.items() if s.account == account]:
            del self._sessions[session_id]
