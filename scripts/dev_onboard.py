#!/usr/bin/env python3
"""Make the development Home Assistant of scripts/develop usable without clicking through it.

Waits for http://127.0.0.1:8123 (--url), finishes onboarding with the account dev / dev (or logs in with
it when that was done before), sets the country, time zone and currency as the onboarding page would, and
adds an ocpp_core central system on port 9000 (--ocpp-port) unless one exists — with --addon-port and
--api-token-file a remote entry on the add-on's app there instead (scripts/develop --with-addon), through the
config flow's manual step.  Only HA's public REST and WebSocket APIs are used, so this keeps working whatever HA
does internally.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

BASE = "http://127.0.0.1:8123"
CLIENT_ID = f"{BASE}/"  # IndieAuth: HA trusts a client id on its own origin
REDIRECT_URI = f"{BASE}/?auth_callback=1"
USERNAME = PASSWORD = "dev"
OCPP_PORT = 9000
# The first start has HA install its frontend package, which can take minutes on a slow network.
STARTUP_TIMEOUT = 30 * 60
# What the onboarding page asks (Settings → System → General changes it).  No home location: then the
# weather integration onboarding would add (met) skips itself instead of fetching a forecast.
CORE_CONFIG = {"country": "DE", "currency": "EUR", "time_zone": "Europe/Berlin", "unit_system": "metric"}
# Integrations onboarding adds that fetch from the internet at every start (radio_browser: an internet radio
# directory; met: a forecast, when a home location is set): removed again, a development instance has no use
# for them and, offline, they only show failures that are not ours.
INTERNET_INTEGRATIONS = ("radio_browser", "met")
ONBOARDED_ENTRIES_TIMEOUT = 60.0
# The add-on's app beside HA starts as HA does, but its first start creates .venv-addon (scripts/addon) first.
ADDON_TIMEOUT = 15 * 60


class HAError(RuntimeError):
    """HA answered with an unexpected status."""


def request(
    path: str,
    body: dict[str, Any] | None = None,
    token: str | None = None,
    form: bool = False,
    method: str | None = None,
) -> Any:
    """GET (no body) or POST (JSON, or form-encoded for /auth/token), or `method`; the decoded JSON answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
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


def websocket_command(token: str, command: dict[str, Any]) -> Any:
    """One command over HA's WebSocket API (what the frontend uses for what REST does not offer)."""
    with connect(BASE.replace("http", "ws", 1) + "/api/websocket", open_timeout=60) as ws:
        json.loads(ws.recv(timeout=60))  # auth_required
        ws.send(json.dumps({"type": "auth", "access_token": token}))
        if (answer := json.loads(ws.recv(timeout=60))).get("type") != "auth_ok":
            raise HAError(f"WebSocket login: {answer}")
        ws.send(json.dumps({"id": 1, **command}))
        result = json.loads(ws.recv(timeout=60))
    if not result.get("success"):
        raise HAError(f"{command['type']}: {result.get('error')}")
    return result.get("result")


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
    if not done.get("core_config"):
        # the onboarding page saves the core configuration first (without a country HA raises a repair)
        websocket_command(token, {"type": "config/core/update", **CORE_CONFIG})
    # core_config also makes HA add its onboarding integrations (google_translate, met, radio_browser,
    # shopping_list); see remove_internet_integrations.
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


def start_flow(token: str, mode: str) -> str:
    """A new ocpp_core config flow at its `mode` step (the menu: the central system here, or the add-on's)."""
    flow = request("/api/config/config_entries/flow", {"handler": "ocpp_core", "show_advanced_options": False}, token)
    flow_url = f"/api/config/config_entries/flow/{flow['flow_id']}"
    if flow.get("type") == "menu":
        request(flow_url, {"next_step_id": mode}, token)
    return flow_url


