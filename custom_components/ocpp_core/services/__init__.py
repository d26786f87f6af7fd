"""Actions (services) of OCPP Core: every operation a central system can ask of a charger.

They are registered once, when the integration is set up, and serve every
config entry.  Each names a charger device, or one of its connector devices
(a connector device stands for its charger and picks the connector), by
`device_id`.  The charger's answer is the service response.  A charger that is
offline, refuses, answers with a CALLERROR or not at all gives a translated
error naming it and the reason (see errors.py); the wait is bounded.

The names and fields are the same for every OCPP version.  Each service has an
implementation per version; a field a version does not understand is a
validation error, and a version without an implementation gets a clear
"not supported for this charger" error.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..coordinator import OcppConfigEntry
from ..csms import CentralSystem
from ..errors import ha_error, ocpp_call, validation_error, version_name
from .catalog import CHARGER_SERVICES, GET_TRANSACTIONS_SCHEMA, ChargerService, Implementation
from .fields import (
    ATTR_CONNECTOR_ID,
    AVAILABILITY_TYPES,
    CERTIFICATE_TYPES,
    EXTENDED_TRIGGER_MESSAGES,
    HASH_ALGORITHMS,
    ID_TAG_STATUSES,
    LOG_TYPES,
    PROFILE_PURPOSES,
    RATE_UNITS,
    RESET_TYPES,
    SERVICE_GET_TRANSACTIONS,
    TRIGGER_MESSAGES,
    UPDATE_TYPES,
    _require,
)
from .target import Target, resolve_target

__all__ = [
    "AVAILABILITY_TYPES",
    "CERTIFICATE_TYPES",
    "CHARGER_SERVICES",
    "EXTENDED_TRIGGER_MESSAGES",
    "GET_TRANSACTIONS_SCHEMA",
    "HASH_ALGORITHMS",
    "ID_TAG_STATUSES",
    "LOG_TYPES",
    "PROFILE_PURPOSES",
    "RATE_UNITS",
    "RESET_TYPES",
    "SERVICE_GET_TRANSACTIONS",
    "TRIGGER_MESSAGES",
    "UPDATE_TYPES",
    "ChargerService",
    "Implementation",
    "Target",
    "async_setup_services",
]


# ---- handlers ----------------------------------------------------------------------

ServiceHandler = Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]


def _charger_handler(service: ChargerService) -> ServiceHandler:
    async def handle(call: ServiceCall) -> ServiceResponse:
        target = resolve_target(call.hass, call.data[ATTR_DEVICE_ID])
        central, station_id = target.central, target.station_id
        if not central.is_connected(station_id):
            raise ha_error("charger_offline", station_id)
        version = target.station.ocpp_version
        implementation = service.implementations.get(version) if version is not None else None
        if implementation is None:
            raise validation_error("unsupported_version", charger=station_id, version=version_name(central, station_id))
        if implementation.fields is not None:
            unknown = sorted(set(call.data) - implementation.fields - {ATTR_DEVICE_ID})
            if unknown:
                raise validation_error(
                    "field_not_supported",
                    charger=station_id,
                    version=version_name(central, station_id),
                    fields=", ".join(unknown),
                )
        data = dict(call.data)
        return await ocpp_call(central, station_id, lambda: implementation.run(target, data), service.refused)

    return handle


def _transaction_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return dt_util.as_utc(datetime.fromisoformat(value))
    return datetime.min.replace(tzinfo=dt_util.UTC)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def _get_transactions(call: ServiceCall) -> ServiceResponse:
    """Recent and open transactions, newest first; by charger (or connector) and time range."""
    hass, data = call.hass, call.data
    connector_id: int | None = data.get(ATTR_CONNECTOR_ID)
    sources: list[tuple[CentralSystem, str | None]]
    if ATTR_DEVICE_ID in data:
        target = resolve_target(hass, data[ATTR_DEVICE_ID])
        sources = [(target.central, target.station_id)]
        connector_id = target.named_connector(data)
    else:
        _require(data, ATTR_CONNECTOR_ID, ATTR_DEVICE_ID)
        entries: list[OcppConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
        sources = [(entry.runtime_data.central, None) for entry in entries]
    found = [
        transaction
        for central, station_id in sources
        for transaction in central.transactions(station_id, since=data.get("since"), until=data.get("until"))
        if connector_id is None or transaction.get("connector_id") == connector_id
    ]
    found.sort(key=lambda transaction: _transaction_time(transaction.get("start_time")), reverse=True)
    return {"transactions": [{key: _jsonable(value) for key, value in transaction.items()} for transaction in found]}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every service of the domain (once, for all config entries)."""
    for service in CHARGER_SERVICES:
        hass.services.async_register(
            DOMAIN,
            service.name,
            _charger_handler(service),
            schema=service.schema,
            supports_response=service.response,
        )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_TRANSACTIONS,
        _get_transactions,
        schema=GET_TRANSACTIONS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
