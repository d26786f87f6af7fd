"""More of the HA services' charger commands: data transfer, reservations, the local list's version, charging
profiles set and cleared and the schedule read, and OCPP 2.x's base report, transaction status and display messages."""

from __future__ import annotations

from ..central_import import csms
from . import fields as f
from .command_types import (
    NO_REFUSALS,
    Answer,
    Body,
    CentralSystem,
    Command,
    Station,
    answer_of,
    charger,
    command,
    open_transaction,
)
from .errors import ApiError, bad_request

# a reservation's token type when none is given: a card a driver holds (as the HA service does)
_CARD_TOKEN_TYPE = "ISO14443"
# set_charging_profile: the purposes of a profile for the whole charger (connector 0 when none is named)
_WHOLE_CHARGER_PURPOSES = frozenset(
    {"ChargePointMaxProfile", "TxDefaultProfile", "ChargingStationMaxProfile", "ChargingStationExternalConstraints"}
)
# its simple form: a limit from now on, and how (the HA service's fields and bounds)
_SIMPLE_FIELDS = ("unit", "purpose", "duration", "stack_level")
_SIMPLE_PURPOSES = ("ChargePointMaxProfile", "ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile")
_RATE_UNITS = ("A", "W")
_MAX_LIMIT = 1_000_000


async def _data_transfer(central: CentralSystem, station: Station, body: Body) -> Answer:
    vendor, message = f.required_text(body, "vendor_id"), f.text(body, "message_id")
    return answer_of(await charger(central, station).data_transfer(vendor, message, body.get("data")))


async def _reserve_now(central: CentralSystem, station: Station, body: Body) -> Answer:
    expiry, id_tag = f.required_time(body, "expiry_date"), f.required_text(body, "id_tag")
    reservation_id = f.integer(body, "reservation_id")
    if reservation_id is None:
        reservation_id = central.next_reservation_id()
    connector_id = f.integer(body, "connector_id")
    reservation = csms.Reservation(
        reservation_id, 1 if connector_id is None else connector_id, id_tag, expiry, f.text(body, "parent_id_tag")
    )  # no connector: the first
    answer = await charger(central, station).reserve_now(reservation, f.text(body, "id_token_type") or _CARD_TOKEN_TYPE)
    return answer_of(answer, reservationId=reservation_id)


async def _cancel_reservation(central: CentralSystem, station: Station, body: Body) -> Answer:
    reservation_id = f.integer(body, "reservation_id")
    if reservation_id is None:
        raise bad_request("reservation_id: required")
    return answer_of(await charger(central, station).cancel_reservation(reservation_id))


async def _get_local_list_version(central: CentralSystem, station: Station, body: Body) -> Answer:
    return answer_of(await charger(central, station).local_list_version())


