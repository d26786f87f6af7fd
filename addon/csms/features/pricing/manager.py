"""Pricing in the central system: the tariffs set, each running session's cost, and telling the chargers.

A session takes its tariff when it starts (the tag's, the connector's, the charger's or the central
system's: book.py) and keeps it to its end, also across restarts (a tariff changed meanwhile applies to the
next session).  Its cost follows every meter reading and status change (cost.py) and is kept on the
transaction (`Transaction.cost`), final as it ends — before it goes into the history and the
TRANSACTION_ENDED event.  A charger that shows costs is told: the running cost after a new reading, at most
every `cost_update_interval` seconds, and the final cost (versions: the Charger's show_cost); a charger
that does not is told nothing.  A session reaching the tariff's maximum energy is stopped, paused or only noted,
the reason kept with its cost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ...model.events import Event, EventType
from ...model.station import ENERGY_IMPORT_REGISTER, Connector, Station
from ...model.status import CHARGING, connector_status
from ...model.transaction import Transaction
from ...rpc.timeutil import utcnow
from ...rpc.types import CallError, CallTimeout, NotConnected
from .book import TAG, Scope, TariffBook
from .cost import Cost, SessionMeter
from .notice import CostNotice
from .station_tariffs import StationTariffs, tariff_id
from .tariff import ON_MAX_LIMIT, ON_MAX_STOP, Tariff, TariffError

if TYPE_CHECKING:  # the port imports features/charger.py, which imports notice.py from here
    from ..port import Central

_LOGGER = logging.getLogger(__name__)

MAX_ENERGY = "max_energy"
# the errors of a charger that has no such message: it is not asked again while the central system runs
_NOT_TAKEN = frozenset({"NotImplemented", "NotSupported"})

type SessionKey = tuple[str, str]
# pause / resume charging at a connector without ending its session (features/limits.py LimitManager)
type ConnectorAction = Callable[[str, int], Awaitable[object]]


class PricingManager:
    """The tariff book and the running sessions' meters; persisted as the state's "pricing" section."""

    def __init__(
        self, central: Central, pause: ConnectorAction | None = None, resume: ConnectorAction | None = None
    ) -> None:
        self._central = central
        self._pause, self._resume = pause, resume
        self.tariffs = TariffBook()
        self._meters: dict[SessionKey, tuple[Scope, SessionMeter]] = {}
        self._told: dict[SessionKey, tuple[float, Decimal]] = {}
        self._not_taken: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        # the default tariffs of the stations that calculate costs themselves (OCPP 2.1)
        self.station_tariffs = StationTariffs(central, self.tariffs)
        central.state.tag_tariff = self.tag_tariff
        central.state.store.register_section("pricing", self._load, self._dump)
        central.state.transactions.ending_hooks.append(self._ending)
        central.events.subscribe(
            self._on_event, (EventType.TRANSACTION_STARTED, EventType.CONNECTOR_UPDATED, EventType.TRANSACTION_ENDED)
        )

    @property
    def zone(self) -> tzinfo:
        """The site's time zone (the configuration's, else the machine's)."""
        name = self._central.config.time_zone
        if name:
            return ZoneInfo(name)
        return datetime.now().astimezone().tzinfo or ZoneInfo("UTC")

    # ---- tariffs -------------------------------------------------------------------------

    async def set_tariff(self, scope: Scope, data: dict[str, Any]) -> Tariff:
        """Set (replace) the tariff of a scope; TariffError for a bad one or an unknown charger. Saved at once."""
        if scope.station_id is not None and scope.station_id not in self._central.stations:
            raise TariffError("unknown_charger", scope.station_id)
        tariff = Tariff.from_dict(data)
        self.tariffs.set(scope, tariff)
        await self._central.state.store.save_now()
        self.station_tariffs.tariffs_changed()
        return tariff

    async def clear_tariff(self, scope: Scope) -> bool:
        """False when that scope had none. Running sessions keep the tariff they started with."""
        cleared = self.tariffs.clear(scope)
        if cleared:
            await self._central.state.store.save_now()
            self.station_tariffs.tariffs_changed()
        return cleared

    def tag_tariff(self, id_tag: str) -> Tariff | None:
        """The tag's own tariff (None: it has none), for the stations that are told it (2.1 Authorize)."""
        return self.tariffs.get(Scope.of(id_tag=id_tag)) if id_tag.strip() else None

    def forget(self, station_id: str) -> None:
        self.tariffs.forget(station_id)
        for key in [key for key in self._meters if key[0] == station_id]:
            del self._meters[key]
            self._told.pop(key, None)
        self._not_taken.discard(station_id)
        self.station_tariffs.forget(station_id)

    def close(self) -> None:
        self.station_tariffs.close()
        for task in list(self._tasks):
            task.cancel()

    # ---- sessions ------------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.type is EventType.TRANSACTION_ENDED or event.connector_id is None:
            return
        if not self._meters and not self.tariffs:
            return  # nothing priced: every meter value of an unpriced site stops here
        station = self._central.stations.get(event.station_id)
        connector = station.connectors.get(event.connector_id) if station is not None else None
        if station is None or connector is None or connector.transaction is None:
            return
        tx = connector.transaction
        key = (station.station_id, tx.transaction_id)
        started = key not in self._meters
        found = self._meter(station, connector, tx)
        if found is None:
            return
        scope, meter = found
        before = meter.last_wh
        reading = connector.readings.get((ENERGY_IMPORT_REGISTER, None))
        at = reading.timestamp if reading is not None and reading.timestamp > meter.last_time else utcnow()
        register = tx.meter_last_wh if tx.meter_start_known else None
        meter.observe(at, register, connector_status(station, connector) == CHARGING, self._zone(meter.tariff))
        cost = self._put_cost(tx, scope, meter, at)
        if started:
            self._tell_user_price(station.station_id, tx, meter, cost)
        if meter.last_wh != before:
            self._check_limit(station.station_id, tx, meter, connector_id=connector.connector_id)
            self._tell_running(station.station_id, tx, meter, cost, at)

    def _meter(self, station: Station, connector: Connector, tx: Transaction) -> tuple[Scope, SessionMeter] | None:
        """The session's meter, begun with the tariff that applies when first seen (None: no tariff)."""
        key = (station.station_id, tx.transaction_id)
        found = self._meters.get(key)
        if found is not None and (found[0].kind == TAG or not tx.id_tag):
            return found
        resolved = self.tariffs.resolve(station.station_id, connector.connector_id, tx.id_tag)
        if found is not None:
            if resolved is None or resolved[0].kind != TAG:
                return found
            # the driver identified after the session started (2.x Authorized): the tag's tariff from its start
            self._meters[key] = (resolved[0], found[1].repriced(resolved[1], self._zone(resolved[1])))
            return self._meters[key]
        if resolved is None:
            return None
        scope, tariff = resolved
        meter = SessionMeter.begin(tariff, tx.start_time, tx.meter_start_wh if tx.meter_start_known else None)
        meter.charging = connector_status(station, connector) == CHARGING
        self._meters[key] = (scope, meter)
        return self._meters[key]

    def _zone(self, tariff: Tariff) -> tzinfo:
        return tariff.zone(self.zone)

    def _put_cost(
        self, tx: Transaction, scope: Scope, meter: SessionMeter, until: datetime, final: bool = False
    ) -> Cost:
        cost = meter.cost(until, self._zone(meter.tariff), final)
        tariff = {**scope.to_dict(), "name": meter.tariff.name, "id": tariff_id(meter.tariff)}
        tx.cost = {**cost.to_dict(), "tariff": tariff}
        if meter.limit_reached is not None:
            tx.cost["limit_reached"] = meter.limit_reached
        return cost

    def _ending(self, station_id: str, connector: Connector, tx: Transaction) -> None:
        """The final cost, on the transaction before it goes into the history (Transactions.ending_hooks)."""
        station = self._central.stations.get(station_id)
        found = self._meters.pop((station_id, tx.transaction_id), None)
        if found is None and station is not None:
            found = self._meter(station, connector, tx)
            self._meters.pop((station_id, tx.transaction_id), None)
        self._told.pop((station_id, tx.transaction_id), None)
        if found is None:
            return
        scope, meter = found
        if meter.limit_reached is not None and meter.tariff.on_max_energy == ON_MAX_LIMIT and self._resume:
            self._spawn(self._limit(self._resume, station_id, connector.connector_id, "resumed"))
        stop = tx.stop_time or utcnow()
        meter.observe(stop, tx.meter_stop_wh if tx.meter_start_known else None, None, self._zone(meter.tariff))
        self._check_limit(station_id, tx, meter, ending=True)
        cost = self._put_cost(tx, scope, meter, stop, final=True)
        self._central.state.store.save_soon()
        self._tell(station_id, self._notice(tx, meter, cost, stop, final=True))

    def _check_limit(
        self, station_id: str, tx: Transaction, meter: SessionMeter, ending: bool = False, connector_id: int = 0
    ) -> None:
        maximum = meter.tariff.max_energy_kwh
        if maximum is None or meter.limit_reached is not None or meter.total_wh < maximum * 1000:
            return
        meter.limit_reached = MAX_ENERGY
        if tx.cost is not None:
            tx.cost["limit_reached"] = MAX_ENERGY
        _LOGGER.info(
            "%s: transaction %s reached the tariff's maximum of %s kWh", station_id, tx.transaction_id, maximum
        )
        if not ending and meter.tariff.on_max_energy == ON_MAX_STOP:
            self._spawn(self._stop(station_id, tx.transaction_id))
        elif not ending and meter.tariff.on_max_energy == ON_MAX_LIMIT and self._pause and connector_id:
            self._spawn(self._limit(self._pause, station_id, connector_id, "paused"))

    async def _limit(self, action: ConnectorAction, station_id: str, connector_id: int, what: str) -> None:
        try:
            await action(station_id, connector_id)
        except (KeyError, ValueError) as err:  # a station forgotten meanwhile, a limit it cannot take
            _LOGGER.warning("%s: connector %s not %s at the tariff's maximum energy (%s)",
                            station_id, connector_id, what, err)  # fmt: skip

    async def _stop(self, station_id: str, transaction_id: str) -> None:
        try:
            answer = await self._central.charger(station_id).remote_stop(transaction_id)
        except (CallError, CallTimeout, NotConnected) as err:
            _LOGGER.warning("%s: transaction %s at its maximum energy could not be stopped (%s)",
                            station_id, transaction_id, err)  # fmt: skip
            return
        if answer.status != "Accepted":
            _LOGGER.warning("%s refused to stop transaction %s at its maximum energy (%s)",
                            station_id, transaction_id, answer.status)  # fmt: skip

    # ---- telling the charger ---------------------------------------------------------------

    def _notice(self, tx: Transaction, meter: SessionMeter, cost: Cost, at: datetime, final: bool) -> CostNotice:
        register = meter.last_wh if meter.last_wh is not None else Decimal(0)
        return CostNotice(
            transaction_id=tx.transaction_id,
            cost=cost.total,
            currency=cost.currency,
            timestamp=at,
            meter_wh=int(register),
            energy_kwh=cost.energy_kwh,
            charging=meter.charging,
            tariff=meter.tariff,
            final=final,
        )

    def _tell_running(self, station_id: str, tx: Transaction, meter: SessionMeter, cost: Cost, at: datetime) -> None:
        if tx.tariff_id is not None and tx.tariff_id == tariff_id(meter.tariff):
            return  # the station costs the session by its copy of this very tariff (OCPP 2.1) and shows it
        key = (station_id, tx.transaction_id)
        now = time.monotonic()
        last = self._told.get(key)
        if last is not None and (last[1] == cost.total or now - last[0] < self._central.config.cost_update_interval):
            return
        self._told[key] = (now, cost.total)
        self._tell(station_id, self._notice(tx, meter, cost, at, final=False))

    def _tell_user_price(self, station_id: str, tx: Transaction, meter: SessionMeter, cost: Cost) -> None:
        if tx.id_tag and self._shows_costs(station_id):
            self._spawn(
                self._send(station_id, "user price", tx.id_tag, self._notice(tx, meter, cost, meter.start, False))
            )

    def _tell(self, station_id: str, notice: CostNotice) -> None:
        if self._shows_costs(station_id):
            self._spawn(self._send(station_id, "final cost" if notice.final else "running cost", None, notice))

    def _shows_costs(self, station_id: str) -> bool:
        if station_id in self._not_taken or not self._central.is_connected(station_id):
            return False
        try:
            return self._central.charger(station_id).shows_costs
        except NotConnected:
            return False

    async def _send(self, station_id: str, what: str, id_tag: str | None, notice: CostNotice) -> None:
        try:
            charger = self._central.charger(station_id)
            if id_tag is not None:
                await charger.show_user_price(id_tag, notice)
            else:
                await charger.show_cost(notice)
        except CallError as err:
            if err.code in _NOT_TAKEN:
                self._not_taken.add(station_id)
            _LOGGER.info("%s did not take the %s of transaction %s (%s)", station_id, what, notice.transaction_id, err)
        except (CallTimeout, NotConnected) as err:
            _LOGGER.debug("%s: the %s of transaction %s not sent (%s)", station_id, what, notice.transaction_id, err)

    def _spawn(self, coroutine: Any) -> None:
        try:
            task = asyncio.get_running_loop().create_task(coroutine)
        except RuntimeError:
            coroutine.close()  # no loop (a synchronous caller): nothing is sent
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- persistence -----------------------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        return {
            "tariffs": self.tariffs.dump(),
            "installed": self.station_tariffs.dump(),
            "sessions": [
                {"station_id": key[0], "transaction_id": key[1], "scope": scope.to_dict(), "meter": meter.to_dict()}
                for key, (scope, meter) in self._meters.items()
            ],
        }

    def _load(self, data: Any) -> None:
        data = data if isinstance(data, dict) else {}
        self.tariffs.load(data.get("tariffs"))
        self.station_tariffs.load(data.get("installed"))
        self._meters.clear()
        for item in data.get("sessions") or ():
            try:
                where = item["scope"]
                scope = Scope.of(where.get("station_id"), where.get("connector_id"), where.get("id_tag"))
                self._meters[(str(item["station_id"]), str(item["transaction_id"]))] = (
                    scope,
                    SessionMeter.from_dict(item["meter"]),
                )
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                _LOGGER.warning("A running session's cost could not be read and starts afresh (%s)", err)
        # the stations are loaded first: a meter whose session is no longer open is of no use
        open_sessions = {
            (station_id, connector.transaction.transaction_id)
            for station_id, station in self._central.stations.items()
            for connector in station.connectors.values()
            if connector.transaction is not None
        }
        for key in [key for key in self._meters if key not in open_sessions]:
            del self._meters[key]
