"""Every ocpp_core service, called through Home Assistant against a simulated charger on a real socket."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.util.yaml import load_yaml

from custom_components.ocpp_core import services
from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms import OcppVersion
from custom_components.ocpp_core.csms.state.tags import TagRecord

from ..helpers_remote import both_backends
from .conftest import COMPONENT, Open, answer, call, device

# ---- every service, answered ---------------------------------------------------------------

EXPIRY = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)

# service, service data (besides device_id), action, charger's answer, expected request (snake_case, as the charger parses it)
CASES: list[tuple[str, dict[str, Any], str, dict[str, Any], dict[str, Any]]] = [
    ("reset", {}, "Reset", {"status": "Accepted"}, {"type": "Soft"}),
    ("reset", {"type": "hard"}, "Reset", {"status": "Accepted"}, {"type": "Hard"}),
    ("unlock_connector", {}, "UnlockConnector", {"status": "Unlocked"}, {"connector_id": 1}),
    (
        "change_availability",
        {"type": "Inoperative"},
        "ChangeAvailability",
        {"status": "Scheduled"},
        {"connector_id": 0, "type": "Inoperative"},
    ),
    (
        "get_configuration",
        {"keys": ["HeartbeatInterval"]},
        "GetConfiguration",
        {"configuration_key": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]},
        {"key": ["HeartbeatInterval"]},
    ),
    ("get_configuration", {}, "GetConfiguration", {"unknown_key": []}, {}),
    (
        "change_configuration",
        {"key": "LocalPreAuthorize", "value": True},
        "ChangeConfiguration",
        {"status": "RebootRequired"},
        {"key": "LocalPreAuthorize", "value": "true"},
    ),
    ("clear_cache", {}, "ClearCache", {"status": "Accepted"}, {}),
    (
        "data_transfer",
        {"vendor_id": "com.example", "message_id": "Ping", "data": {"n": 1}},
        "DataTransfer",
        {"status": "Accepted", "data": "pong"},
        {"vendor_id": "com.example", "message_id": "Ping", "data": '{"n":1}'},
    ),
    (
        "start_transaction",
        {},
        "RemoteStartTransaction",
        {"status": "Accepted"},
        {"id_tag": "HomeAssistant", "connector_id": 1},
    ),
    (
        "start_transaction",
        {
            "id_tag": "TAG-9",
            "charging_profile": {
                "chargingProfileId": 1,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxProfile",
                "chargingProfileKind": "Relative",
                "chargingSchedule": {
                    "chargingRateUnit": "A",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}],
                },
            },
        },
        "RemoteStartTransaction",
        {"status": "Accepted"},
        {
            "id_tag": "TAG-9",
            "connector_id": 1,
            "charging_profile": {
                "charging_profile_id": 1,
                "stack_level": 0,
                "charging_profile_purpose": "TxProfile",
                "charging_profile_kind": "Relative",
                "charging_schedule": {
                    "charging_rate_unit": "A",
                    "charging_schedule_period": [{"start_period": 0, "limit": 16}],
                },
            },
        },
    ),
    (
        "stop_transaction",
        {"transaction_id": 42},
        "RemoteStopTransaction",
        {"status": "Accepted"},
        {"transaction_id": 42},
    ),
    (
        "reserve_now",
        {"expiry_date": EXPIRY.isoformat(), "id_tag": "TAG-1", "reservation_id": 5, "parent_id_tag": "FAMILY"},
        "ReserveNow",
        {"status": "Accepted"},
        {
            "connector_id": 1,
            "expiry_date": "2030-01-02T03:04:05.000Z",
            "id_tag": "TAG-1",
            "reservation_id": 5,
            "parent_id_tag": "FAMILY",
        },
    ),
    ("cancel_reservation", {"reservation_id": 5}, "CancelReservation", {"status": "Accepted"}, {"reservation_id": 5}),
    (
        "send_local_list",
        {
            "list_version": 3,
            "local_authorization_list": [
                {"idTag": "TAG-1", "idTagInfo": {"status": "Accepted", "expiryDate": "2030-01-02T03:04:05+00:00"}},
                {"idTag": "TAG-2"},
            ],
        },
        "SendLocalList",
        {"status": "Accepted"},
        {
            "list_version": 3,
            "update_type": "Full",
            "local_authorization_list": [
                {"id_tag": "TAG-1", "id_tag_info": {"status": "Accepted", "expiry_date": "2030-01-02T03:04:05.000Z"}},
                {"id_tag": "TAG-2"},
            ],
        },
    ),
    ("get_local_list_version", {}, "GetLocalListVersion", {"list_version": 3}, {}),
    (
        "trigger_message",
        {"requested_message": "status_notification", "connector_id": 1},
        "TriggerMessage",
        {"status": "Accepted"},
        {"requested_message": "StatusNotification", "connector_id": 1},
    ),
    (
        "trigger_message",
        {"requested_message": "SignChargePointCertificate"},
        "ExtendedTriggerMessage",
        {"status": "Accepted"},
        {"requested_message": "SignChargePointCertificate"},
    ),
    (
        "update_firmware",
        {"location": "https://example.com/fw.bin", "retrieve_date": EXPIRY.isoformat(), "retries": 2},
        "UpdateFirmware",
        {},
        {"location": "https://example.com/fw.bin", "retrieve_date": "2030-01-02T03:04:05.000Z", "retries": 2},
    ),
    (
        "update_firmware",
        {
            "location": "https://example.com/fw.bin",
            "retrieve_date": EXPIRY.isoformat(),
            "signing_certificate": "CERT",
            "signature": "SIG",
            "request_id": 77,
        },
        "SignedUpdateFirmware",
        {"status": "Accepted"},
        {
            "request_id": 77,
            "firmware": {
                "location": "https://example.com/fw.bin",
                "retrieve_date_time": "2030-01-02T03:04:05.000Z",
                "signing_certificate": "CERT",
                "signature": "SIG",
            },
        },
    ),
    (
        "get_diagnostics",
        {"location": "ftp://example.com/", "start_time": EXPIRY.isoformat()},
        "GetDiagnostics",
        {"file_name": "diag.zip"},
        {"location": "ftp://example.com/", "start_time": "2030-01-02T03:04:05.000Z"},
    ),
    (
        "get_log",
        {"log_type": "security_log", "location": "https://example.com/logs/", "request_id": 9},
        "GetLog",
        {"status": "Accepted", "filename": "security.log"},
        {"log_type": "SecurityLog", "request_id": 9, "log": {"remote_location": "https://example.com/logs/"}},
    ),
    (
        "set_charging_profile",
        {
            "charging_profile": {
                "chargingProfileId": 10,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Recurring",
                "recurrencyKind": "Daily",
                "chargingSchedule": {
                    "chargingRateUnit": "W",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400}],
                },
            }
        },
        "SetChargingProfile",
        {"status": "Accepted"},
        {
            "connector_id": 0,
            "cs_charging_profiles": {
                "charging_profile_id": 10,
                "stack_level": 0,
                "charging_profile_purpose": "TxDefaultProfile",
                "charging_profile_kind": "Recurring",
                "recurrency_kind": "Daily",
                "charging_schedule": {
                    "charging_rate_unit": "W",
                    "charging_schedule_period": [{"start_period": 0, "limit": 7400}],
                },
            },
        },
    ),
    (
        "clear_charging_profile",
        {"charging_profile_purpose": "tx_default_profile"},
        "ClearChargingProfile",
        {"status": "Unknown"},
        {"charging_profile_purpose": "TxDefaultProfile"},
    ),
    (
        "get_composite_schedule",
        {"duration": 3600, "charging_rate_unit": "w"},
        "GetCompositeSchedule",
        {"status": "Accepted", "connector_id": 1},
        {"connector_id": 1, "duration": 3600, "charging_rate_unit": "W"},
    ),
    (
        "install_certificate",
        {"certificate_type": "central_system_root_certificate", "certificate": "PEM"},
        "InstallCertificate",
        {"status": "Accepted"},
        {"certificate_type": "CentralSystemRootCertificate", "certificate": "PEM"},
    ),
    (
        "get_installed_certificate_ids",
        {"certificate_type": "ManufacturerRootCertificate"},
        "GetInstalledCertificateIds",
        {"status": "NotFound"},
        {"certificate_type": "ManufacturerRootCertificate"},
    ),
    (
        "delete_certificate",
        {"hash_algorithm": "sha256", "issuer_name_hash": "aa", "issuer_key_hash": "bb", "serial_number": "01"},
        "DeleteCertificate",
        {"status": "Accepted"},
        {
            "certificate_hash_data": {
                "hash_algorithm": "SHA256",
                "issuer_name_hash": "aa",
                "issuer_key_hash": "bb",
                "serial_number": "01",
            }
        },
    ),
    (
        "send_call",
        {"action": "GetConfiguration", "payload": {"key": ["MeterValueSampleInterval"]}},
        "GetConfiguration",
        {"unknown_key": ["MeterValueSampleInterval"]},
        {"key": ["MeterValueSampleInterval"]},
    ),
    ("send_call", {"action": "ClearCache"}, "ClearCache", {"status": "Rejected"}, {}),
]

_SNAKE = re.compile(r"_([a-z])")


def _camel(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {_SNAKE.sub(lambda m: m.group(1).upper(), key): _camel(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_camel(item) for item in tree]
    return tree


@both_backends
@pytest.mark.parametrize(("service", "data", "action", "result", "request_"), CASES)
async def test_every_service_returns_the_chargers_answer(
    hass: HomeAssistant,
    backend: str,
    open_charger: Open,
    service: str,
    data: dict[str, Any],
    action: str,
    result: dict[str, Any],
    request_: dict[str, Any],
) -> None:
    charger = await open_charger("cp")
    embedded = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.embedded
    if data.get("id_tag") == "TAG-9" and embedded is not None:
        # a known tag: a remote start with an unknown one is refused up front (the add-on accepts unknown ones)
        embedded.tags.add(TagRecord("TAG-9"))
    received = answer(charger, action, result)
    response = await call(hass, service, {"device_id": device(hass, "cp"), **data})
    assert received == [request_]
    expected = _camel(result)
    if service == "reserve_now":
        expected["reservationId"] = data["reservation_id"]  # what cancel_reservation needs
    if "request_id" in data:
        expected["requestId"] = data["request_id"]
    assert response == expected


def test_every_service_has_a_case() -> None:
    """Every service a 1.6 charger has (test_services_v201.py covers those of 2.x chargers)."""
    described = set(load_yaml(str(COMPONENT / "services.yaml")))
    for_v16 = {service.name for service in services.CHARGER_SERVICES if OcppVersion.V16 in service.implementations}
    assert for_v16 < described
    assert {case[0] for case in CASES} == for_v16


# ---- refusals, errors, time-outs ------------------------------------------------------------
