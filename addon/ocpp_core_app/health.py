"""--health: does the central system accept connections on the OCPP port (the Dockerfile's HEALTHCHECK)?"""

from __future__ import annotations

import socket

TIMEOUT = 5.0


def healthy(port: int, host: str = "127.0.0.1") -> bool:
    """True when a TCP connection to the port opens within TIMEOUT.  Closed again without a request: an HTTP
    request that is no WebSocket upgrade would put a traceback in the server's log at every check."""
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT):
            return True
    except OSError:
        return False
