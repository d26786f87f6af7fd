"""Announce the central system to the Supervisor (POST /discovery), so the integration finds it."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import urllib.error
import urllib.request
from typing import Any

_LOGGER = logging.getLogger(__name__)

SERVICE = "ocpp_core"
# the Supervisor's address; tests point it at their stand-in
SUPERVISOR_URL_ENV = "OCPP_CORE_SUPERVISOR_URL"
DEFAULT_SUPERVISOR_URL = "http://supervisor"


def _post(url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url.rstrip('/')}/discovery",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read() or b"{}")
        return answer


async def announce(host: str, port: int, api_token: str, api_port: int) -> bool:
    """Post the discovery message when running under the Supervisor (SUPERVISOR_TOKEN set); True when accepted.
    `port` is the chargers' (OCPP), `api_port` the API's: the integration's remote mode talks to that one."""
    token = os.environ.get("SUPERVISOR_TOKEN")
    if not token:
        return False
    url = os.environ.get(SUPERVISOR_URL_ENV, DEFAULT_SUPERVISOR_URL)
    body = {"service": SERVICE, "config": {"host": host, "port": port, "api_port": api_port, "api_token": api_token}}
    try:
        answer = await asyncio.to_thread(_post, url, token, body)
    except (OSError, urllib.error.URLError, ValueError) as err:
        _LOGGER.error("Could not announce the central system to the Supervisor at %s: %s", url, err)
        return False
    _LOGGER.info("Announced to the Supervisor (discovery %s)", (answer.get("data") or {}).get("uuid", "sent"))
    return True
