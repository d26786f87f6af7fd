"""The services carried out on OCPP 1.6 chargers."""

from __future__ import annotations

from typing import Any

from ..csms import LogUpload, check_signed_fields
from ..errors import Answer, validation_error
from . import shared
from .fields import TRIGGER_MESSAGES, json_text
from .target import Target

# ---- OCPP 1.6 implementations ------------------------------------------------------

# 2.x's Immediate (end the sessions, then restart) is 1.6's Soft; OnIdle has no 1.6 counterpart
_RESET_TYPES = {"Immediate": "Soft"}


async def reset(target: Target, data: dict[str, Any]) -> Answer:
    reset_type = data.get("type", "Soft")
    return await target.v16().reset(_RESET_TYPES.get(reset_type, reset_type))


async def unlock_connector(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().unlock_connector(target.connector(data))


async def change_availability(target: Target, data: dict[str, Any]) -> Answer:
    # a charger device means the whole charger (connector 0)
    return await target.v16().change_availability(target.connector(data, default=0), data["type"])


async def get_configuration(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().get_configuration(data.get("keys"))


async def change_configuration(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().change_configuration(data["key"], data["value"])


async def clear_cache(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().clear_cache()


async def data_transfer(target: Target, data: dict[str, Any]) -> Answer:
    value = data.get("data")
    return await target.v16().data_transfer(
        data["vendor_id"], data.get("message_id"), None if value is None else json_text(value)
    )


async def start_transaction(target: Target, data: dict[str, Any]) -> Answer:
    id_tag = data.get("id_tag") or target.entry.runtime_data.default_id_tag
    return await target.v16().remote_start_transaction(id_tag, target.connector(data), data.get("charging_profile"))


async def stop_transaction(target: Target, data: dict[str, Any]) -> Answer:
    given = data.get("transaction_id")
    transaction_id = given if given is not None else open_transaction(target, target.named_connector(data))
    try:
        number = int(transaction_id)
    except ValueError:
        raise validation_error(
            "invalid_call", charger=target.station_id, reason="an OCPP 1.6 transaction id is a number"
        ) from None
    return await target.v16().remote_stop_transaction(number)


def open_transaction(target: Target, connector_id: int | None) -> str:
    """The one open transaction on the connector (or, with none named, on the charger)."""
    open_ids = [
        connector.transaction.transaction_id
        for number, connector in target.station.connectors.items()
        if connector.transaction is not None and connector_id in (None, number)
    ]
    if not open_ids:
        raise validation_error("no_open_transaction", charger=target.station_id)
    if len(open_ids) > 1:
        raise validation_error("several_open_transactions", charger=target.station_id)
    return open_ids[0]


async def reserve_now(target: Target, data: dict[str, Any]) -> Answer:
    reservation_id = shared.given_or_new(data, "reservation_id", target.central.next_reservation_id)
    answer = await target.v16().reserve_now(
        target.connector(data), data["expiry_date"], data["id_tag"], reservation_id, data.get("parent_id_tag")
    )
    # the id is what cancel_reservation needs
    return {**answer, "reservationId": reservation_id}


async def cancel_reservation(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().cancel_reservation(data["reservation_id"])


async def send_local_list(target: Target, data: dict[str, Any]) -> Answer:
    entries: list[dict[str, Any]] | None = data.get("local_authorization_list")
    if any("idTag" not in entry for entry in entries or ()):
        raise validation_error(
            "invalid_call", charger=target.station_id, reason="OCPP 1.6 list entries are {idTag, idTagInfo}"
        )
    return await target.v16().send_local_list(data["list_version"], data.get("update_type", "Full"), entries)


async def get_local_list_version(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().get_local_list_version()


async def trigger_message(target: Target, data: dict[str, Any]) -> Answer:
    message: str = data["requested_message"]
    connector_id = target.named_connector(data)
    if message in TRIGGER_MESSAGES:
        return await target.v16().trigger_message(message, connector_id)
    return await target.v16().extended_trigger_message(message, connector_id)


async def update_firmware(target: Target, data: dict[str, Any]) -> Answer:
    update = shared.firmware_update(data, data.get("request_id"))
    check_signed_fields(update)  # (the add-on's command makes the same check)
    if update.signature is None:
        return await target.v16().update_firmware(
            update.location, update.retrieve, update.retries, update.retry_interval
        )
    request_id = shared.given_or_new(data, "request_id", target.central.next_request_id)
    answer = await target.v16().signed_update_firmware(shared.firmware_update(data, request_id))
    return {**answer, "requestId": request_id}


async def get_diagnostics(target: Target, data: dict[str, Any]) -> Answer:
    upload = LogUpload(
        data["location"], data.get("start_time"), data.get("stop_time"), data.get("retries"), data.get("retry_interval")
    )
    return await target.v16().get_diagnostics(upload)


async def get_log(target: Target, data: dict[str, Any]) -> Answer:
    return await shared.get_log(target.v16(), target, data)


async def set_charging_profile(target: Target, data: dict[str, Any]) -> Answer:
    return await shared.set_charging_profile(target.v16(), target, data)


async def clear_charging_profile(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().clear_charging_profile(
        shared.profile_criteria(target, data, data.get("charging_profile_purpose"))
    )


async def get_composite_schedule(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().get_composite_schedule(
        target.connector(data), data["duration"], data.get("charging_rate_unit")
    )


async def install_certificate(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().install_certificate(data["certificate_type"], data["certificate"])


async def get_installed_certificate_ids(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().get_installed_certificate_ids(data["certificate_type"])


async def delete_certificate(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v16().delete_certificate(shared.certificate_hash(data))


async def send_call(target: Target, data: dict[str, Any]) -> Answer:
    return await target.central.call(target.station_id, data["action"], data.get("payload") or {})
