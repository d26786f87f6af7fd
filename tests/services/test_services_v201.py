"""The services on OCPP 2.0.1 and 2.1 stations: every one through Home Assistant against a simulated
station on a real socket (the request it received, its answer), whole flows, and the version gates."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from unittest.mock import ANY

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.util.yaml import load_yaml

from custom_components.ocpp_core import services
from custom_components.ocpp_core.csms import OcppVersion
from custom_components.ocpp_core.services.pricing import PRICING_SCHEMAS
from custom_components.ocpp_core.services.security import SERVICE_SET_CHARGER_PASSWORD
from custom_components.ocpp_core.services.tags import TAG_SCHEMAS
from sim.handlers201 import PEM_CERTIFICATE, SIM_VENDOR_ID

from .conftest import COMPONENT, OpenStation, call, device, last_request, settled

pytestmark = pytest.mark.usefixtures("known_2x_tags")
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


# every version embedded; the add-on's central system with 2.0.1 (the scenarios: 1.6J and 2.0.1)
VERSIONS_AND_BACKENDS = [*((version, "embedded") for version in VERSIONS), ("2.0.1", "remote")]


@pytest.mark.parametrize(("version", "backend"), VERSIONS_AND_BACKENDS)
@pytest.mark.parametrize(
    ("service", "data", "action", "request_", "result"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
async def test_every_service_on_a_2x_station(
    hass: HomeAssistant,
    backend: str,
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
    received = last_request(station, action)
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
