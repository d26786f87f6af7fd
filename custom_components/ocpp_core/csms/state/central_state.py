"""The domain state of the central system: the store, and the recorders composed on it.

Adapters translate version-specific messages into calls of the recorders; each
recorder holds the store (and the few other recorders it needs), and every
change is announced on the event bus.  Transactions and the transaction id
counter are written through to persistence before the charger gets its answer;
everything else is saved soon after it changes (see store.py).

    store               stations, persisted sections, ids, saving, log_once (store.py)
    activity            connections, boots, statuses, meter values (activity.py)
    reservations        reservations and their expiry (reservations.py)
    transactions        open and ended transactions, the history (transactions.py)
    transaction_events  OCPP 2.x TransactionEvents (transaction_events.py)
    reports             configuration, local list, firmware, logs, security (configuration_reports.py)
    v2_reports          2.x topology, device model, limits, EV, messages (device_model_reports.py)
    authorization       tags, policy, remote starts (authorization.py)
"""

from __future__ import annotations

from collections.abc import Callable

from ..model.events import EventBus
from ..model.station import Station
from .activity import StationActivity
from .authorization import Authorization
from .configuration_reports import ConfigurationReports
from .device_model_reports import DeviceModelReports
from .persistence import Persistence
from .reservations import Reservations
from .store import StateStore
from .transaction_events import TransactionEvents
from .transactions import Transactions


class CentralState:
    """The store and its recorders, built once per central system."""

    def __init__(self, persistence: Persistence, events: EventBus, history_size: int = 1000) -> None:
        self.store = StateStore(persistence, events)
        self.events = events
        self.stations: dict[str, Station] = self.store.stations
        self.logs = self.store.logs
        # the id tags, the tag policy and the remote starts asked for (see authorization.py)
        self.authorization = Authorization(self.stations)
        self.reservations = Reservations(self.store)
        self.activity = StationActivity(self.store, self.reservations)
        self.transactions = Transactions(self.store, history_size)
        self.transaction_events = TransactionEvents(
            self.store, self.transactions, self.activity.record_samples, self.reservations
        )
        self.reports = ConfigurationReports(self.store)
        self.v2_reports = DeviceModelReports(self.store, self.activity)
        # a tag's own tariff (features/pricing sets it; an OCPP 2.1 AuthorizeResponse carries it): None when none
        self.tag_tariff: Callable[[str], object | None] = _no_tariff

    async def load(self) -> None:
        """Read what was saved; the reservations' expiry timers start."""
        await self.store.load()
        for station_id in self.stations:
            self.reservations.schedule_expiry(station_id)

    def close(self) -> None:
        """Stop the reservation expiry timers (the central system stops)."""
        self.reservations.close()

    def forget(self, station_id: str) -> None:
        """Drop the station and what this state keeps beside it (its log-once keys, reservation timer)."""
        self.store.forget(station_id)
        self.reservations.forget(station_id)


def _no_tariff(id_tag: str) -> None:
    return None
