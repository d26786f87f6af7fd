"""What bench.ha_restart reads of Home Assistant: states and repair issues while it runs (its REST and WebSocket
APIs, as the frontend), and its recorder's SQLite database once it stopped (events and states as recorded)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.helpers_dev import DevInstance, HAWebSocket

REQUEST_TIMEOUT = 5.0


class HAReader:
    """One logged-in client of scripts/develop's HA, across its restarts (same port; a refused token: log in)."""

    def __init__(self, instance: DevInstance) -> None:
        self._instance = instance
        self._token: str | None = None

    def _bearer(self) -> str:
        if self._token is None:
            self._token = self._instance.token()
        return self._token

    def _get(self, path: str) -> Any:
        """The decoded answer; None while HA does not answer (stopped, starting) or has no such thing (404)."""
        request = urllib.request.Request(
            self._instance.base + path, headers={"Authorization": f"Bearer {self._bearer()}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as err:
            if err.code == 401:
                self._token = None
            return None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def answers(self) -> bool:
        """HA's API answers (and takes the token)."""
        try:
            return self._get("/api/") is not None
        except (urllib.error.URLError, ConnectionError, TimeoutError, AssertionError):
            return False

    def state(self, entity_id: str) -> str | None:
        try:
            answer = self._get(f"/api/states/{entity_id}")
        except (urllib.error.URLError, ConnectionError, TimeoutError, AssertionError):  # logging in while it starts
            return None
        return None if answer is None else str(answer["state"])

    def websocket(self) -> contextlib.AbstractContextManager[HAWebSocket]:
        return self._instance.websocket(self._bearer())

    def sensors(self, device_name: str, *translation_keys: str, timeout: float) -> list[str]:
        """The entity ids of the device's sensors with these translation keys, once registered."""
        deadline = time.monotonic() + timeout
        while True:
            with self.websocket() as ws:
                devices = {d["id"] for d in ws.command("config/device_registry/list") if d["name"] == device_name}
                found = {
                    e["translation_key"]: e["entity_id"]
                    for e in ws.command("config/entity_registry/list")
                    if e["device_id"] in devices and e["platform"] == "ocpp_core"
                }
            if all(key in found for key in translation_keys):
                return [found[key] for key in translation_keys]
            if time.monotonic() > deadline:
                raise AssertionError(f"no sensors {translation_keys} of {device_name}: {sorted(found)}")
            time.sleep(0.5)

    def issues(self) -> set[str]:
        """The translation keys of ocpp_core's repair issues now."""
        with self.websocket() as ws:
            issues = ws.command("repairs/list_issues")["issues"]
        return {i["translation_key"] for i in issues if i["domain"] == "ocpp_core"}

    def entry_state(self) -> str:
        with self.websocket() as ws:
            (entry,) = [e for e in ws.command("config_entries/get") if e["domain"] == "ocpp_core"]
        return str(entry["state"])


def _rows(database: Path, query: str, *params: str) -> list[Any]:
    """The query's rows, the database opened read-only (HA has stopped: its recorder wrote all it held)."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return db.execute(query, params).fetchall()


def recorded_events(database: Path, event_type: str) -> list[dict[str, Any]]:
    """The data of every `event_type` bus event the recorder wrote, in the order fired."""
    rows = _rows(
        database,
        "SELECT d.shared_data FROM events e JOIN event_types t ON e.event_type_id = t.event_type_id "
        "LEFT JOIN event_data d ON e.data_id = d.data_id WHERE t.event_type = ? ORDER BY e.time_fired_ts",
        event_type,
    )
    return [json.loads(data) if data else {} for (data,) in rows]


def recorded_states(database: Path, entity_id: str) -> list[tuple[str, float]]:
    """Every state of `entity_id` the recorder wrote (unavailable included) and when (Unix time), in order."""
    rows = _rows(
        database,
        "SELECT s.state, s.last_updated_ts FROM states s JOIN states_meta m ON s.metadata_id = m.metadata_id "
        "WHERE m.entity_id = ? ORDER BY s.last_updated_ts, s.state_id",
        entity_id,
    )
    return [(str(state), float(when)) for state, when in rows]
