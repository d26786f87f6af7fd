"""The `set_charger_password` action: a charger's own HTTP Basic password (security profiles 1 and 2).

The password is stored hashed by the central system.  With `send_to_charger` it
is first given to the connected charger (1.6: ChangeConfiguration AuthorizationKey,
hex-encoded; 2.x: SetVariables SecurityCtrlr.BasicAuthPassword); a charger that
refuses it changes nothing.  The password the charger last connected with stays
valid until it has connected with the new one.  Without a password, the charger's
own one is removed (it then counts as a new charger).

Home Assistant puts an action's data on its event bus (and so in the recorder), so a
password typed into the action is seen there.  `generate` avoids that: a random password
is made here, given to the charger, stored hashed, and returned only in the action's
response, which never goes on the bus.
"""

from __future__ import annotations

import secrets
import string

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.helpers import config_validation as cv

from ..backend import CentralBackend
from ..const import DOMAIN
from ..csms import PUSH_MAX_LENGTH, PUSH_MIN_LENGTH, InvalidPassword, validate_password
from ..errors import Answer, ha_error, ocpp_call, validation_error
from .admin import register_service
from .target import resolve_target

SERVICE_SET_CHARGER_PASSWORD = "set_charger_password"
ATTR_PASSWORD = "password"
ATTR_SEND_TO_CHARGER = "send_to_charger"
ATTR_GENERATE = "generate"
# a generated password: letters and digits only (every charger's keypad and web UI takes them)
_GENERATED_ALPHABET = string.ascii_letters + string.digits
GENERATED_LENGTH = 32
# answers that mean the charger did not take the password (1.6 ChangeConfiguration, 2.x SetVariables)
REFUSED = frozenset({"Rejected", "NotSupported", "UnknownComponent", "UnknownVariable", "NotSupportedAttributeType"})

SET_CHARGER_PASSWORD_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_PASSWORD): cv.string,
        vol.Optional(ATTR_SEND_TO_CHARGER, default=True): cv.boolean,
        vol.Optional(ATTR_GENERATE, default=False): cv.boolean,
    }
)


def password_problem(password: str, push: bool) -> str | None:
    """The translation key of what is wrong with a password (None: fine)."""
    try:
        validate_password(password, push=push)
    except InvalidPassword:
        if push and not PUSH_MIN_LENGTH <= len(password) <= PUSH_MAX_LENGTH:
            return "password_length"
        return "password_invalid"
    return None


async def set_charger_password(central: CentralBackend, station_id: str, password: str | None, push: bool) -> None:
    """Store (and with `push`, first send) a charger's password where the central system keeps it (embedded or
    the add-on); translated errors for every failure."""
    if password is None:
        if push:
            raise validation_error("password_required", charger=station_id)
        await central.records.set_password(station_id, None, push=False)
        return
    problem = password_problem(password, push)
    if problem is not None:
        raise validation_error(problem, charger=station_id, min=str(PUSH_MIN_LENGTH), max=str(PUSH_MAX_LENGTH))
    if not push:
        await central.records.set_password(station_id, password, push=False)
        return
    if not central.is_connected(station_id):
        raise ha_error("charger_offline", station_id)

    async def send() -> Answer:
        return {"status": await central.records.set_password(station_id, password, push=True)}

    await ocpp_call(central, station_id, send, REFUSED)


def generate_password() -> str:
    """A random password of GENERATED_LENGTH letters and digits (about 190 bits)."""
    return "".join(secrets.choice(_GENERATED_ALPHABET) for _ in range(GENERATED_LENGTH))


async def _handle(call: ServiceCall) -> ServiceResponse:
    target = resolve_target(call.hass, call.data[ATTR_DEVICE_ID])
    password = call.data.get(ATTR_PASSWORD) or None
    push = call.data[ATTR_SEND_TO_CHARGER]
    if call.data[ATTR_GENERATE]:
        if password is not None:
            raise validation_error("password_or_generate", charger=target.station_id)
        if not push:
            raise validation_error("generate_needs_send", charger=target.station_id)
        password = generate_password()
    await set_charger_password(target.backend, target.station_id, password, push)
    if call.data[ATTR_GENERATE] and call.return_response:
        return {ATTR_PASSWORD: password}
    return None


@callback
def async_setup_security_services(hass: HomeAssistant) -> None:
    """Register the security actions (once, for all config entries)."""
    register_service(
        hass, DOMAIN, SERVICE_SET_CHARGER_PASSWORD, _handle, SET_CHARGER_PASSWORD_SCHEMA, SupportsResponse.OPTIONAL
    )
