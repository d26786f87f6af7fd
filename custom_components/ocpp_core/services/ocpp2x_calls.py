"""The services carried out on OCPP 2.0.1 chargers — and on 2.1 chargers, which keep 2.0.1's operations.

A 2.x station has EVSEs where a 1.6 charger has connectors: its connector devices
(`<charger>:<n>`) and `connector_id` name an EVSE, and `evse_connector_id` one of
the EVSE's own connectors.  Values both versions have under different names
arrive in their 1.6 spelling (see fields.py) and go out in 2.x's.  Request,
remote start and message ids come from the central system, unique across
restarts.
"""

from __future__ import annotations

from typing import Any, Final

from ..csms import evse_connector, given_local_list_entry
from ..errors import Answer, ha_error, validation_error
from . import shared
from .fields import ATTR_CONNECTOR_ID, ATTR_EVSE_CONNECTOR_ID, v2_name
from .ocpp16_calls import open_transaction
from .target import Target

# 1.6's Soft and Hard both end the sessions and restart at once: 2.x's Immediate
_RESET_TYPES: Final = {"Soft": "Immediate", "Hard": "Immediate"}
# a SetVariables result that means the value was taken
_SET_ACCEPTED: Final = ("Accepted", "RebootRequired")
# token types when none is given: a remote start is the central system's; reservations and the
# local list are for the cards drivers hold
_REMOTE_TOKEN_TYPE: Final = "Central"
_CARD_TOKEN_TYPE: Final = "ISO14443"


def _evse(target: Target, data: dict[str, Any], default: int | None = None) -> int | None:
    """The EVSE named (connector_id, else the connector device), else `default`; 0 is the station (None)."""
    named = target.named_connector(data)
    evse_id = default if named is None else named
    return evse_id or None


def _evse_connector(data: dict[str, Any], evse_id: int | None) -> int | None:
    connector_id: int | None = data.get(ATTR_EVSE_CONNECTOR_ID)
    if connector_id is not None and evse_id is None:
        raise validation_error("field_requires", field=ATTR_EVSE_CONNECTOR_ID, requires=ATTR_CONNECTOR_ID)
    return connector_id


def _group_token(data: dict[str, Any]) -> dict[str, Any] | None:
    parent = data.get("parent_id_tag")
    return None if parent is None else {"idToken": parent, "type": _REMOTE_TOKEN_TYPE}


# ---- the services 1.6 has too --------------------------------------------------------


async def reset(target: Target, data: dict[str, Any]) -> Answer:
    reset_type = data.get("type", "Immediate")
    # only an EVSE named in the call: a connector device stands for its charger here
    evse_id = data.get(ATTR_CONNECTOR_ID) or None
    return await target.v201().reset(_RESET_TYPES.get(reset_type, reset_type), evse_id)


async def unlock_connector(target: Target, data: dict[str, Any]) -> Answer:
    evse_id = target.connector(data)
    connector_id = data.get(ATTR_EVSE_CONNECTOR_ID)
    if connector_id is None:
        connector_id = evse_connector(target.station.connectors.get(evse_id))
    return await target.v201().unlock_connector(evse_id, connector_id)


async def change_availability(target: Target, data: dict[str, Any]) -> Answer:
    evse_id = _evse(target, data)
    return await target.v201().change_availability(data["type"], evse_id, _evse_connector(data, evse_id))


