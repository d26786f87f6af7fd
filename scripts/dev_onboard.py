#!/usr/bin/env python3
"""Make the development Home Assistant of scripts/develop usable without clicking through it.

Waits for http://127.0.0.1:8123, finishes onboarding with the account dev / dev (or logs in with it
when that was done before) and adds an ocpp_core central system on port 9000 unless one exists.
Only HA's public REST API is used, so this keeps working whatever HA does internally.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

BASE = "http://127.0.0.1:8123"
CLIENT_ID = f"{BASE}/"  # IndieAuth: HA trusts a client id on its own origin
REDIRECT_URI = f"{BASE}/?auth_callback=1"
USERNAME = PASSWORD = "dev"
OCPP_PORT = 9000
# The first start has HA install its frontend package, which can take minutes on a slow network.
STARTUP_TIMEOUT = 30 * 60


class HAError(RuntimeError):
    """HA answered with an unexpected status."""


def request(path: str, body: dict[str, Any] | None = None, token: str | None = None, form: bool = False) -> Any:
    """GET (no body) or POST (JSON, or form-encoded for /auth/token) and return the decoded JSON answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(BASE + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            text = resp.read().decode()
    except urllib.error.HTTPError as err:
        raise HAError(f"{req.get_method()} {path}: HTTP {err.code} {err.read().decode(errors='replace')}") from err
    return json.loads(text) if text else None


def onboarding_status() -> dict[str, bool] | None:
    """Wait until HA's web server answers; return {step: done}, or None when onboarding is finished.

    HA opens its web server only after `frontend` (which depends on `onboarding`) is set up, and
    registers the onboarding API only while onboarding is pending, so a 404 means "done".
    """
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            return {step["step"]: step["done"] for step in request("/api/onboarding")}
        except HAError as err:
            if "HTTP 404" in str(err):
                return None
            raise
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise SystemExit(f"dev_onboard: Home Assistant did not come up at {BASE}") from None
            time.sleep(2)


def token_from_code(code: str) -> str:
    answer = request(
        "/auth/token", {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}, form=True
    )
    return str(answer["access_token"])


def login() -> str:
    """The login form the frontend shows, as two API calls."""
    flow = request(
        "/auth/login_flow",
        {"client_id": CLIENT_ID, "handler": ["homeassistant", None], "redirect_uri": REDIRECT_URI},
    )
    answer = request(
        f"/auth/login_flow/{flow['flow_id']}", {"client_id": CLIENT_ID, "username": USERNAME, "password": PASSWORD}
    )
    if answer.get("type") != "create_entry":
        raise SystemExit(
            f"dev_onboard: cannot log in as {USERNAME}/{PASSWORD} ({answer.get('errors')}); "
            "delete config/ to start over"
        )
    return token_from_code(answer["result"])


def onboard(done: dict[str, bool]) -> str:
    """Finish the pending onboarding steps, as the frontend's wizard would; return an access token."""
    if not done.get("user"):
        answer = request(
            "/api/onboarding/users",
            {"client_id": CLIENT_ID, "name": "Developer", "username": USERNAME, "password": PASSWORD, "language": "en"},
        )
        token = token_from_code(answer["auth_code"])
        print("dev_onboard: created user dev / dev", flush=True)
    else:
        token = login()
    # core_config also makes HA start its onboarding integrations (met, radio_browser, shopping_list,
    # google_translate).  With our light configuration.yaml google_translate cannot load ("No module
    # named 'mutagen'") and HA logs a traceback once; that is harmless and unrelated to ocpp_core.
    for step in ("core_config", "analytics"):
        if not done.get(step):
            request(f"/api/onboarding/{step}", {}, token)
    if not done.get("integration"):
        request("/api/onboarding/integration", {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI}, token)
    print("dev_onboard: onboarding finished", flush=True)
    return token


def wait_until_running(token: str) -> None:
    """Config flows are best started once every integration has been set up."""
    while request("/api/config", token=token)["state"] != "RUNNING":
        time.sleep(2)


def ensure_entry(token: str) -> str:
    """Add the central system through the same config flow the UI uses; return what was done."""
    entries = request("/api/config/config_entries/entry?domain=ocpp_core", token=token)
    if entries:
        return f"existing entry: {entries[0]['title']} ({entries[0]['state']})"
    flow = request("/api/config/config_entries/flow", {"handler": "ocpp_core", "show_advanced_options": False}, token)
    result = request(
        f"/api/config/config_entries/flow/{flow['flow_id']}", {"host": "0.0.0.0", "port": OCPP_PORT}, token
    )
    if result.get("type") != "create_entry":
        raise SystemExit(f"dev_onboard: the ocpp_core config flow did not create an entry: {result}")
    # A development instance lets every charger in, so the simulator shows up at once (the
    # default, "ask", would put a discovery card in front of it first).
    accept_every_charger(token, result["result"]["entry_id"])
    return f"created entry: {result['title']} (unknown chargers: accept)"


def accept_every_charger(token: str, entry_id: str) -> None:
    """Set the entry's unknown-charger policy to "accept" through its options, as the UI would."""
    flows = "/api/config/config_entries/options/flow"
    form = request(flows, {"handler": entry_id}, token)
    if form.get("type") == "menu":  # the options are a menu: the policy is in its General form
        form = request(f"{flows}/{form['flow_id']}", {"next_step_id": "general"}, token)
    # Every other field keeps the value the form shows (its default); one without a value stays out.
    shown = {field["name"]: field["default"] for field in form.get("data_schema", []) if "default" in field}
    result = request(f"{flows}/{form['flow_id']}", {**shown, "unknown_chargers": "accept"}, token)
    if result.get("type") != "create_entry":
        raise SystemExit(f"dev_onboard: the options did not take the accept policy: {result}")


def main() -> None:
    done = onboarding_status()
    token = login() if done is None else onboard(done)
    wait_until_running(token)
    what = ensure_entry(token)
    print(
        f"\n=== dev_onboard: {what}\n"
        f"=== HA at {BASE} — user {USERNAME} / password {PASSWORD}; "
        f"chargers connect to ws://<host>:{OCPP_PORT}/<charger id>\n"
        "=== (scripts/simulate connects one: ws://127.0.0.1:9000/sim-charger-1)\n",
        flush=True,
    )


if __name__ == "__main__":
    try:
        main()
    except HAError as err:
        sys.exit(f"dev_onboard: {err}")