def add_remote_entry(token: str, addon_port: int, api_token: str) -> dict[str, Any]:
    """The manual remote step with the app's address, port and token, again while the app is not up yet."""
    deadline = time.monotonic() + ADDON_TIMEOUT
    fields = {"host": "127.0.0.1", "port": addon_port, "api_token": api_token}
    flow_url = start_flow(token, "remote")
    while (result := request(flow_url, fields, token)).get("errors") == {"base": "cannot_connect"}:
        if time.monotonic() > deadline:
            raise SystemExit(f"dev_onboard: the add-on's app did not answer on port {addon_port}")
        time.sleep(2)
    return dict(result)


def ensure_entry(token: str, addon_port: int | None = None, api_token: str | None = None) -> str:
    """Add the central system through the same config flow the UI uses; return what was done."""
    entries = request("/api/config/config_entries/entry?domain=ocpp_core", token=token)
    if entries:
        return f"existing entry: {entries[0]['title']} ({entries[0]['state']})"
    if addon_port is not None and api_token is not None:
        result = add_remote_entry(token, addon_port, api_token)
        if result.get("type") != "create_entry":
            raise SystemExit(f"dev_onboard: the ocpp_core config flow did not create a remote entry: {result}")
        # the add-on's app accepts every charger and tag by default (its --unknown-chargers, --unknown-tags)
        return f"created entry: {result['title']} (remote, on the add-on's app)"
    result = request(start_flow(token, "embedded"), {"host": "0.0.0.0", "port": OCPP_PORT}, token)
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


def remove_internet_integrations(token: str) -> None:
    """Delete the entries onboarding added for INTERNET_INTEGRATIONS (met only exists with a home location).

    Onboarding adds them in the background, so wait for radio_browser's (its requirements are in
    requirements/run.txt: nothing to install first), then delete whichever exist."""
    deadline = time.monotonic() + ONBOARDED_ENTRIES_TIMEOUT
    while not request("/api/config/config_entries/entry?domain=radio_browser", token=token):
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    for domain in INTERNET_INTEGRATIONS:
        for entry in request(f"/api/config/config_entries/entry?domain={domain}", token=token):
            request(f"/api/config/config_entries/entry/{entry['entry_id']}", token=token, method="DELETE")
            print(f"dev_onboard: removed {entry['title']} (it needs the internet)", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=BASE, help="Home Assistant's address")
    parser.add_argument("--ocpp-port", type=int, default=OCPP_PORT, help="the port of a new OCPP central system")
    parser.add_argument("--addon-port", type=int, help="a remote entry instead, on the add-on's app's API here")
    parser.add_argument("--api-token-file", help="with --addon-port: the file holding the app's API token")
    args = parser.parse_args()
    if (args.addon_port is None) != (args.api_token_file is None):
        parser.error("--addon-port and --api-token-file go together")
    return args


def main() -> None:
    global BASE, CLIENT_ID, REDIRECT_URI, OCPP_PORT  # a script's settings, set once
    args = parse_args()
    BASE, OCPP_PORT = args.url.rstrip("/"), args.ocpp_port
    CLIENT_ID, REDIRECT_URI = f"{BASE}/", f"{BASE}/?auth_callback=1"
    done = onboarding_status()
    token = login() if done is None else onboard(done)
    wait_until_running(token)
    api_token = Path(args.api_token_file).read_text(encoding="utf-8").strip() if args.api_token_file else None
    what = ensure_entry(token, args.addon_port, api_token)
    if done is not None and not done.get("core_config"):
        remove_internet_integrations(token)
    print(
        f"\n=== dev_onboard: {what}\n"
        f"=== HA at {BASE} — user {USERNAME} / password {PASSWORD}; "
        f"chargers connect to ws://<host>:{OCPP_PORT}/<charger id>\n"
        f"=== (scripts/simulate connects one: ws://127.0.0.1:{OCPP_PORT}/sim-charger-1)\n",
        flush=True,
    )


if __name__ == "__main__":
    try:
        main()
    except HAError as err:
        sys.exit(f"dev_onboard: {err}")