async def clear_cache(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v201().clear_cache()


async def data_transfer(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v201().data_transfer(data["vendor_id"], data.get("message_id"), data.get("data"))


async def start_transaction(target: Target, data: dict[str, Any]) -> Answer:
    id_tag = data.get("id_tag") or target.entry.runtime_data.default_id_tag
    remote_start_id = target.central.next_remote_start_id()
    answer = await target.v201().request_start_transaction(
        id_tag,
        remote_start_id,
        evse_id=_evse(target, data),  # none named: the station chooses
        charging_profile=data.get("charging_profile"),
        id_token_type=data.get("id_token_type", _REMOTE_TOKEN_TYPE),
    )
    # the station's TransactionEvent Started carries it: what ties the session to this request
    return {**answer, "remoteStartId": remote_start_id}


async def stop_transaction(target: Target, data: dict[str, Any]) -> Answer:
    transaction_id = data.get("transaction_id")
    if transaction_id is None:
        transaction_id = open_transaction(target, target.named_connector(data))
    return await target.v201().request_stop_transaction(str(transaction_id))


async def reserve_now(target: Target, data: dict[str, Any]) -> Answer:
    reservation_id = shared.given_or_new(data, "reservation_id", target.central.next_reservation_id)
    answer = await target.v201().reserve_now(
        reservation_id,
        data["expiry_date"],
        data["id_tag"],
        evse_id=_evse(target, data, default=1),  # 0: any EVSE
        group_id_token=_group_token(data),
        id_token_type=data.get("id_token_type", _CARD_TOKEN_TYPE),
    )
    return {**answer, "reservationId": reservation_id}


async def cancel_reservation(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v201().cancel_reservation(data["reservation_id"])


async def send_local_list(target: Target, data: dict[str, Any]) -> Answer:
    token_type = data.get("id_token_type", _CARD_TOKEN_TYPE)
    entries = [given_local_list_entry(entry, token_type) for entry in data.get("local_authorization_list") or ()]
    return await target.v201().send_local_list(data["list_version"], data.get("update_type", "Full"), entries)


async def get_local_list_version(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v201().get_local_list_version()


async def trigger_message(target: Target, data: dict[str, Any]) -> Answer:
    evse_id = _evse(target, data)
    return await target.v201().trigger_message(
        v2_name(data["requested_message"]), evse_id, _evse_connector(data, evse_id)
    )


async def update_firmware(target: Target, data: dict[str, Any]) -> Answer:
    request_id = shared.given_or_new(data, "request_id", target.central.next_request_id)
    answer = await target.v201().update_firmware(shared.firmware_update(data, request_id))
    return {**answer, "requestId": request_id}


async def get_log(target: Target, data: dict[str, Any]) -> Answer:
    return await shared.get_log(target.v201(), target, data)


async def set_charging_profile(target: Target, data: dict[str, Any]) -> Answer:
    return await shared.set_charging_profile(target.v201(), target, data)


async def clear_charging_profile(target: Target, data: dict[str, Any]) -> Answer:
    purpose = data.get("charging_profile_purpose")
    return await target.v201().clear_charging_profile(
        shared.profile_criteria(target, data, None if purpose is None else v2_name(purpose))
    )


async def get_composite_schedule(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v201().get_composite_schedule(
        target.connector(data), data["duration"], data.get("charging_rate_unit")
    )


async def install_certificate(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v201().install_certificate(v2_name(data["certificate_type"]), data["certificate"])


async def get_installed_certificate_ids(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v201().get_installed_certificate_ids([v2_name(data["certificate_type"])])


async def delete_certificate(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v201().delete_certificate(shared.certificate_hash(data))


# ---- the services only 2.x has ---------------------------------------------------------


def _with_attribute(entry: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    attribute_type = data.get("attribute_type")
    if attribute_type is None or "attributeType" in entry:
        return entry
    return {**entry, "attributeType": attribute_type}


async def get_variables(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v201().get_variables([_with_attribute(entry, data) for entry in data["variables"]])


def _name(entry: dict[str, Any]) -> str:
    component, variable = entry.get("component") or {}, entry.get("variable") or {}
    return f"{component.get('name')}/{variable.get('name')}"


async def set_variables(target: Target, data: dict[str, Any]) -> Answer:
    answer = await target.v201().set_variables([_with_attribute(entry, data) for entry in data["variables"]])
    results = answer.get("setVariableResult")
    refused = [
        f"{_name(result)} {result.get('attributeStatus')}"
        for result in (results if isinstance(results, list) else ())
        if isinstance(result, dict) and result.get("attributeStatus") not in _SET_ACCEPTED
    ]
    if refused:  # the others were set
        raise ha_error("charger_rejected", target.station_id, status=", ".join(refused))
    return answer


async def get_base_report(target: Target, data: dict[str, Any]) -> Answer:
    request_id = target.central.next_request_id()
    answer = await target.v201().get_base_report(request_id, data.get("report_base", "FullInventory"))
    # the report follows as NotifyReport messages carrying it; they update the device model
    return {**answer, "requestId": request_id}


async def get_transaction_status(target: Target, data: dict[str, Any]) -> Answer:
    transaction_id = data.get("transaction_id")
    connector_id = target.named_connector(data)
    if transaction_id is None and connector_id is not None:
        transaction_id = open_transaction(target, connector_id)
    return await target.v201().get_transaction_status(transaction_id)


async def set_display_message(target: Target, data: dict[str, Any]) -> Answer:
    message_id = shared.given_or_new(data, "message_id", target.central.next_request_id)
    content: dict[str, Any] = {"format": data.get("format", "UTF8"), "content": data["message"]}
    if "language" in data:
        content["language"] = data["language"]
    message: dict[str, Any] = {"id": message_id, "priority": data.get("priority", "NormalCycle"), "message": content}
    for field, key in (
        ("state", "state"),
        ("start_time", "startDateTime"),
        ("end_time", "endDateTime"),
        ("transaction_id", "transactionId"),
    ):
        if field in data:
            message[key] = data[field]
    answer = await target.v201().set_display_message(message)
    # the id is what clear_display_message needs
    return {**answer, "messageId": message_id}


async def clear_display_message(target: Target, data: dict[str, Any]) -> Answer:
    return await target.v201().clear_display_message(data["message_id"])
