"""RemoteCentral: the add-on's central system as a CentralBackend (backend.py, docs/remote_mode.md).

The mirror is made of csms's own Station and Connector objects, filled from the add-on's snapshot and kept
current from its event stream: each message's state is applied first, then the same csms Event is emitted,
so EventBridge, AutomationEvents and the repairs work as they do on the embedded central system.

The stream's cursor (stream, seq) is kept (`CursorKeeper`): after a restart of Home Assistant the mirror is
read from the snapshot (the state now) and the stream from the cursor, so the events of the time Home
Assistant was away (a session that ended meanwhile) are delivered once, in order; their state is not
applied over the newer snapshot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..csms import (
    CallError,
    ChargerAnswer,
    Event,
    EventType,
    FieldRequires,
    InvalidCall,
    InvalidLimit,
    LimitState,
    NotConnected,
    Station,
    TagRefused,
    UnsupportedVersion,
    apply_connector_state,
    mirror_station,
    station_phases,
)
from ..csms.features.limit_profiles import max_amps, max_watts
from ..csms.model.counters import StationCounters
from ..csms.model.events import EventBus
from ..csms.model.station import Connector
from ..csms.rpc.loglimit import LogLimiter
from ..errors import validation_error
from .client import COMMAND_TIMEOUT, AddonClient, Snapshot
from .errors import (
    AddonError,
    AuthFailed,
    ChargerOffline,
    ChargerRefused,
    CommandTimeout,
    CursorExpired,
    RequestRefused,
)
from .failures import AddonUnreachableError, addon_failure
from .records import RemoteRecords

_LOGGER = logging.getLogger(__name__)

Answer = dict[str, Any]


class CursorKeeper(Protocol):
    """Where the stream's cursor is kept across restarts of Home Assistant (the entry's storage)."""

    async def load(self) -> tuple[str, int] | None: ...
    def save_soon(self, stream: str, seq: int) -> None: ...
    async def save_now(self, stream: str, seq: int) -> None: ...


@dataclass(frozen=True, slots=True)
class RemoteConfig:
    # errors.ocpp_call bounds a command at 2 × call_timeout + 1 s: the add-on waits for the charger itself
    call_timeout: float = COMMAND_TIMEOUT / 2


class RemoteState:
    """What the HA side reads of csms's CentralState: the per-charger log limiter."""

    def __init__(self) -> None:
        self.logs = LogLimiter()


def _limit(data: dict[str, Any]) -> LimitState:
    fields = {k: v for k, v in data.items() if k in LimitState.__dataclass_fields__}
    updated = fields.get("updated")
    if isinstance(updated, str):
        fields["updated"] = datetime.fromisoformat(updated)
    return LimitState(**fields)


# the add-on's refusals that are the embedded services' validation errors of the same key
_SAME_VALIDATION = frozenset({"no_open_transaction", "several_open_transactions"})


