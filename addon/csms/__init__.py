"""OCPP central system, free of Home Assistant so the add-on runs the same code."""

from .authorization import TagRefused
from .central import CentralSystem, UnsupportedVersion
from .config import CentralSystemConfig
from .devicemodel import DeviceModel, DeviceVariable
from .events import Event, EventType
from .model import Connector, MeterSample, RegistrationStatus, Reservation, Station, Transaction
from .model2 import StationV2
from .persistence import MemoryPersistence, Persistence
from .rpc_types import CallError, CallTimeout, InvalidCall, NotConnected, OcppVersion
from .settings import ChargerSettings, InvalidSettings

__all__ = [
    "CallError",
    "CallTimeout",
    "CentralSystem",
    "CentralSystemConfig",
    "ChargerSettings",
    "Connector",
    "DeviceModel",
    "DeviceVariable",
    "Event",
    "EventType",
    "InvalidCall",
    "InvalidSettings",
    "MemoryPersistence",
    "MeterSample",
    "NotConnected",
    "OcppVersion",
    "Persistence",
    "RegistrationStatus",
    "Reservation",
    "Station",
    "StationV2",
    "TagRefused",
    "Transaction",
    "UnsupportedVersion",
]
