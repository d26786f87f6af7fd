"""What every page handler reaches through its Context: the central system, the store, the account book, and how
this UI is served (behind ingress, or on its own port with sign-in)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ..admin.services import AdminData
from ..api.auth import FailureThrottle
from .accounts import AccountBook
from .ha_roles import HaRoles
from .sessions import Sessions

INGRESS, LOGIN = "ingress", "login"
# the Supervisor's ingress proxy: the only address ingress requests may come from
SUPERVISOR_PROXY = "172.30.32.2"
LOOPBACK = frozenset({"127.0.0.1", "::1"})


@dataclass(slots=True)
class WebState:
    mode: str
    central: Any
    store: Any
    accounts: AccountBook
    # ingress: the addresses requests may come from
    proxies: frozenset[str] = frozenset({SUPERVISOR_PROXY})
    ha_roles: HaRoles | None = None
    # the card payments (payments/flow.py PaymentFlow; None: off)
    payments: Any = None
    sessions: Sessions = field(default_factory=Sessions)
    # sign-in attempts: 5 failures per address, then a minute's pause
    login_throttle: FailureThrottle = field(default_factory=lambda: FailureThrottle(limit=5, window=60.0))
    # keys the ingress users' CSRF tokens (HMAC of the user id)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    # the admin pages' inbox and chargers' notes (None: no store behind the UI, e.g. a test of the pages alone)
    admin: AdminData | None = None


STATE: web.AppKey[WebState] = web.AppKey("ocpp_core_web", WebState)
