"""Actions (services) of OCPP Core: every operation a central system can ask of a charger.

They are registered once, when the integration is set up, and serve every
config entry.  Each names a charger device, or one of its connector devices
(a connector device stands for its charger and picks the connector), by
`device_id`.  The charger's answer is the service response.  A charger that is
offline, refuses, answers with a CALLERROR or not at all gives a translated
error naming it and the reason (see errors.py); the wait is bounded.  A caller
that asks for the response gets a refusal or CALLERROR as the response instead,
marked `"refused": true` (HA's REST API passes no error message on: a
HomeAssistantError is a bare HTTP 500 there, with a traceback in the log).

The names and fields are the same for every OCPP version.  Each service has an
implementation per version (ocpp16_calls.py; ocpp2x_calls.py for 2.0.1 and 2.1); a field — or a
value of an enumerated field — a version has no use for is a validation error
naming it, and a version without an implementation gets a clear "not available
for this charger" error.  For OCPP 2.x chargers connector devices and
`connector_id` name EVSEs (see ocpp2x_calls.py).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.util import dt as dt_util

from ..backend import CentralBackend
from ..const import DOMAIN
from ..coordinator import OcppConfigEntry
from ..errors import ChargerRefused, ha_error, ocpp_call, validation_error, version_name
from .admin import register_service, register_services
from .catalog import CHARGER_SERVICES, GET_TRANSACTIONS_SCHEMA
from .fields import ATTR_CONNECTOR_ID, SERVICE_GET_TRANSACTIONS, require_field, v2_name
from .pricing import PRICING_SERVICES
from .service import ChargerService, Implementation
from .tags import TAG_SERVICES
from .target import Target, resolve_target

__all__ = [
    "CHARGER_SERVICES",
    "GET_TRANSACTIONS_SCHEMA",
    "SERVICE_GET_TRANSACTIONS",
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
        central, station_id = target.backend, target.station_id
        if not central.is_connected(station_id):
            raise ha_error("charger_offline", station_id)
        version = target.station.ocpp_version
        implementation = service.implementations.get(version) if version is not None else None
        if implementation is None:
            raise validation_error("unsupported_version", charger=station_id, version=version_name(central, station_id))
        unknown = _not_for(implementation, call.data)
        if unknown:
            raise validation_error(
                "field_not_supported",
                charger=station_id,
                version=version_name(central, station_id),
                fields=", ".join(unknown),
            )
        data = dict(call.data)
        fields = _remote_fields(service.name, implementation, target, data)
        try:
            return await ocpp_call(
                central,
                station_id,
                lambda: central.run_service(station_id, service.name, fields, lambda: implementation.run(target, data)),
                service.refused,
            )
        except ChargerRefused as err:
            if not call.return_response:
                raise
            # the caller wants the answer (HA's REST API would turn the error into a bare HTTP 500)
            return {**err.answer, "refused": True}

    return handle


def _remote_fields(
    service_name: str, implementation: Implementation, target: Target, data: dict[str, Any]
) -> dict[str, Any]:
    """The call's fields for a central system elsewhere (backend.run_service): a connector device names its
    connector there too."""
    fields = dict(data)
    if service_name == "start_transaction":  # as ocpp16_calls / ocpp2x_calls start it here
        if not fields.get("id_tag"):
            fields["id_tag"] = target.entry.runtime_data.default_id_tag  # Home Assistant's own tag
        if not target.station.is_v2 and target.device_connector is None:
            fields.setdefault(ATTR_CONNECTOR_ID, 1)
    if service_name == "trigger_message" and target.station.is_v2:  # as ocpp2x_calls sends it: the 2.x name
        fields["requested_message"] = v2_name(fields["requested_message"])
    takes_connector = implementation.fields is None or ATTR_CONNECTOR_ID in implementation.fields
    if target.device_connector is not None and ATTR_CONNECTOR_ID not in fields and takes_connector:
        fields[ATTR_CONNECTOR_ID] = target.device_connector
    return fields


def _not_for(implementation: Implementation, data: Mapping[str, Any]) -> list[str]:
    """The fields given that the version has no use for, and the values of enumerated fields it does not have."""
    unknown: list[str] = []
    if implementation.fields is not None:
        unknown = sorted(set(data) - implementation.fields - {ATTR_DEVICE_ID})
    for field, values in implementation.values.items():
        if field in data and data[field] not in values:
            unknown.append(f"{field} {data[field]}")
    return unknown


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
    sources: list[tuple[CentralBackend, str | None]]
    if ATTR_DEVICE_ID in data:
        target = resolve_target(hass, data[ATTR_DEVICE_ID])
        sources = [(target.backend, target.station_id)]
        connector_id = target.named_connector(data)
    else:
        require_field(data, ATTR_CONNECTOR_ID, ATTR_DEVICE_ID)
        entries: list[OcppConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
        sources = [(entry.runtime_data.central, None) for entry in entries]
    found = [
        transaction
        for central, station_id in sources
        for transaction in await central.session_history(station_id, data.get("since"), data.get("until"))
        if connector_id is None or transaction.get("connector_id") == connector_id
    ]
    found.sort(key=lambda transaction: _transaction_time(transaction.get("start_time")), reverse=True)
    return {"transactions": [{key: _jsonable(value) for key, value in transaction.items()} for transaction in found]}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every service of the domain (once, for all config entries)."""
    for service in CHARGER_SERVICES:
        register_service(hass, DOMAIN, service.name, _charger_handler(service), service.schema, service.response)
    register_service(
        hass, DOMAIN, SERVICE_GET_TRANSACTIONS, _get_transactions, GET_TRANSACTIONS_SCHEMA, SupportsResponse.ONLY
    )
    register_services(hass, DOMAIN, (*TAG_SERVICES, *PRICING_SERVICES))