def _one_of(body: Body, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = f.text(body, name) or default
    if value not in allowed:
        raise bad_request(f"{name}: one of {', '.join(allowed)}")
    return value


def _simple_profile(station: Station, body: Body) -> tuple[int, csms.ChargingProfile]:
    """(connector, neutral profile) of the simple form (csms.simple_charging_profile)."""
    limit = f.number(body, "limit")
    assert limit is not None  # the caller checked it is there
    if not 0 <= limit <= _MAX_LIMIT:
        raise bad_request(f"limit: 0 to {_MAX_LIMIT}")
    purpose = _one_of(body, "purpose", _SIMPLE_PURPOSES, "TxDefaultProfile")
    connector_id = f.integer(body, "connector_id")
    if connector_id is None:
        connector_id = 0 if purpose in _WHOLE_CHARGER_PURPOSES else 1
    transaction_id = None
    if purpose == "TxProfile":
        connector = station.connectors.get(connector_id)
        if connector is None or connector.transaction is None:
            raise ApiError(409, "no_open_transaction", "a TxProfile needs an open transaction on the connector")
        transaction_id = connector.transaction.transaction_id
    profile = csms.simple_charging_profile(
        connector_id,
        limit=round(limit, 1),
        unit=_one_of(body, "unit", _RATE_UNITS, "A"),
        purpose=purpose,
        duration=f.integer(body, "duration"),
        stack_level=f.integer(body, "stack_level") or 0,
        transaction_id=transaction_id,
    )
    return connector_id, profile


async def _set_charging_profile(central: CentralSystem, station: Station, body: Body) -> Answer:
    """A whole charging_profile (in the charger's version), or the simple form: a limit and how."""
    if ("charging_profile" in body) == ("limit" in body):
        raise bad_request("give exactly one of charging_profile, limit")
    if "charging_profile" in body:
        if given := [name for name in _SIMPLE_FIELDS if name in body]:
            raise bad_request(f"{', '.join(given)}: only with limit")
        payload = f.obj(body, "charging_profile") or {}
        connector_id = f.integer(body, "connector_id")
        if connector_id is None:
            connector_id = 0 if payload.get("chargingProfilePurpose") in _WHOLE_CHARGER_PURPOSES else 1
        return answer_of(await charger(central, station).set_charging_profile_as_given(connector_id, payload))
    connector_id, profile = _simple_profile(station, body)
    target = charger(central, station)
    answer = await target.set_charging_profile(connector_id, profile)
    # what was sent, e.g. its id for clear_charging_profile
    return answer_of(answer, chargingProfile=target.profile_payload(profile))


async def _clear_charging_profile(central: CentralSystem, station: Station, body: Body) -> Answer:
    criteria = csms.ProfileCriteria(
        f.integer(body, "charging_profile_id"),
        f.integer(body, "connector_id"),
        f.text(body, "charging_profile_purpose"),
        f.integer(body, "stack_level"),
    )
    answer = await charger(central, station).clear_charging_profile(criteria)
    return answer_of(answer)


async def _get_composite_schedule(central: CentralSystem, station: Station, body: Body) -> Answer:
    duration = f.integer(body, "duration")
    if duration is None:
        raise bad_request("duration: required")
    connector = f.integer(body, "connector_id")
    answer = await charger(central, station).get_composite_schedule(
        1 if connector is None else connector, duration, f.text(body, "charging_rate_unit")
    )
    return answer_of(answer)


async def _get_base_report(central: CentralSystem, station: Station, body: Body) -> Answer:
    target = charger(central, station)  # offline: a 503 before a request id is spent
    request_id = central.next_request_id()
    answer = await target.get_base_report(request_id, f.text(body, "report_base") or "FullInventory")
    return answer_of(answer, requestId=request_id)  # the report follows as NotifyReport (the device model)


async def _get_transaction_status(central: CentralSystem, station: Station, body: Body) -> Answer:
    given, connector = body.get("transaction_id"), f.integer(body, "connector_id", minimum=1)
    transaction_id = str(given) if given is not None else None
    if transaction_id is None and connector is not None:
        transaction_id = open_transaction(station, connector)
    return answer_of(await charger(central, station).get_transaction_status(transaction_id))


async def _clear_display_message(central: CentralSystem, station: Station, body: Body) -> Answer:
    message_id = f.integer(body, "message_id")
    if message_id is None:
        raise bad_request("message_id: required")
    return answer_of(await charger(central, station).clear_display_message(message_id))


MORE_COMMANDS: dict[str, Command] = {
    "data_transfer": command(
        _data_transfer,
        frozenset({"Rejected", "UnknownMessageId", "UnknownVendorId"}),
        "vendor_id",
        "message_id",
        "data",
    ),
    "reserve_now": command(
        _reserve_now,
        frozenset({"Faulted", "Occupied", "Rejected", "Unavailable"}),
        "connector_id",
        "expiry_date",
        "id_tag",
        "parent_id_tag",
        "reservation_id",
        "id_token_type",
    ),
    "cancel_reservation": command(_cancel_reservation, frozenset({"Rejected"}), "reservation_id"),
    "get_local_list_version": command(_get_local_list_version, NO_REFUSALS),
    "set_charging_profile": command(
        _set_charging_profile,
        frozenset({"Rejected", "NotSupported"}),
        "connector_id",
        "charging_profile",
        "limit",
        "unit",
        "purpose",
        "duration",
        "stack_level",
    ),
    "clear_charging_profile": command(
        _clear_charging_profile,
        NO_REFUSALS,
        "connector_id",
        "charging_profile_id",
        "charging_profile_purpose",
        "stack_level",
    ),
    "get_composite_schedule": command(
        _get_composite_schedule, frozenset({"Rejected"}), "connector_id", "duration", "charging_rate_unit"
    ),
    "get_base_report": command(_get_base_report, frozenset({"Rejected", "NotSupported"}), "report_base"),
    "get_transaction_status": command(_get_transaction_status, NO_REFUSALS, "connector_id", "transaction_id"),
    "clear_display_message": command(_clear_display_message, frozenset({"Rejected"}), "message_id"),
}
