"""A typed async client of the add-on's API (/api/v1/, docs/addon_api.md) on a given aiohttp session (HA's shared
one in the integration).  No Home Assistant imports, so it is tested on its own against the real app.

Errors come as the exceptions of errors.py.  The token goes only into the Authorization header: never into a URL,
a log line or an exception's text.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

import aiohttp

from .errors import AddonError, AddonUnreachable, CommandTimeout, RequestRefused, raise_for

_LOGGER = logging.getLogger(__name__)

API_PREFIX: Final = "/api/v1"
REQUEST_TIMEOUT: Final = 10.0  # s: reading the state, the tag book
# s: a charger command (the add-on waits for the charger's answer, its own call timeout first)
COMMAND_TIMEOUT: Final = 90.0
# s between reconnects of the event stream while the add-on is away (the last one repeated)
BACKOFF: Final = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
# the add-on's commands (docs/addon_api.md), the integration's services of the same names and fields
COMMANDS: Final = frozenset(
    {
        "start_transaction", "stop_transaction", "unlock_connector", "reset", "change_availability",
        "trigger_message", "clear_cache", "data_transfer", "reserve_now", "cancel_reservation",
        "get_local_list_version", "set_charging_profile", "clear_charging_profile", "get_composite_schedule",
        "get_base_report", "get_transaction_status", "clear_display_message", "install_certificate",
        "get_installed_certificate_ids", "delete_certificate", "send_local_list", "set_display_message",
        "update_firmware", "get_log", "set_charger_password", "get_diagnostics", "get_configuration",
        "change_configuration", "get_variables", "set_variables", "send_call", "set_current_limit",
        "clear_current_limit", "pause_charging", "resume_charging",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The add-on's whole state at one instant and the event stream's position it is consistent with."""

    stream: str
    seq: int
    chargers: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    tags_version: int
    version: str | None = None  # the add-on's (an older add-on's snapshot does not say)


