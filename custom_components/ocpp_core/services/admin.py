"""Which services only an administrator may call, and how they are registered.

Those that change who may charge (tags, the local list, the authorization
cache, passwords, certificates), what a charger runs (firmware, reset, its
configuration) or where its data goes (diagnostics and log uploads), and the
raw ones that can do any of it (send_call, data_transfer); and what others pay (set_tariff, clear_tariff).  Any other Home
Assistant user may still start and stop sessions, set limits and read.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Final, NamedTuple

import voluptuous as vol
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import Unauthorized, UnknownUser

ADMIN_SERVICES: Final = frozenset(
    {
        # who may charge
        "add_tag",
        "update_tag",
        "remove_tag",
        "send_local_list",
        "clear_cache",
        "set_charger_password",
        "install_certificate",
        "delete_certificate",
        # what the charger runs and how it is configured
        "update_firmware",
        "reset",
        "change_configuration",
        "set_variables",
        # where its data goes
        "get_diagnostics",
        "get_log",
        # what others pay
        "set_tariff",
        "clear_tariff",
        # raw messages: any of the above
        "send_call",
        "data_transfer",
    }
)

Handler = Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]


def _admin_only(hass: HomeAssistant, handler: Handler) -> Handler:
    """HA's async_register_admin_service check (a call without a user, e.g. an automation's, passes).

    Written here because HA 2025.1's async_register_admin_service cannot return a service response.
    """

    async def handle(call: ServiceCall) -> ServiceResponse:
        if call.context.user_id:
            user = await hass.auth.async_get_user(call.context.user_id)
            if user is None:
                raise UnknownUser(context=call.context)
            if not user.is_admin:
                raise Unauthorized(context=call.context)
        return await handler(call)

    return handle


@callback
def register_service(
    hass: HomeAssistant, domain: str, name: str, handler: Handler, schema: vol.Schema, response: SupportsResponse
) -> None:
    """Register one of our services, for administrators only when it is in ADMIN_SERVICES."""
    if name in ADMIN_SERVICES:
        handler = _admin_only(hass, handler)
    hass.services.async_register(domain, name, handler, schema=schema, supports_response=response)


class DomainService(NamedTuple):
    """One of the services not aimed at a charger (tags, tariffs): its name, handler, schema and response."""

    name: str
    handler: Handler
    schema: vol.Schema
    response: SupportsResponse


def schemas_of(services: Iterable[DomainService]) -> dict[str, vol.Schema]:
    """Service name -> schema (tests compare them with services.yaml)."""
    return {service.name: service.schema for service in services}


def register_services(hass: HomeAssistant, domain: str, services: Iterable[DomainService]) -> None:
    for service in services:
        register_service(hass, domain, service.name, service.handler, service.schema, service.response)
