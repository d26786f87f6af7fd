"""OCPP central system, free of Home Assistant so the add-on runs the same code.

The Home Assistant side and the add-on import only from here; the layers are in docs/architecture.md.
"""

from .central import CentralSystem
from .config import CentralSystemConfig, CentralSystemOptions
from .features.charger import Charger, ChargerAnswer, ChargingProfile
from .features.charger_commands import InvalidArgument, UnsupportedVersion
from .features.charger_requests import (
    CertificateHash,
    FieldRequires,
    FirmwareUpdate,
    LogRequest,
    LogUpload,
    ProfileCriteria,
    RemoteStart,
    check_signed_fields,
)
from .features.credentials import PUSH_MAX_LENGTH, PUSH_MIN_LENGTH, InvalidPassword, validate_password
from .features.limit_profiles import simple_charging_profile
from .features.limits import InvalidLimit, LimitManager, LimitState, LimitStatus
from .model.device_model import DeviceModel, DeviceVariable
from .model.events import Event, EventType
from .model.mirror import apply_connector_state, connector_state, mirror_station, station_phases, station_state
from .model.settings import (
    LIMIT_PROFILES,
    MAX_CURRENT_LIMIT,
    MAX_METER_INTERVAL,
    PHASES,
    ChargerSettings,
    InvalidSettings,
)
from .model.station import (
    CURRENT_IMPORT,
    CURRENT_OFFERED,
    ENERGY_EXPORT_REGISTER,
    FREQUENCY,
    POWER_FACTOR,
    POWER_IMPORT,
    SOC,
    TEMPERATURE,
    VOLTAGE,
    Connector,
    MeterSample,
    RegistrationStatus,
    Reservation,
    Station,
)
from .model.station_v2 import StationV2
from .model.status import connector_status, delivering
from .model.transaction import Transaction
from .profiles import simple_profile
from .rpc.timeutil import format_timestamp, utcnow
from .rpc.types import V2_VERSIONS, CallError, CallTimeout, InvalidCall, NotConnected, OcppVersion
from .state.authorization import TagPolicy, TagRefused
from .state.persistence import MemoryPersistence, Persistence
from .state.tags import ACCEPTED, TAG_STATUSES, TagError, TagRecord
from .transport.tls import TlsSetupError, server_context
from .v16.commands import V16Commands
from .v201.charger import evse_connector, given_local_list_entry
from .v201.commands import V201Commands

__all__ = [
    "ACCEPTED",
    "CURRENT_IMPORT",
    "CURRENT_OFFERED",
    "ENERGY_EXPORT_REGISTER",
    "FREQUENCY",
    "LIMIT_PROFILES",
    "MAX_CURRENT_LIMIT",
    "MAX_METER_INTERVAL",
    "PHASES",
    "POWER_FACTOR",
    "POWER_IMPORT",
    "PUSH_MAX_LENGTH",
    "PUSH_MIN_LENGTH",
    "SOC",
    "TAG_STATUSES",
    "TEMPERATURE",
    "V2_VERSIONS",
    "VOLTAGE",
    "CallError",
    "CallTimeout",
    "CentralSystem",
    "CentralSystemConfig",
    "CentralSystemOptions",
    "CertificateHash",
    "Charger",
    "ChargerAnswer",
    "ChargerSettings",
    "ChargingProfile",
    "Connector",
    "DeviceModel",
    "DeviceVariable",
    "Event",
    "EventType",
    "FieldRequires",
    "FirmwareUpdate",
    "InvalidArgument",
    "InvalidCall",
    "InvalidLimit",
    "InvalidPassword",
    "InvalidSettings",
    "LimitManager",
    "LimitState",
    "LimitStatus",
    "LogRequest",
    "LogUpload",
    "MemoryPersistence",
    "MeterSample",
    "NotConnected",
    "OcppVersion",
    "Persistence",
    "ProfileCriteria",
    "RegistrationStatus",
    "RemoteStart",
    "Reservation",
    "Station",
    "StationV2",
    "TagError",
    "TagPolicy",
    "TagRecord",
    "TagRefused",
    "TlsSetupError",
    "Transaction",
    "UnsupportedVersion",
    "V16Commands",
    "V201Commands",
    "apply_connector_state",
    "check_signed_fields",
    "connector_state",
    "connector_status",
    "delivering",
    "evse_connector",
    "format_timestamp",
    "given_local_list_entry",
    "mirror_station",
    "server_context",
    "simple_charging_profile",
    "simple_profile",
    "station_phases",
    "station_state",
    "utcnow",
    "validate_password",
]
