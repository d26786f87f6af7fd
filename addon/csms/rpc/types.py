"""OCPP-J message framing constants and error codes, per protocol version."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class OcppVersion(StrEnum):
    """The OCPP-J subprotocols we speak, by their WebSocket subprotocol name."""

    V16 = "ocpp1.6"
    V201 = "ocpp2.0.1"
    V21 = "ocpp2.1"

    @property
    def is_v2(self) -> bool:
        return self is not OcppVersion.V16


# OCPP 2.0.1 and 2.1 (2.1 keeps 2.0.1's operations and their names)
V2_VERSIONS: frozenset[OcppVersion] = frozenset(version for version in OcppVersion if version.is_v2)


class MessageType(IntEnum):
    CALL = 2
    CALLRESULT = 3
    CALLERROR = 4
    # OCPP 2.1 only
    CALLRESULTERROR = 5
    SEND = 6


class ErrorKind(StrEnum):
    """Version-neutral reasons for a CALLERROR; `error_code` maps them per version."""

    NOT_JSON = "not_json"
    BAD_FRAME = "bad_frame"
    UNKNOWN_MESSAGE_TYPE = "unknown_message_type"
    INCOMPLETE = "incomplete"
    NOT_IMPLEMENTED = "not_implemented"
    NOT_SUPPORTED = "not_supported"
    INTERNAL = "internal"
    FORMAT = "format"
    TYPE = "type"
    PROPERTY = "property"
    OCCURRENCE = "occurrence"
    SECURITY = "security"
    GENERIC = "generic"


_V16_CODES: dict[ErrorKind, str] = {
    ErrorKind.NOT_JSON: "FormationViolation",
    ErrorKind.BAD_FRAME: "FormationViolation",
    ErrorKind.UNKNOWN_MESSAGE_TYPE: "ProtocolError",
    ErrorKind.INCOMPLETE: "ProtocolError",
    ErrorKind.NOT_IMPLEMENTED: "NotImplemented",
    ErrorKind.NOT_SUPPORTED: "NotSupported",
    ErrorKind.INTERNAL: "InternalError",
    ErrorKind.FORMAT: "FormationViolation",
    ErrorKind.TYPE: "TypeConstraintViolation",
    ErrorKind.PROPERTY: "PropertyConstraintViolation",
    # sic: OCPP 1.6 spells it with one "r"
    ErrorKind.OCCURRENCE: "OccurenceConstraintViolation",
    ErrorKind.SECURITY: "SecurityError",
    ErrorKind.GENERIC: "GenericError",
}

_V2_CODES: dict[ErrorKind, str] = {
    ErrorKind.NOT_JSON: "RpcFrameworkError",
    ErrorKind.BAD_FRAME: "RpcFrameworkError",
    ErrorKind.UNKNOWN_MESSAGE_TYPE: "MessageTypeNotSupported",
    ErrorKind.INCOMPLETE: "RpcFrameworkError",
    ErrorKind.NOT_IMPLEMENTED: "NotImplemented",
    ErrorKind.NOT_SUPPORTED: "NotSupported",
    ErrorKind.INTERNAL: "InternalError",
    ErrorKind.FORMAT: "FormatViolation",
    ErrorKind.TYPE: "TypeConstraintViolation",
    ErrorKind.PROPERTY: "PropertyConstraintViolation",
    ErrorKind.OCCURRENCE: "OccurrenceConstraintViolation",
    ErrorKind.SECURITY: "SecurityError",
    ErrorKind.GENERIC: "GenericError",
}


def error_code(version: OcppVersion, kind: ErrorKind) -> str:
    """The CALLERROR errorCode string the given OCPP version prescribes."""
    return (_V16_CODES if version is OcppVersion.V16 else _V2_CODES)[kind]


# The message id to use when the charger's own id could not be read (OCPP 2.x RPC rules).
UNKNOWN_MESSAGE_ID = "-1"


class OcppError(Exception):
    """A protocol-level failure that becomes a CALLERROR towards the charger."""

    def __init__(self, kind: ErrorKind, description: str = "", details: dict[str, object] | None = None) -> None:
        super().__init__(description or kind.value)
        self.kind = kind
        self.description = description
        self.details = details or {}


class CallError(Exception):
    """The charger answered one of our CALLs with a CALLERROR."""

    def __init__(self, action: str, code: str, description: str, details: object) -> None:
        super().__init__(f"{action}: {code} {description}".strip())
        self.action = action
        self.code = code
        self.description = description
        self.details = details


class CallTimeout(TimeoutError):
    """The charger did not answer one of our CALLs in time."""

    def __init__(self, action: str, timeout: float) -> None:
        super().__init__(f"{action}: no answer within {timeout:g} s")
        self.action = action


class InvalidCall(ValueError):
    """A CALL we were asked to send breaks the OCPP schema (or names no action): nothing was sent."""

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"{action}: {reason}")
        self.action = action
        self.reason = reason


class NotConnected(ConnectionError):
    """The charger is not connected, so no CALL can be sent."""
