"""More of the HA services' charger commands: data transfer, reservations, the local list's version, charging
profiles cleared and the schedule read, and OCPP 2.x's base report, transaction status and display messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from . import fields as f
from .command_types import NO_REFUSALS, Answer, Command, command, open_transaction
from .errors import bad_request

# a reservation's token type when none is given: a card a driver holds (as the HA service does)
_CARD_TOKEN_TYPE = "ISO14443"
# 1.6's spelling of the profile purposes where 2.x's differs
_V2_PURPOSES = {"ChargePointMaxProfile": "ChargingStationMaxProfile"}


def _commands(central: Any, station: Any) -> Any:
    return central.v201(station.station_id) if station.is_v2 else central.v16(station.station_id)


def _time(body: dict[str, Any], name: str) -> datetime:
    text = f.required_text(body, name)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{name}: not an ISO 8601 time: {text!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


async def _data_transfer(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    vendor, message, data = f.required_text(body, "vendor_id"), f.text(body, "message_id"), body.get("data")
    if not station.is_v2 and data is not None and not isinstance(data, str):
        data = json.dumps(data)  # 1.6's data is a text
    answer: Answer = await _commands(central, station).data_transfer(vendor, message, data)
    return answer


async def _reserve_now(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    expiry, id_tag = _time(body, "expiry_date"), f.required_text(body, "id_tag")
    reservation_id = f.integer(body, "reservation_id")
    if reservation_id is None:
        reservation_id = central.next_reservation_id()
    connector, parent = f.integer(body, "connector_id"), f.text(body, "parent_id_tag")
    if not station.is_v2:
        answer: Answer = await central.v16(station.station_id).reserve_now(
            connector if connector is not None else 1, expiry, id_tag, reservation_id, parent
        )
    else:
        evse = 1 if connector is None else connector
        answer = await central.v201(station.station_id).reserve_now(
            reservation_id,
            expiry,
            id_tag,
            evse_id=evse or None,  # 0: any EVSE
            group_id_token=None if parent is None else {"idToken": parent, "type": "Central"},
            id_token_type=f.text(body, "id_token_type") or _CARD_TOKEN_TYPE,
        )
    return {**answer, "reservationId": reservation_id}


async def _cancel_reservation(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    reservation_id = f.integer(body, "reservation_id")
    if reservation_id is None:
        raise bad_request("reservation_id: required")
    answer: Answer = await _commands(central, station).cancel_reservation(reservation_id)
    return answer


async def _get_local_list_version(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    answer: Answer = await _commands(central, station).get_local_list_version()
    return answer


async def _clear_charging_profile(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    purpose = f.text(body, "charging_profile_purpose")
    if station.is_v2 and purpose is not None:
        purpose = _V2_PURPOSES.get(purpose, purpose)
    answer: Answer = await _commands(central, station).clear_charging_profile(
        f.integer(body, "charging_profile_id"), f.integer(body, "connector_id"), purpose, f.integer(body, "stack_level")
    )
    return answer


async def _get_composite_schedule(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    duration = f.integer(body, "duration")
    if duration is None:
        raise bad_request("duration: required")
    connector = f.integer(body, "connector_id")
    answer: Answer = await _commands(central, station).get_composite_schedule(
        1 if connector is None else connector, duration, f.text(body, "charging_rate_unit")
    )
    return answer


async def _get_base_report(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    request_id = central.next_request_id()
    answer: Answer = await central.v201(station.station_id).get_base_report(
        request_id, f.text(body, "report_base") or "FullInventory"
    )
    return {**answer, "requestId": request_id}  # the report follows as NotifyReport (the device model)


async def _get_transaction_status(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    given, connector = body.get("transaction_id"), f.integer(body, "connector_id", minimum=1)
    transaction_id = str(given) if given is not None else None
    if transaction_id is None and connector is not None:
        transaction_id = open_transaction(station, connector)
    answer: Answer = await central.v201(station.station_id).get_transaction_status(transaction_id)
    return answer


async def _clear_display_message(central: Any, station: Any, body: dict[str, Any]) -> Answer:
    message_id = f.integer(body, "message_id")
    if message_id is None:
        raise bad_request("message_id: required")
    answer: Answer = await central.v201(station.station_id).clear_display_message(message_id)
    return answer


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
