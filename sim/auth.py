"""How a simulated charger proves itself: HTTP Basic (security profiles 1 and 2), TLS (2 and 3)."""

from __future__ import annotations

import base64
import ssl
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConnectOptions:
    """`password`: text, or raw bytes as some chargers send a 1.6 AuthorizationKey; `ssl`: for wss:// URLs."""

    password: str | bytes | None = None
    user: str | None = None  # the charge point id when not given
    ssl: ssl.SSLContext | None = None

    def headers(self, cp_id: str) -> dict[str, str]:
        if self.password is None:
            return {}
        password = self.password.encode() if isinstance(self.password, str) else self.password
        token = base64.b64encode((self.user or cp_id).encode() + b":" + password).decode()
        return {"Authorization": f"Basic {token}"}
