"""The services on OCPP 2.0.1 and 2.1 stations, whole flows: a session, reservations and certificates, the device
model, the version gates, soft and hard resets (every single service: test_services_v201.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import voluptuous as vol
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from sim.handlers201 import PEM_CERTIFICATE

from ..helpers_remote import both_backends
from .conftest import Open, OpenStation, call, device, last_request, settled, until

pytestmark = pytest.mark.usefixtures("known_2x_tags")
VERSIONS = ["2.0.1", "2.1"]
EXPIRY = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
PEM = f"{PEM_CERTIFICATE}\nMIIB\n-----END CERTIFICATE-----"


@pytest.mark.parametrize("version", VERSIONS)
@both_backends
async def test_a_session_through_the_services(
    hass: HomeAssistant, entry: MockConfigEntry, open_station: OpenStation, version: str
) -> None:
    station = await open_station("flow", version, evses=2)
    central = entry.runtime_data.central
    evse_2 = device(hass, "flow:2")
    started = await call(hass, "start_transaction", {"device_id": evse_2, "id_tag": "TAG-5"})
    assert last_request(station, "RequestStartTransaction")["evseId"] == 2
    await until(hass, lambda: central.stations["flow"].connectors[2].transaction is not None)
    tx = central.stations["flow"].connectors[2].transaction
    assert tx is not None and tx.remote_start_id == started["remoteStartId"] and tx.id_tag == "TAG-5"
    await station.update_transaction(2, seconds=3600)

    status = await call(hass, "get_transaction_status", {"device_id": evse_2})
    assert last_request(station, "GetTransactionStatus") == {"transactionId": tx.transaction_id}
    assert status == {"messagesInQueue": False, "ongoingIndicator": True}
    shown = await call(
        hass, "set_display_message", {"device_id": evse_2, "message": "Charging", "transaction_id": tx.transaction_id}
    )
    assert last_request(station, "SetDisplayMessage")["message"]["transactionId"] == tx.transaction_id
    assert await call(hass, "clear_display_message", {"device_id": evse_2, "message_id": shown["messageId"]}) == {
        "status": "Accepted"
    }

    # the charger device, its only open session
    assert await call(hass, "stop_transaction", {"device_id": device(hass, "flow")}) == {"status": "Accepted"}
    assert last_request(station, "RequestStopTransaction") == {"transactionId": tx.transaction_id}
    await until(hass, lambda: central.stations["flow"].connectors[2].transaction is None)
    done = (await call(hass, "get_transactions", {"device_id": evse_2}))["transactions"]
    assert [(t["transaction_id"], t["energy_wh"], t["stop_reason"]) for t in done] == [
        (tx.transaction_id, 11_000.0, "Remote")
    ]
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "stop_transaction", {"device_id": evse_2})
    assert err.value.translation_key == "no_open_transaction"
    await settled(station)


async def test_reservations_and_certificates(
    hass: HomeAssistant, entry: MockConfigEntry, open_station: OpenStation
) -> None:
    station = await open_station("res")
    device_id = device(hass, "res")
    reserved = await call(
        hass,
        "reserve_now",
        {"device_id": device_id, "expiry_date": EXPIRY.isoformat(), "id_tag": "C", "connector_id": 0},
    )
    assert "evseId" not in last_request(station, "ReserveNow")  # any EVSE
    assert entry.runtime_data.central.stations["res"].reservation is not None
    assert await call(
        hass, "cancel_reservation", {"device_id": device_id, "reservation_id": reserved["reservationId"]}
    ) == {"status": "Accepted"}
    with pytest.raises(HomeAssistantError) as err:  # gone
        await call(
            hass,
            "cancel_reservation",
            {"device_id": device_id, "reservation_id": reserved["reservationId"]},
            response=False,
        )
    assert err.value.translation_key == "charger_rejected"

    await call(
        hass,
        "install_certificate",
        {"device_id": device_id, "certificate_type": "mo_root_certificate", "certificate": PEM},
    )
    listed = await call(
        hass, "get_installed_certificate_ids", {"device_id": device_id, "certificate_type": "mo_root_certificate"}
    )
    hashes = listed["certificateHashDataChain"][0]["certificateHashData"]
    data = {
        "hash_algorithm": hashes["hashAlgorithm"],
        "issuer_name_hash": hashes["issuerNameHash"],
        "issuer_key_hash": hashes["issuerKeyHash"],
        "serial_number": hashes["serialNumber"],
    }
    assert await call(hass, "delete_certificate", {"device_id": device_id, **data}) == {"status": "Accepted"}
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "delete_certificate", {"device_id": device_id, **data}, response=False)
    assert err.value.translation_placeholders == {"charger": "res", "status": "NotFound"}


async def test_device_model_services(hass: HomeAssistant, entry: MockConfigEntry, open_station: OpenStation) -> None:
    station = await open_station("dm")
    device_id = device(hass, "dm")
    model = entry.runtime_data.central.stations["dm"].v2
    assert model is not None
    await call(hass, "set_variables", {"device_id": device_id, "variables": {"OCPPCommCtrlr/HeartbeatInterval": "90"}})
    assert model.device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "90"
    got = await call(hass, "get_variables", {"device_id": device_id, "variables": "OCPPCommCtrlr/HeartbeatInterval"})
    assert got["getVariableResult"][0]["attributeValue"] == "90"
    unknown = await call(hass, "get_variables", {"device_id": device_id, "variables": ["Nope/Nothing"]})
    assert unknown["getVariableResult"][0]["attributeStatus"] == "UnknownComponent"  # an answer, not an error

    # one variable refused: an error naming it; the other one is set all the same
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass,
            "set_variables",
            {
                "device_id": device_id,
                "variables": [
                    {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "attributeValue": 45},
                    {"component": "SecurityCtrlr", "variable": "SecurityProfile", "attributeValue": "3"},
                ],
            },
            response=False,
        )
    assert err.value.translation_key == "charger_rejected"
    assert err.value.translation_placeholders == {"charger": "dm", "status": "SecurityCtrlr/SecurityProfile Rejected"}
    assert model.device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "45"

    before = model.inventory_time
    answer = await call(hass, "get_base_report", {"device_id": device_id})
    assert last_request(station, "GetBaseReport") == {"requestId": answer["requestId"], "reportBase": "FullInventory"}
    await until(hass, lambda: model.inventory_time != before)  # the report arrived and replaced the model
    for bad in ("HeartbeatInterval", "/x", {"component": "C"}):
        with pytest.raises(vol.Invalid):
            await call(hass, "get_variables", {"device_id": device_id, "variables": [bad]})
    await settled(station)


# ---- version gates ------------------------------------------------------------------------------


async def test_version_gates(hass: HomeAssistant, open_charger: Open, open_station: OpenStation) -> None:
    """A field or value a version has no use for, and a service it lacks: clear validation errors."""
    await open_charger("old")
    await open_station("new")
    old, new = device(hass, "old"), device(hass, "new")

    async def refused(device_id: str, service: str, data: dict[str, Any]) -> dict[str, str]:
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, service, {"device_id": device_id, **data})
        assert err.value.translation_placeholders is not None
        return {"key": err.value.translation_key or "", **err.value.translation_placeholders}

    # 2.x-only fields and values on a 1.6 charger
    assert await refused(old, "reset", {"connector_id": 1}) == {
        "key": "field_not_supported",
        "charger": "old",
        "version": "ocpp1.6",
        "fields": "connector_id",
    }
    assert (await refused(old, "unlock_connector", {"evse_connector_id": 2}))["fields"] == "evse_connector_id"
    assert (await refused(old, "reset", {"type": "on_idle"}))["fields"] == "type OnIdle"
    assert (await refused(old, "trigger_message", {"requested_message": "transaction_event"}))["fields"] == (
        "requested_message TransactionEvent"
    )
    assert (
        await refused(old, "install_certificate", {"certificate_type": "v2g_root_certificate", "certificate": PEM})
    )["fields"] == "certificate_type V2GRootCertificate"
    assert (await refused(old, "start_transaction", {"id_token_type": "iso14443"}))["fields"] == "id_token_type"
    # 1.6-only values on a 2.0.1 station
    assert await refused(new, "trigger_message", {"requested_message": "diagnostics_status_notification"}) == {
        "key": "field_not_supported",
        "charger": "new",
        "version": "ocpp2.0.1",
        "fields": "requested_message DiagnosticsStatusNotification",
    }
    # the services only one version has
    for service, data in (
        ("get_configuration", {}),
        ("change_configuration", {"key": "K", "value": "V"}),
        ("get_diagnostics", {"location": "ftp://example.com/"}),
    ):
        assert await refused(new, service, data) == {
            "key": "unsupported_version",
            "charger": "new",
            "version": "ocpp2.0.1",
        }
    for service, data in (
        ("get_variables", {"variables": ["A/B"]}),
        ("set_variables", {"variables": {"A/B": "1"}}),
        ("get_base_report", {}),
        ("get_transaction_status", {}),
        ("set_display_message", {"message": "Hi"}),
        ("clear_display_message", {"message_id": 1}),
    ):
        assert await refused(old, service, data) == {
            "key": "unsupported_version",
            "charger": "old",
            "version": "ocpp1.6",
        }
    # what a version's form cannot carry
    assert (await refused(old, "stop_transaction", {"transaction_id": "a1b2-c3"}))["key"] == "invalid_call"
    entry_2x = {"idToken": {"idToken": "X", "type": "Central"}}
    assert (await refused(old, "send_local_list", {"list_version": 1, "local_authorization_list": [entry_2x]}))[
        "key"
    ] == "invalid_call"
    assert await refused(new, "change_availability", {"type": "operative", "evse_connector_id": 1}) == {
        "key": "field_requires",
        "field": "evse_connector_id",
        "requires": "connector_id",
    }


async def test_soft_and_hard_are_immediate_on_2x_and_immediate_soft_on_16(
    hass: HomeAssistant, open_charger: Open, open_station: OpenStation
) -> None:
    old = await open_charger("old")
    new = await open_station("new")
    await call(hass, "reset", {"device_id": device(hass, "new"), "connector_id": 1, "type": "hard"})
    assert last_request(new, "Reset") == {"type": "Immediate", "evseId": 1}
    await call(hass, "reset", {"device_id": device(hass, "new"), "connector_id": 1})
    assert last_request(new, "Reset") == {"type": "Immediate", "evseId": 1}
    await call(hass, "reset", {"device_id": device(hass, "old"), "type": "immediate"})
    assert [payload for name, payload in old.requests if name == "Reset"] == [{"type": "Soft"}]
    await settled(new)
