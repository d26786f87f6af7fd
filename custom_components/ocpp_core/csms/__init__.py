"""OCPP central system, free of Home Assistant so the add-on runs the same code."""

from .central import CentralSystem, UnsupportedVersion
from .config import CentralSystemConfig
from .model.device_model import DeviceModel, DeviceVariable
from .model.events import Event, EventType
from .model.settings import ChargerSettings, InvalidSettings
from .model.station import Connector, MeterSample, RegistrationStatus, Reservation, Station, Transaction
from .model.station_v2 import StationV2
from .rpc.types import CallError, CallTimeout, InvalidCall, NotConnected, OcppVersion
from .state.authorization import TagRefused
from .state.persistence import MemoryPersistence, Persistence

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