class AddonClient:
    """The add-on's API at host:port with its token."""

    def __init__(self, session: aiohttp.ClientSession, host: str, port: int, token: str, *, ssl: bool = False) -> None:
        self._session = session
        self._base = f"{'https' if ssl else 'http'}://{_host(host)}:{int(port)}{API_PREFIX}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self.host, self.port, self.token = host, port, token

    def set_token(self, token: str) -> None:
        """Another token (the entry's reauthentication): the next requests and stream connections carry it."""
        self._headers = {"Authorization": f"Bearer {token}"}
        self.token = token

    def __repr__(self) -> str:  # never the token
        return f"AddonClient({self._base})"

    # ---- requests ------------------------------------------------------------

    async def _request(self, method: str, path: str, body: Any = None, wait: float = REQUEST_TIMEOUT) -> Any:
        url = self._base + path
        try:
            async with asyncio.timeout(wait):
                async with self._session.request(method, url, json=body, headers=self._headers) as response:
                    try:
                        data = await response.json(content_type=None)
                    except ValueError:
                        data = None
                    _LOGGER.debug("%s %s: %s", method, path, response.status)
                    if response.status >= 400:
                        raise_for(response.status, data, f"{method} {path}")
                    return data
        except TimeoutError:
            raise CommandTimeout(f"the add-on did not answer {method} {path} within {wait:.0f} s") from None
        except aiohttp.ClientError as err:
            raise AddonUnreachable(f"cannot reach the add-on at {self.host}:{self.port}: {err}") from None

    async def validate(self) -> None:
        """Reach the add-on and have the token accepted (the config flow's check); raises otherwise."""
        await self._request("GET", "/tags")

    async def snapshot(self) -> Snapshot:
        data = await self._request("GET", "/snapshot")
        return Snapshot(
            stream=str(data["stream"]),
            seq=int(data["seq"]),
            chargers=list(data["chargers"]),
            tags=list(data["tags"]["tags"]),
            tags_version=int(data["tags"]["version"]),
            version=str(data["version"]) if data.get("version") is not None else None,
        )

    async def chargers(self) -> list[dict[str, Any]]:
        data = await self._request("GET", "/chargers")
        return list(data["chargers"])

    async def charger(self, charger_id: str) -> dict[str, Any]:
        data: dict[str, Any] = await self._request("GET", f"/chargers/{_segment(charger_id)}")
        return data

    async def forget_charger(self, charger_id: str) -> None:
        """Everything the add-on keeps of a charger removed (RequestRefused charger_connected while connected)."""
        await self._request("DELETE", f"/chargers/{_segment(charger_id)}")

    async def transactions(
        self, charger: str | None = None, tag: str | None = None, since: str | None = None, until: str | None = None
    ) -> list[dict[str, Any]]:
        query = {k: v for k, v in (("charger", charger), ("tag", tag), ("since", since), ("until", until)) if v}
        path = "/transactions" + ("?" + "&".join(f"{k}={_segment(v)}" for k, v in query.items()) if query else "")
        data = await self._request("GET", path)
        return list(data["transactions"])

    async def tags(self) -> list[dict[str, Any]]:
        data = await self._request("GET", "/tags")
        return list(data["tags"])

    async def add_tag(self, id_tag: str, **fields: Any) -> dict[str, Any]:
        data = await self._request("POST", "/tags", {"id_tag": id_tag, **fields})
        return dict(data["tag"])

    async def update_tag(self, id_tag: str, **fields: Any) -> dict[str, Any]:
        data = await self._request("PUT", f"/tags/{_segment(id_tag)}", fields)
        return dict(data["tag"])

    async def remove_tag(self, id_tag: str) -> list[str]:
        data = await self._request("DELETE", f"/tags/{_segment(id_tag)}")
        return list(data["removed"])

    async def tag_book(self) -> tuple[int, list[dict[str, Any]]]:
        """The tag book's version and its tags."""
        data = await self._request("GET", "/tags")
        return int(data["version"]), list(data["tags"])

    # ---- per-charger settings and passwords (write-only) ----------------------

    async def settings(self) -> dict[str, Any]:
        """{"chargers": {id: {"settings", "has_password"}}, "new_charger_password": bool}."""
        data: dict[str, Any] = await self._request("GET", "/settings")
        return data

    async def update_settings(self, charger_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Some settings changed (None clears one); the charger's settings as stored now."""
        data = await self._request("PUT", f"/chargers/{_segment(charger_id)}/settings", changes)
        return dict(data["settings"])

    async def set_password(self, charger_id: str, password: str) -> None:
        """The charger's own password, stored only (a push goes as the set_charger_password command)."""
        await self._request("PUT", f"/chargers/{_segment(charger_id)}/password", {"password": password})

    async def clear_password(self, charger_id: str) -> None:
        await self._request("DELETE", f"/chargers/{_segment(charger_id)}/password")

    async def set_new_charger_password(self, password: str | None) -> None:
        if password is None:
            await self._request("DELETE", "/new_charger_password")
        else:
            await self._request("PUT", "/new_charger_password", {"password": password})

    # ---- the central system's own options (the integration's option names) -------------------

    async def options(self) -> dict[str, Any]:
        data = await self._request("GET", "/options")
        return dict(data["options"])

    async def update_options(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Some options changed (stored, in force); all of them as they are now."""
        data = await self._request("PUT", "/options", changes)
        return dict(data["options"])

    # ---- tariffs (a scope: charger_id and connector_id, or id_tag, or none: the central system's) ----------

    async def tariffs(self) -> list[dict[str, Any]]:
        data = await self._request("GET", "/tariffs")
        return list(data["tariffs"])

    async def set_tariff(self, scope: dict[str, Any], tariff: dict[str, Any]) -> dict[str, Any]:
        """The tariff as the add-on keeps it (its fields normalised)."""
        data = await self._request("PUT", "/tariffs", {**scope, "tariff": tariff})
        return dict(data["tariff"])

    async def clear_tariff(self, scope: dict[str, Any]) -> bool:
        data = await self._request("DELETE", "/tariffs", scope)
        return bool(data["cleared"])

    async def command(self, charger_id: str, name: str, **fields: Any) -> Any:
        """A charger command (the service of that name, its fields); the charger's answer."""
        if name not in COMMANDS:
            raise RequestRefused(f"no command {name!r}", "unknown_command")
        path = f"/chargers/{_segment(charger_id)}/commands/{name}"
        data = await self._request("POST", path, fields, wait=COMMAND_TIMEOUT)
        return data["answer"]

    # the commands the HA side uses most, typed
    async def start_transaction(self, charger_id: str, id_tag: str, connector_id: int | None = None) -> Any:
        return await self.command(charger_id, "start_transaction", **_given(id_tag=id_tag, connector_id=connector_id))

    async def stop_transaction(
        self, charger_id: str, transaction_id: str | None = None, connector_id: int | None = None
    ) -> Any:
        fields = _given(transaction_id=transaction_id, connector_id=connector_id)
        return await self.command(charger_id, "stop_transaction", **fields)

    async def reset(self, charger_id: str, type: str = "Soft") -> Any:
        return await self.command(charger_id, "reset", type=type)

    async def unlock_connector(self, charger_id: str, connector_id: int = 1) -> Any:
        return await self.command(charger_id, "unlock_connector", connector_id=connector_id)

    async def set_current_limit(
        self, charger_id: str, *, amps: float | None = None, watts: float | None = None, connector_id: int = 0
    ) -> Any:
        fields = _given(amps=amps, watts=watts, connector_id=connector_id)
        return await self.command(charger_id, "set_current_limit", **fields)

    async def clear_current_limit(self, charger_id: str, connector_id: int = 0) -> Any:
        return await self.command(charger_id, "clear_current_limit", connector_id=connector_id)

    # ---- the event stream ----------------------------------------------------

    async def events(
        self,
        since: int,
        stream: str,
        *,
        on_connection: Callable[[bool], None] | None = None,
        backoff: Sequence[float] = BACKOFF,
    ) -> AsyncIterator[dict[str, Any]]:
        """The events after `since` (the snapshot's seq and stream), then live, for ever: a dropped connection is
        reconnected (after `backoff` pauses) from the last seq given, nothing missed or given twice.  Also yields
        the `{"type": "replayed"}` marker after each replay.  Raises CursorExpired (read the snapshot again) and
        AuthFailed; `on_connection(True/False)` on each connect and loss."""
        cursor, failures = since, 0
        while True:
            url = f"{self._base}/events?since={cursor}&stream={_segment(stream)}"
            try:
                async with self._session.ws_connect(url, headers=self._headers, heartbeat=30) as ws:
                    failures = 0
                    if on_connection is not None:
                        on_connection(True)
                    _LOGGER.debug("event stream connected from seq %s", cursor)
                    async for message in ws:
                        if message.type is not aiohttp.WSMsgType.TEXT:
                            break
                        event: dict[str, Any] = json.loads(message.data)
                        seq = event.get("seq")
                        if event.get("type") != "replayed":
                            if not isinstance(seq, int) or seq <= cursor:
                                continue  # (a duplicate cannot come; never passed on if it did)
                            cursor = seq
                        yield event
                    _LOGGER.debug("event stream closed (%s) at seq %s", ws.close_code, cursor)
            except aiohttp.WSServerHandshakeError as err:
                if err.status in (401, 410, 429):
                    raise_for(err.status, {"message": err.message})
                _LOGGER.debug("event stream refused (%s), trying again", err.status)
            except (aiohttp.ClientError, TimeoutError) as err:
                _LOGGER.debug("event stream lost (%s), trying again", type(err).__name__)
            if on_connection is not None:
                on_connection(False)
            await asyncio.sleep(backoff[min(failures, len(backoff) - 1)])
            failures += 1


def _given(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def _segment(text: str) -> str:
    return quote(str(text), safe="")


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


__all__ = ["AddonClient", "AddonError", "Snapshot"]
