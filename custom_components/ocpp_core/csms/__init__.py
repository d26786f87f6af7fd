"""OCPP central system, free of Home Assistant so the add-on runs the same code."""

from .central import CentralSystem
from .config import CentralSystemConfig
from .events import Event, EventType
from .model import Connector, MeterSample, RegistrationStatus, Reservation, Station, Transaction
from .persistence import MemoryPersistence, Persistence
from .rpc_types import CallError, CallTimeout, InvalidCall, NotConnected, OcppVersion

__all__ = [
    "CallError",
    "CallTimeout",
    "CentralSystem",
    "CentralSystemConfig",
    "Connector",
    "Event",
    "EventType",
    "InvalidCall",
    "MemoryPersistence",
    "MeterSample",
    "NotConnected",
    "OcppVersion",
    "Persistence",
    "RegistrationStatus",
    "Reservation",
    "Station",
    "Transaction",
]