def _jsonable(value: Any) -> Any:
    """A service field as the API takes it (the services' schemas make times datetimes)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


class RemoteLimits:
    """Load management on the add-on: the limits as it announced them; changes go to it."""

    def __init__(self, central: RemoteCentral) -> None:
        self._central = central
        self._limits: dict[tuple[str, int], LimitState] = {}

    def load(self, station_id: str, limits: list[dict[str, Any]]) -> None:
        for key in [key for key in self._limits if key[0] == station_id]:
            del self._limits[key]
        for data in limits:
            state = _limit(data)
            self._limits[(station_id, state.evse_id)] = state

    def on_event(self, station_id: str, evse_id: int, data: dict[str, Any]) -> None:
        if data.get("cleared"):
            self._limits.pop((station_id, evse_id), None)
        elif "amps" in data:
            self._limits[(station_id, evse_id)] = _limit({**data, "evse_id": evse_id})

    def get(self, station_id: str, evse_id: int) -> LimitState | None:
        return self._limits.get((station_id, evse_id))

    def paused(self, station_id: str, evse_id: int) -> bool:
        state = self._limits.get((station_id, evse_id))
        return state is not None and state.amps == 0

    def max_amps(self, station_id: str) -> float:
        return max_amps(self._central.stations.get(station_id))

    def max_watts(self, station_id: str, evse_id: int) -> float:
        return max_watts(self.max_amps(station_id), self._central.phases(station_id))

    async def set_limit(
        self, station_id: str, evse_id: int, *, amps: float | None = None, watts: float | None = None
    ) -> LimitState:
        fields: dict[str, Any] = {"connector_id": evse_id, **({"amps": amps} if amps is not None else {})}
        if watts is not None:
            fields["watts"] = watts
        return self._kept(station_id, evse_id, await self._central.command(station_id, "set_current_limit", fields))

    async def pause(self, station_id: str, evse_id: int) -> LimitState:
        answer = await self._central.command(station_id, "pause_charging", {"connector_id": evse_id})
        return self._kept(station_id, evse_id, answer)

    async def resume(self, station_id: str, evse_id: int) -> LimitState | None:
        answer = await self._central.command(station_id, "resume_charging", {"connector_id": evse_id})
        if answer.get("cleared"):
            self._limits.pop((station_id, evse_id), None)
            return None
        return self._kept(station_id, evse_id, answer)

    async def clear_limit(self, station_id: str, evse_id: int) -> bool:
        answer = await self._central.command(station_id, "clear_current_limit", {"connector_id": evse_id})
        self._limits.pop((station_id, evse_id), None)
        return bool(answer.get("cleared"))

    def _kept(self, station_id: str, evse_id: int, answer: Answer) -> LimitState:
        """The command's answer, unless the stream brought a newer state of the limit meanwhile (the charger's
        answer to it, say): the answer and the stream come on two channels, in either order."""
        state = _limit({**answer, "evse_id": evse_id})
        known = self._limits.get((station_id, evse_id))
        if known is not None and known.updated > state.updated:
            return known
        self._limits[(station_id, evse_id)] = state
        return state


class RemoteCharger:
    """The buttons' and switches' commands, sent to the add-on."""

    def __init__(self, central: RemoteCentral, station_id: str) -> None:
        self._central, self._station_id = central, station_id

    async def _send(self, name: str, fields: dict[str, Any]) -> ChargerAnswer:
        given = {key: value for key, value in fields.items() if value is not None}
        return ChargerAnswer.of(await self._central.command(self._station_id, name, given))

    async def restart(self, hard: bool = False, *, evse_id: int | None = None, on_idle: bool = False) -> ChargerAnswer:
        kind = "OnIdle" if on_idle else "Hard" if hard else "Soft"
        return await self._send("reset", {"type": kind, "connector_id": evse_id})

    async def unlock(self, connector_id: int, evse_connector_id: int | None = None) -> ChargerAnswer:
        return await self._send(
            "unlock_connector", {"connector_id": connector_id, "evse_connector_id": evse_connector_id}
        )

    async def change_availability(
        self, connector_id: int | None, operative: bool, evse_connector_id: int | None = None
    ) -> ChargerAnswer:
        fields = {"type": "Operative" if operative else "Inoperative", "connector_id": connector_id}
        return await self._send("change_availability", {**fields, "evse_connector_id": evse_connector_id})


class RemoteCentral:
    """The add-on's central system, mirrored (see the module's docstring)."""

    def __init__(self, client: AddonClient, cursor: CursorKeeper) -> None:
        self.client = client
        self.events = EventBus()
        self.limits = RemoteLimits(self)
        self.config = RemoteConfig()
        self.state = RemoteState()
        self.records = RemoteRecords(self)  # tags, settings, passwords: the add-on's (remote/records.py)
        self._stations: dict[str, Station] = {}
        self._phases: dict[str, int] = {}
        self._cursor_keeper = cursor
        self.stream, self.seq = "", 0
        # where the stream starts (the saved cursor, else the snapshot's) and the snapshot's seq: events up to
        # it are delivered, their state is older than the mirror's
        self._since = 0
        self._snapshot_seq = 0
        self.reachable = True
        # called with False when the add-on is lost, True when it is back and caught up (remote/setup.py)
        self.on_reachable: Callable[[bool], None] = lambda reachable: None
        # called when the mirror was read again whole (CursorExpired): every entity refreshes
        self.on_reloaded: Callable[[], None] = lambda: None
        # called on AuthFailed: the token was refused (reauthentication)
        self.on_auth_failed: Callable[[], None] = lambda: None
        self.caught_up = asyncio.Event()
        # set when the entry's token was renewed (reauthentication): the stream goes on with it
        self._token_renewed = asyncio.Event()
        # the add-on's version (its snapshot's; None: an add-on that does not say) and how often the mirror was
        # read again because the stream could not go on (diagnostics)
        self.addon_version: str | None = None
        self.reloads = 0

    # ---- CentralBackend: state -------------------------------------------------------------

    @property
    def stations(self) -> Mapping[str, Station]:
        return self._stations

    def is_known(self, station_id: str) -> bool:
        return self.reachable and station_id in self._stations

    def is_connected(self, station_id: str) -> bool:
        station = self._stations.get(station_id)
        return self.reachable and station is not None and station.connected

    def phases(self, station_id: str) -> int:
        return self._phases.get(station_id, 1)

    # ---- CentralBackend: commands ----------------------------------------------------------

    def charger(self, station_id: str) -> RemoteCharger:
        return RemoteCharger(self, station_id)

    async def remote_start(self, station_id: str, connector_id: int | None, id_tag: str) -> Answer:
        fields: dict[str, Any] = {"id_tag": id_tag}
        if connector_id:
            fields["connector_id"] = connector_id
        return await self.command(station_id, "start_transaction", fields)

    async def remote_stop(self, station_id: str, transaction_id: str) -> Answer:
        return await self.command(station_id, "stop_transaction", {"transaction_id": transaction_id})

    async def run_service(
        self, station_id: str, name: str, fields: dict[str, Any], local: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        given = {key: _jsonable(value) for key, value in fields.items() if key != "device_id"}
        return await self.command(station_id, name, given)

    async def session_history(
        self, station_id: str | None, since: datetime | None, until: datetime | None
    ) -> list[dict[str, Any]]:
        try:
            return await self.client.transactions(
                station_id, since=_jsonable(since) if since else None, until=_jsonable(until) if until else None
            )
        except RequestRefused as err:
            if err.code == "unknown_charger":  # (one the add-on does not know has no sessions, as embedded)
                return []
            raise addon_failure(self.client, err) from err
        except AddonError as err:
            raise addon_failure(self.client, err) from err

    async def command(self, station_id: str, name: str, fields: dict[str, Any]) -> Answer:
        """A command on the add-on; its failures raised as csms raises them (errors.ocpp_call translates)."""
        try:
            answer = await self.client.command(station_id, name, **fields)
        except ChargerOffline as err:
            raise NotConnected(str(err)) from err
        except ChargerRefused as err:
            refused = err.answer if isinstance(err.answer, dict) else {}
            if err.code == "call_error":
                code, description = refused.get("code") or "GenericError", refused.get("description") or ""
                raise CallError(name, str(code), str(description), refused.get("details")) from err
            return refused  # the charger's refusing answer: ocpp_call decides, as for an embedded charger
        except CommandTimeout as err:
            raise TimeoutError(str(err)) from err
        except RequestRefused as err:
            if err.code in _SAME_VALIDATION:  # the add-on found what the embedded services find: the same error
                raise validation_error(str(err.code), charger=station_id) from err
            if err.code == "invalid_limit":
                raise InvalidLimit(str(err)) from err
            if err.code == "unsupported_version":
                raise UnsupportedVersion(str(err)) from err
            if err.code == "field_requires":  # the add-on's check is the service's (csms): the same names
                details = err.details
                raise FieldRequires(str(details.get("field") or ""), str(details.get("requires") or "")) from err
            if err.code == "tag_refused":  # the add-on would refuse the tag's start: nothing was sent
                details = err.details
                raise TagRefused(
                    station_id, str(details.get("id_tag") or ""), str(details.get("tag_status") or "")
                ) from err
            raise InvalidCall(name, str(err)) from err
        except AddonError as err:
            raise addon_failure(self.client, err) from err
        return answer if isinstance(answer, dict) else {"answer": answer}

    # ---- the mirror ------------------------------------------------------------------------

    async def load(self) -> None:
        """Read the snapshot (the state now) and the kept cursor (where the stream goes on); raises AddonError."""
        snapshot = await self.client.snapshot()
        kept = await self._cursor_keeper.load()
        self._fill(snapshot)
        if kept is not None and kept[0] == snapshot.stream and kept[1] <= snapshot.seq:
            self._since = kept[1]  # the events since then are delivered (their state is older than the mirror's)
        else:
            self._since = snapshot.seq

    def _fill(self, snapshot: Snapshot) -> None:
        self.stream, self.seq, self._snapshot_seq = snapshot.stream, snapshot.seq, snapshot.seq
        self.addon_version = snapshot.version
        stations: dict[str, Station] = {}
        for charger in snapshot.chargers:
            station_id = str(charger["id"])
            mirror = charger.get("mirror") or {}
            stations[station_id] = mirror_station(station_id, mirror)
            self._phases[station_id] = station_phases(mirror)
            self.limits.load(station_id, list(charger.get("limits") or ()))
        self._stations.clear()
        self._stations.update(stations)

    async def run(self) -> None:
        """Follow the event stream for ever (the entry's background task): reconnects by itself."""
        while True:
            try:
                async for message in self.client.events(self._since, self.stream, on_connection=self._connection):
                    self._on_message(message)
            except CursorExpired:
                _LOGGER.warning(
                    "The OCPP Core add-on no longer holds its events after %s (its journal moved on, or its "
                    "database was replaced): its state is read again; events of that time may have been missed "
                    "(sessions started or ended, tags presented)",
                    self._since,
                )
                try:
                    await self._reload()
                except AuthFailed:
                    await self._wait_for_token()
            except AuthFailed:
                await self._wait_for_token()

    async def _wait_for_token(self) -> None:
        """The token was refused: every entity unavailable, the reauthentication started; the stream goes on
        from its cursor once the entry has a token again (`renew_token`: no reload)."""
        _LOGGER.warning("The OCPP Core add-on refused the API token: reauthenticate")
        self._set_reachable(False)
        self._token_renewed.clear()
        self.on_auth_failed()
        await self._token_renewed.wait()

    def renew_token(self, token: str) -> None:
        """The reauthentication's token: the client uses it from now on, a stream waiting for it goes on."""
        self.client.set_token(token)
        self._token_renewed.set()

    async def _reload(self) -> None:
        while True:
            try:
                snapshot = await self.client.snapshot()
            except AuthFailed:
                raise
            except AddonError:
                await asyncio.sleep(2.0)
                continue
            break
        known = set(self._stations)
        self.reloads += 1
        self._fill(snapshot)
        self._since = snapshot.seq
        self._cursor_keeper.save_soon(self.stream, self.seq)
        for station_id in self._stations.keys() - known:  # new while we were away: their devices come now
            self.events.emit(Event(EventType.STATION_ADDED, station_id))
        self.on_reloaded()

    def _connection(self, connected: bool) -> None:
        if not connected:
            self.caught_up.clear()
            self._set_reachable(False)

    def _set_reachable(self, reachable: bool) -> None:
        if reachable != self.reachable:
            self.reachable = reachable
            self.on_reachable(reachable)

    def _on_message(self, message: dict[str, Any]) -> None:
        if message.get("type") == "replayed":
            self._set_reachable(True)
            self.caught_up.set()
            return
        seq = int(message["seq"])
        self.seq = self._since = seq
        self._cursor_keeper.save_soon(self.stream, seq)
        try:
            kind = EventType(message["type"])
        except ValueError:
            return  # a newer add-on's event this release does not know
        station_id = str(message.get("station_id") or "")
        connector_id = message.get("connector_id")
        data = message.get("data") or {}
        if seq > self._snapshot_seq:  # newer than the snapshot: its state is the state now
            self._apply(kind, station_id, connector_id, data, message.get("mirror"))
        elif station_id not in self._stations:
            return  # of a charger forgotten since (the snapshot has it no more)
        # readings alone (live only: a replay's coalesced event stands for the changes it replaced too)
        readings_only = bool(message.get("readings_only")) and self.caught_up.is_set()
        self.events.emit(Event(kind, station_id, connector_id, data, readings_only=readings_only))

    def _apply(
        self, kind: EventType, station_id: str, connector_id: int | None, data: dict[str, Any], mirror: Any
    ) -> None:
        if isinstance(mirror, dict):
            station_state = mirror.get("station")
            connector_state = mirror.get("connector")
            if isinstance(station_state, dict):
                old = self._stations.get(station_id)
                self._stations[station_id] = mirror_station(station_id, station_state, old)
                self._phases[station_id] = station_phases(station_state)
            elif isinstance(connector_state, dict) and connector_id and station_id in self._stations:
                station = self._stations[station_id]
                connector = station.connectors.get(connector_id)
                if connector is None:
                    connector = station.connectors[connector_id] = Connector(connector_id)
                apply_connector_state(connector, connector_state)
                counters = mirror.get("counters")
                if isinstance(counters, dict):  # a session ended: the charger's count with it
                    station.counters = StationCounters.from_dict(counters)
        elif kind is EventType.DISCONNECTED:
            # no state with it: the add-on forgot the charger as it went (one that never registered), as the
            # embedded central system does; kept, it would stay connected in the mirror
            self._drop(station_id)
        if kind is EventType.LIMIT and connector_id is not None:
            self.limits.on_event(station_id, connector_id, data)

    def _drop(self, station_id: str) -> None:
        self._stations.pop(station_id, None)
        self._phases.pop(station_id, None)
        self.limits.load(station_id, [])

    async def forget_station(self, station_id: str) -> bool:
        """The add-on forgets the charger (its store's data and sessions); False (nothing done) while connected."""
        try:
            await self.client.forget_charger(station_id)
        except RequestRefused as err:
            if err.code == "charger_connected":
                return False
            if err.code != "unknown_charger":  # (already forgotten there: gone here too)
                raise
        except AddonError as err:
            raise addon_failure(self.client, err) from err
        self._drop(station_id)
        return True

    async def close(self) -> None:
        """Keep the cursor now (Home Assistant stops, or the entry unloads)."""
        if self.stream:
            await self._cursor_keeper.save_now(self.stream, self.seq)


__all__ = ["AddonUnreachableError", "CursorKeeper", "RemoteCentral"]
