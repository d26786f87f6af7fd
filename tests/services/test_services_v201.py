"""The services on OCPP 2.0.1 and 2.1 stations: every one through Home Assistant against a simulated
station on a real socket (the request it received, its answer), whole flows, and the version gates."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from unittest.mock import ANY

import pytest
import voluptuous as vol
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util.yaml import load_yaml
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core import services
from custom_components.ocpp_core.csms import OcppVersion
from custom_components.ocpp_core.csms.state.tags import TagRecord
from custom_components.ocpp_core.services.pricing import PRICING_SCHEMAS
from custom_components.ocpp_core.services.security import SERVICE_SET_CHARGER_PASSWORD
from custom_components.ocpp_core.services.tags import TAG_SCHEMAS
from sim.charger201 import Station as Station201
from sim.handlers201 import PEM_CERTIFICATE, SIM_VENDOR_ID

from ..helpers_remote import both_backends
from .conftest import COMPONENT, Open, OpenStation, call, device, settled, until

VERSIONS = ["2.0.1", "2.1"]
EXPIRY = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
PEM = f"{PEM_CERTIFICATE}\nMIIB\n-----END CERTIFICATE-----"
TX_DEFAULT_PROFILE = {
    "id": 10,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": [
        {
            "id": 1,
            "startSchedule": "2030-01-01T00:00:00Z",
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}],
        }
    ],
}

# service, service data (besides device_id), action, the request the station received (as sent: camelCase),
# the answer (what of it is checked).  ANY: an id the central system hands out, returned in the response.
CASES: list[tuple[str, dict[str, Any], str, dict[str, Any], dict[str, Any]]] = [
    ("reset", {"type": "on_idle"}, "Reset", {"type": "OnIdle"}, {"status": "Accepted"}),
    ("reset", {"type": "soft", "connector_id": 1}, "Reset", {"type": "Immediate", "evseId": 1}, {"status": "Accepted"}),
    ("unlock_connector", {}, "UnlockConnector", {"evseId": 1, "connectorId": 1}, {"status": "Unlocked"}),
    (
        "change_availability",
        {"type": "inoperative"},
        "ChangeAvailability",
        {"operationalStatus": "Inoperative"},
        {"status": "Accepted"},
    ),
    (
        "change_availability",
        {"type": "operative", "connector_id": 1, "evse_connector_id": 1},
        "ChangeAvailability",
        {"operationalStatus": "Operative", "evse": {"id": 1, "connectorId": 1}},
        {"status": "Accepted"},
    ),
    ("clear_cache", {}, "ClearCache", {}, {"status": "Accepted"}),
    (
        "data_transfer",
        {"vendor_id": SIM_VENDOR_ID, "message_id": "Echo", "data": {"n": 1}},
        "DataTransfer",
        {"vendorId": SIM_VENDOR_ID, "messageId": "Echo", "data": {"n": 1}},
        {"status": "Accepted", "data": {"n": 1}},
    ),
    (
        "start_transaction",
        {"id_tag": "TAG-9"},
        "RequestStartTransaction",
        {"idToken": {"idToken": "TAG-9", "type": "Central"}, "remoteStartId": ANY},
        {"status": "Accepted", "remoteStartId": ANY},
    ),
    (
        "reserve_now",
        {"expiry_date": EXPIRY.isoformat(), "id_tag": "CARD", "reservation_id": 5, "parent_id_tag": "FAMILY"},
        "ReserveNow",
        {
            "id": 5,
            "expiryDateTime": "2030-01-02T03:04:05.000Z",
            "idToken": {"idToken": "CARD", "type": "ISO14443"},
            "evseId": 1,
            "groupIdToken": {"idToken": "FAMILY", "type": "Central"},
        },
        {"status": "Accepted", "reservationId": 5},
    ),
    (
        "send_local_list",
        {
            "list_version": 3,
            "local_authorization_list": [
                {
                    "idTag": "TAG-1",
                    "idTagInfo": {"status": "Accepted", "expiryDate": EXPIRY.isoformat(), "parentIdTag": "F"},
                },
                {"idToken": {"idToken": "AABB", "type": "ISO15693"}, "idTokenInfo": {"status": "Blocked"}},
                {"idTag": "OLD"},
            ],
        },
        "SendLocalList",
        {
            "versionNumber": 3,
            "updateType": "Full",
            "localAuthorizationList": [
                {
                    "idToken": {"idToken": "TAG-1", "type": "ISO14443"},
                    "idTokenInfo": {
                        "status": "Accepted",
                        "cacheExpiryDateTime": "2030-01-02T03:04:05.000Z",
                        "groupIdToken": {"idToken": "F", "type": "Central"},
                    },
                },
                {"idToken": {"idToken": "AABB", "type": "ISO15693"}, "idTokenInfo": {"status": "Blocked"}},
                {"idToken": {"idToken": "OLD", "type": "ISO14443"}},
            ],
        },
        {"status": "Accepted"},
    ),
    ("get_local_list_version", {}, "GetLocalListVersion", {}, {"versionNumber": 0}),
    (
        "trigger_message",
        {"requested_message": "status_notification", "connector_id": 1, "evse_connector_id": 1},
        "TriggerMessage",
        {"requestedMessage": "StatusNotification", "evse": {"id": 1, "connectorId": 1}},
        {"status": "Accepted"},
    ),
    (
        "trigger_message",
        {"requested_message": "SignChargePointCertificate"},
        "TriggerMessage",
        {"requestedMessage": "SignChargingStationCertificate"},
        {"status": "Accepted"},
    ),
    (
        "update_firmware",
        {"location": "https://example.com/fw.bin", "retrieve_date": EXPIRY.isoformat(), "retries": 2},
        "UpdateFirmware",
        {
            "requestId": ANY,
            "firmware": {"location": "https://example.com/fw.bin", "retrieveDateTime": "2030-01-02T03:04:05.000Z"},
            "retries": 2,
        },
        {"status": "Accepted", "requestId": ANY},
    ),
    (
        "get_log",
        {"log_type": "security_log", "location": "https://example.com/logs/"},
        "GetLog",
        {"logType": "SecurityLog", "requestId": ANY, "log": {"remoteLocation": "https://example.com/logs/"}},
        {"status": "Accepted", "requestId": ANY, "filename": ANY},
    ),
    (
        "set_charging_profile",
        {"charging_profile": TX_DEFAULT_PROFILE},
        "SetChargingProfile",
        {"evseId": 0, "chargingProfile": TX_DEFAULT_PROFILE},
        {"status": "Accepted"},
    ),
    (
        "clear_charging_profile",
        {"charging_profile_purpose": "charge_point_max_profile", "connector_id": 0},
        "ClearChargingProfile",
        {"chargingProfileCriteria": {"evseId": 0, "chargingProfilePurpose": "ChargingStationMaxProfile"}},
        {"status": "Unknown"},
    ),
    (
        "get_composite_schedule",
        {"duration": 3600, "charging_rate_unit": "w"},
        "GetCompositeSchedule",
        {"evseId": 1, "duration": 3600, "chargingRateUnit": "W"},
        {"status": "Accepted", "schedule": ANY},
    ),
    (
        "install_certificate",
        {"certificate_type": "central_system_root_certificate", "certificate": PEM},
        "InstallCertificate",
        {"certificateType": "CSMSRootCertificate", "certificate": PEM},
        {"status": "Accepted"},
    ),
    (
        "get_installed_certificate_ids",
        {"certificate_type": "v2g_certificate_chain"},
        "GetInstalledCertificateIds",
        {"certificateType": ["V2GCertificateChain"]},
        {"status": "NotFound"},
    ),
    ("send_call", {"action": "GetLocalListVersion"}, "GetLocalListVersion", {}, {"versionNumber": 0}),
    (
        "get_variables",
        {
            "variables": [
                "OCPPCommCtrlr/HeartbeatInterval",
                {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": "Power", "attributeType": "max_set"},
            ],
            "attribute_type": "actual",
        },
        "GetVariables",
        {
            "getVariableData": [
                {
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "attributeType": "Actual",
                },
                {
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "Power"},
                    "attributeType": "MaxSet",
                },
            ]
        },
        {"getVariableResult": ANY},
    ),
    (
        "set_variables",
        {"variables": {"OCPPCommCtrlr/HeartbeatInterval": 120, "AuthCtrlr/AuthorizeRemoteStart": True}},
        "SetVariables",
        {
            "setVariableData": [
                {
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "attributeValue": "120",
                },
                {
                    "component": {"name": "AuthCtrlr"},
                    "variable": {"name": "AuthorizeRemoteStart"},
                    "attributeValue": "true",
                },
            ]
        },
        {"setVariableResult": ANY},
    ),
    (
        "get_base_report",
        {"report_base": "configuration_inventory"},
        "GetBaseReport",
        {"requestId": ANY, "reportBase": "ConfigurationInventory"},
        {"status": "Accepted", "requestId": ANY},
    ),
    ("get_transaction_status", {}, "GetTransactionStatus", {}, {"messagesInQueue": False}),
    (
        "set_display_message",
        {"message": "Hello", "message_id": 7, "priority": "in_front", "state": "idle", "language": "en"},
        "SetDisplayMessage",
        {
            "message": {
                "id": 7,
                "priority": "InFront",
                "message": {"format": "UTF8", "content": "Hello", "language": "en"},
                "state": "Idle",
            }
        },
        {"status": "Accepted", "messageId": 7},
    ),
    ("clear_display_message", {"message_id": 7}, "ClearDisplayMessage", {"id": 7}, {"status": "Unknown"}),
]

# the services a 2.x charger does not have
V16_ONLY = {"get_configuration", "change_configuration", "get_diagnostics"}


@pytest.fixture(autouse=True)
def _known_tags(entry: MockConfigEntry) -> None:
    """The tags the remote starts here use are known: a remote start with an unknown one is refused up front."""
    embedded = entry.runtime_data.embedded
    for id_tag in ("TAG-5", "TAG-9"):
        if embedded is not None:  # (the add-on accepts unknown tags)
            embedded.tags.add(TagRecord(id_tag))


def _last(station: Station201, action: str) -> dict[str, Any]:
    sent = [payload for name, payload in station.requests if name == action]
    assert sent, f"the station received no {action}"
    return sent[-1]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("service", "data", "action", "request_", "result"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
async def test_every_service_on_a_2x_station(
    hass: HomeAssistant,
    open_station: OpenStation,
    version: str,
    service: str,
    data: dict[str, Any],
    action: str,
    request_: dict[str, Any],
    result: dict[str, Any],
) -> None:
    station = await open_station("st", version)
    response = await call(hass, service, {"device_id": device(hass, "st"), **data})
    received = _last(station, action)
    assert received == request_
    assert {key: response.get(key) for key in result} == result
    for key in ("requestId", "remoteStartId"):  # the id handed out is the one the station got
        if key in result:
            assert response[key] == received[key]
    json.dumps(response)  # a service response must be JSON
    await settled(station)


def test_every_2x_service_has_a_case() -> None:
    described = set(load_yaml(str(COMPONENT / "services.yaml")))
    for_v2 = {service.name for service in services.CHARGER_SERVICES if OcppVersion.V201 in service.implementations}
    # set_charger_password (every version) is tested in tests/test_security_services.py
    not_charger_services = {services.SERVICE_GET_TRANSACTIONS, SERVICE_SET_CHARGER_PASSWORD}
    assert for_v2 == described - V16_ONLY - not_charger_services - set(TAG_SCHEMAS) - set(PRICING_SCHEMAS)
    # the missing ones need a session or a reservation: see the flows below
    assert {case[0] for case in CASES} == for_v2 - {"stop_transaction", "cancel_reservation", "delete_certificate"}
    for service in services.CHARGER_SERVICES:  # 2.1 has exactly 2.0.1's
        assert service.implementations.get(OcppVersion.V21) is service.implementations.get(OcppVersion.V201)


# ---- whole flows ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@both_backends
async def test_a_session_through_the_services(
    hass: HomeAssistant, entry: MockConfigEntry, open_station: OpenStation, version: str
) -> None:
    station = await open_station("flow", version, evses=2)
    central = entry.runtime_data.central
    evse_2 = device(hass, "flow:2")
    started = await call(hass, "start_transaction", {"device_id": evse_2, "id_tag": "TAG-5"})
    assert _last(station, "RequestStartTransaction")["evseId"] == 2
    await until(hass, lambda: central.stations["flow"].connectors[2].transaction is not None)
    tx = central.stations["flow"].connectors[2].transaction
    assert tx is not None and tx.remote_start_id == started["remoteStartId"] and tx.id_tag == "TAG-5"
    await station.update_transaction(2, seconds=3600)

    status = await call(hass, "get_transaction_status", {"device_id": evse_2})
    assert _last(station, "GetTransactionStatus") == {"transactionId": tx.transaction_id}
    assert status == {"messagesInQueue": False, "ongoingIndicator": True}
    shown = await call(
        hass, "set_display_message", {"device_id": evse_2, "message": "Charging", "transaction_id": tx.transaction_id}
    )
    assert _last(station, "SetDisplayMessage")["message"]["transactionId"] == tx.transaction_id
    assert await call(hass, "clear_display_message", {"device_id": evse_2, "message_id": shown["messageId"]}) == {
        "status": "Accepted"
    }

    # the charger device, its only open session
    assert await call(hass, "stop_transaction", {"device_id": device(hass, "flow")}) == {"status": "Accepted"}
    assert _last(station, "RequestStopTransaction") == {"transactionId": tx.transaction_id}
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
    assert "evseId" not in _last(station, "ReserveNow")  # any EVSE
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
    assert _last(station, "GetBaseReport") == {"requestId": answer["requestId"], "reportBase": "FullInventory"}
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
    assert _last(new, "Reset") == {"type": "Immediate", "evseId": 1}
    await call(hass, "reset", {"device_id": device(hass, "new"), "connector_id": 1})
    assert _last(new, "Reset") == {"type": "Immediate", "evseId": 1}
    await call(hass, "reset", {"device_id": device(hass, "old"), "type": "immediate"})
    assert [payload for name, payload in old.requests if name == "Reset"] == [{"type": "Soft"}]
    await settled(new)
