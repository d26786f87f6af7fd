"""The ocpp_core actions (services), called through Home Assistant against simulated chargers on real sockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.service import _SERVICES_SCHEMA, async_get_all_descriptions
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util.yaml import load_yaml
from ocpp.v16 import call_result
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core import services
from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms import OcppVersion
from sim.charger16 import SimulatedChargePoint, connect

from .helpers_ha import free_port

ROOT = Path(__file__).resolve().parent.parent
COMPONENT = ROOT / "custom_components" / "ocpp_core"
OCPP_SCHEMAS = Path(call_result.__file__).parent / "schemas"

Open = Callable[..., Awaitable[SimulatedChargePoint]]


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None) -> None:
    """Load our integration from custom_components."""


async def _add_entry(hass: HomeAssistant) -> MockConfigEntry:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_HOST: "127.0.0.1", CONF_PORT: free_port()}, title="OCPP")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def entry(hass: HomeAssistant) -> AsyncIterator[MockConfigEntry]:
    entry = await _add_entry(hass)
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def open_charger(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[Open]:
    """Connect and boot simulated chargers; all are closed after the test."""
    opened: list[tuple[asyncio.Task[None], Any]] = []

    async def open_(cp_id: str, connectors: int = 1, on: MockConfigEntry | None = None) -> SimulatedChargePoint:
        port = (on or entry).data[CONF_PORT]
        charger, task, ws = await connect(f"ws://127.0.0.1:{port}", cp_id, connectors)
        opened.append((task, ws))
        await charger.boot()
        for connector_id in range(connectors + 1):
            await charger.send_status(connector_id, "Available")
        identifier = f"{cp_id}:{connectors}" if connectors >= 2 else cp_id
        await until(hass, lambda: device(hass, identifier, missing_ok=True) is not None)
        return charger

    yield open_
    for task, ws in opened:
        await ws.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def until(hass: HomeAssistant, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()


def device(hass: HomeAssistant, identifier: str, missing_ok: bool = False) -> str:
    found = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, identifier)})
    if found is None and missing_ok:
        return None  # type: ignore[return-value]
    assert found is not None, identifier
    return found.id


def answer(
    charger: SimulatedChargePoint,
    action: str,
    result: dict[str, Any] | None = None,
    *,
    delay: float = 0.0,
    fail: bool = False,
) -> list[dict[str, Any]]:
    """Make the simulated charger answer `action` with `result`; returns the requests it receives (snake_case)."""
    received: list[dict[str, Any]] = []

    async def handler(**request: Any) -> Any:
        received.append(request)
        if delay:
            await asyncio.sleep(delay)
        if fail:
            raise RuntimeError("the charger's handler broke")
        return getattr(call_result, action)(**(result or {}))

    charger.route_map[action] = {"_on_action": handler, "_skip_schema_validation": False}
    return received


async def call(hass: HomeAssistant, service: str, data: dict[str, Any], response: bool = True) -> Any:
    return await hass.services.async_call(DOMAIN, service, data, blocking=True, return_response=response)


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


@pytest.mark.parametrize(("service", "data", "action", "result", "request_"), CASES)
async def test_every_service_returns_the_chargers_answer(
    hass: HomeAssistant,
    open_charger: Open,
    service: str,
    data: dict[str, Any],
    action: str,
    result: dict[str, Any],
    request_: dict[str, Any],
) -> None:
    charger = await open_charger("cp")
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
    described = set(load_yaml(str(COMPONENT / "services.yaml")))
    assert {case[0] for case in CASES} == described - {services.SERVICE_GET_TRANSACTIONS}


# ---- refusals, errors, time-outs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "data", "action", "status"),
    [
        ("reset", {}, "Reset", "Rejected"),
        ("unlock_connector", {}, "UnlockConnector", "UnlockFailed"),
        ("change_configuration", {"key": "K", "value": "1"}, "ChangeConfiguration", "NotSupported"),
        ("data_transfer", {"vendor_id": "x"}, "DataTransfer", "UnknownVendorId"),
        (
            "reserve_now",
            {"expiry_date": "2030-01-01 00:00", "id_tag": "T", "reservation_id": 1},
            "ReserveNow",
            "Occupied",
        ),
        ("send_local_list", {"list_version": 1}, "SendLocalList", "VersionMismatch"),
        ("trigger_message", {"requested_message": "heartbeat"}, "TriggerMessage", "NotImplemented"),
        ("get_composite_schedule", {"duration": 60}, "GetCompositeSchedule", "Rejected"),
    ],
)
async def test_a_refusal_is_a_translated_error(
    hass: HomeAssistant, open_charger: Open, service: str, data: dict[str, Any], action: str, status: str
) -> None:
    charger = await open_charger("no")
    answer(charger, action, {"status": status})
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, service, {"device_id": device(hass, "no"), **data})
    assert err.value.translation_key == "charger_rejected"
    assert err.value.translation_placeholders == {"charger": "no", "status": status}
    assert f"Charger no refused: {status}" in str(err.value)


async def test_offline_charger(hass: HomeAssistant, entry: MockConfigEntry, open_charger: Open) -> None:
    charger = await open_charger("gone")
    device_id = device(hass, "gone")
    await charger._connection.close()  # the device stays; the charger is away
    await until(hass, lambda: not entry.runtime_data.central.is_connected("gone"))
    for service, data in (("reset", {}), ("get_configuration", {}), ("send_call", {"action": "ClearCache"})):
        with pytest.raises(HomeAssistantError) as err:
            await call(hass, service, {"device_id": device_id, **data})
        assert err.value.translation_key == "charger_offline"
        assert err.value.translation_placeholders == {"charger": "gone"}
        assert "Charger gone is not connected" in str(err.value)


async def test_callerror_is_a_translated_error(hass: HomeAssistant, open_charger: Open) -> None:
    charger = await open_charger("err")
    answer(charger, "ClearCache", fail=True)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "clear_cache", {"device_id": device(hass, "err")}, response=False)
    assert err.value.translation_key == "charger_error"
    assert err.value.translation_placeholders["charger"] == "err"
    assert err.value.translation_placeholders["error"].startswith("InternalError")
    # an action the charger has no handler for at all: NotImplemented
    charger.route_map.pop("GetLocalListVersion", None)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "get_local_list_version", {"device_id": device(hass, "err")})
    assert err.value.translation_key == "charger_error"
    assert err.value.translation_placeholders["error"].startswith("NotImplemented")


async def test_silent_charger_times_out(hass: HomeAssistant, entry: MockConfigEntry, open_charger: Open) -> None:
    charger = await open_charger("slow")
    entry.runtime_data.central.config.call_timeout = 0.2
    answer(charger, "Reset", {"status": "Accepted"}, delay=1.0)
    started = time.monotonic()
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "reset", {"device_id": device(hass, "slow")})
    assert time.monotonic() - started < 1.0
    assert err.value.translation_key == "charger_timeout"
    assert err.value.translation_placeholders == {"charger": "slow"}
    assert "Charger slow did not answer in time" in str(err.value)
    # the late answer is dropped; the charger is asked again and answers in time
    await asyncio.sleep(1.0)
    answer(charger, "Reset", {"status": "Accepted"})
    assert await call(hass, "reset", {"device_id": device(hass, "slow")}) == {"status": "Accepted"}


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("start_transaction", {"id_tag": "X" * 21}),  # idTag is at most 20 characters
        ("set_charging_profile", {"charging_profile": {"chargingProfileId": 1}}),
        ("send_call", {"action": "NoSuchAction"}),
        ("send_call", {"action": "Reset", "payload": {"type": "Warm"}}),
        ("send_local_list", {"list_version": 1, "local_authorization_list": [{"idTag": "Y" * 21}]}),
    ],
)
async def test_payload_breaking_the_schema_is_a_validation_error(
    hass: HomeAssistant, open_charger: Open, service: str, data: dict[str, Any]
) -> None:
    await open_charger("strict")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, {"device_id": device(hass, "strict"), **data})
    assert err.value.translation_key == "invalid_call"
    assert err.value.translation_placeholders["charger"] == "strict"
    reason = err.value.translation_placeholders["reason"]
    assert reason
    assert f"The request for charger strict was not sent: {reason}" in str(err.value)


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("reset", {"type": "Warm"}),
        ("change_availability", {}),
        ("unlock_connector", {"connector_id": 0}),
        ("trigger_message", {"requested_message": "Nope"}),
        ("reserve_now", {"expiry_date": "tomorrow", "id_tag": "T"}),
        ("send_local_list", {"list_version": 1, "local_authorization_list": [{"idTagInfo": {"status": "Accepted"}}]}),
        ("get_configuration", {"unexpected": 1}),
    ],
)
async def test_bad_fields_are_rejected_by_the_schema(
    hass: HomeAssistant, open_charger: Open, service: str, data: dict[str, Any]
) -> None:
    await open_charger("schema")
    with pytest.raises(vol.Invalid):
        await call(hass, service, {"device_id": device(hass, "schema"), **data})


async def test_unknown_device(hass: HomeAssistant, entry: MockConfigEntry, open_charger: Open) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "reset", {"device_id": "no-such-device"})
    assert err.value.translation_key == "device_not_found"
    assert err.value.translation_placeholders == {"device_id": "no-such-device"}
    other_entry = MockConfigEntry(domain="other")
    other_entry.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(config_entry_id=other_entry.entry_id, identifiers={("other", "x")})
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "reset", {"device_id": foreign.id})
    assert err.value.translation_key == "device_not_found"


async def test_device_of_an_unloaded_entry(hass: HomeAssistant, entry: MockConfigEntry, open_charger: Open) -> None:
    await open_charger("asleep")
    device_id = device(hass, "asleep")
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "reset", {"device_id": device_id})
    assert err.value.translation_key == "entry_not_loaded"
    assert err.value.translation_placeholders == {"device": "asleep"}


async def test_a_charger_that_moved_is_served_where_it_is_connected(
    hass: HomeAssistant, entry: MockConfigEntry, open_charger: Open
) -> None:
    """Same charger id on two central systems: one device, two entries; the connected one answers."""
    other = await _add_entry(hass)
    first = await open_charger("mover")
    await first._connection.close()
    await until(hass, lambda: not entry.runtime_data.central.is_connected("mover"))
    moved = await open_charger("mover", on=other)
    answer(moved, "ClearCache", {"status": "Accepted"})
    found = dr.async_get(hass).async_get(device(hass, "mover"))
    assert found is not None and found.config_entries == {entry.entry_id, other.entry_id}
    assert await call(hass, "clear_cache", {"device_id": found.id}) == {"status": "Accepted"}
    await moved._connection.close()
    assert await hass.config_entries.async_unload(other.entry_id)


async def test_connector_devices_pick_their_connector(hass: HomeAssistant, open_charger: Open) -> None:
    charger = await open_charger("duo", connectors=2)
    station, second = device(hass, "duo"), device(hass, "duo:2")
    unlocks = answer(charger, "UnlockConnector", {"status": "Unlocked"})
    await call(hass, "unlock_connector", {"device_id": second})
    await call(hass, "unlock_connector", {"device_id": station})
    await call(hass, "unlock_connector", {"device_id": second, "connector_id": 1})
    assert [request["connector_id"] for request in unlocks] == [2, 1, 1]

    availability = answer(charger, "ChangeAvailability", {"status": "Accepted"})
    await call(hass, "change_availability", {"device_id": station, "type": "operative"})
    await call(hass, "change_availability", {"device_id": second, "type": "operative"})
    assert [request["connector_id"] for request in availability] == [0, 2]

    triggers = answer(charger, "TriggerMessage", {"status": "Accepted"})
    await call(hass, "trigger_message", {"device_id": station, "requested_message": "meter_values"})
    await call(hass, "trigger_message", {"device_id": second, "requested_message": "meter_values"})
    assert [request.get("connector_id") for request in triggers] == [None, 2]

    starts = answer(charger, "RemoteStartTransaction", {"status": "Accepted"})
    await call(hass, "start_transaction", {"device_id": second, "id_tag": "T2"}, response=False)
    assert starts == [{"id_tag": "T2", "connector_id": 2}]

    profile = {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}]},
    }
    profiles = answer(charger, "SetChargingProfile", {"status": "Accepted"})
    await call(hass, "set_charging_profile", {"device_id": station, "charging_profile": profile})
    await call(hass, "set_charging_profile", {"device_id": second, "charging_profile": profile})
    assert [request["connector_id"] for request in profiles] == [1, 2]


async def test_stop_transaction_finds_the_open_session(
    hass: HomeAssistant, entry: MockConfigEntry, open_charger: Open
) -> None:
    charger = await open_charger("tx", connectors=2)
    station, first, second = device(hass, "tx"), device(hass, "tx:1"), device(hass, "tx:2")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "stop_transaction", {"device_id": station})
    assert err.value.translation_key == "no_open_transaction"
    tx_1 = await charger.start_transaction(1, "A")
    tx_2 = await charger.start_transaction(2, "B")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "stop_transaction", {"device_id": station})
    assert err.value.translation_key == "several_open_transactions"
    stops = answer(charger, "RemoteStopTransaction", {"status": "Accepted"})
    await call(hass, "stop_transaction", {"device_id": second})
    await call(hass, "stop_transaction", {"device_id": station, "connector_id": 1})
    await call(hass, "stop_transaction", {"device_id": first})
    assert [request["transaction_id"] for request in stops] == [tx_2, tx_1, tx_1]


async def test_signed_firmware_fields_go_together(hass: HomeAssistant, open_charger: Open) -> None:
    await open_charger("fw")
    base = {"device_id": device(hass, "fw"), "location": "https://example.com/fw.bin"}
    for extra, field, requires in (
        ({"signature": "S"}, "signature", "signing_certificate"),
        ({"signing_certificate": "C"}, "signing_certificate", "signature"),
        ({"install_date": "2030-01-01 00:00"}, "install_date", "signature"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, "update_firmware", {**base, **extra})
        assert err.value.translation_key == "field_requires"
        assert err.value.translation_placeholders == {"field": field, "requires": requires}


async def test_request_ids_are_made_up_when_not_given(hass: HomeAssistant, open_charger: Open) -> None:
    charger = await open_charger("ids")
    logs = answer(charger, "GetLog", {"status": "Accepted"})
    data = {"device_id": device(hass, "ids"), "log_type": "diagnostics_log", "location": "https://example.com/"}
    first = await call(hass, "get_log", data)
    second = await call(hass, "get_log", data)
    assert first["requestId"] != second["requestId"]
    assert [request["request_id"] for request in logs] == [first["requestId"], second["requestId"]]


async def test_reservation_ids_come_from_the_central_system(
    hass: HomeAssistant, entry: MockConfigEntry, open_charger: Open
) -> None:
    charger = await open_charger("resv")
    reservations = answer(charger, "ReserveNow", {"status": "Accepted"})
    data = {"device_id": device(hass, "resv"), "expiry_date": "2030-01-01 12:00", "id_tag": "T"}
    first = await call(hass, "reserve_now", data)
    second = await call(hass, "reserve_now", data)
    assert first["status"] == "Accepted"
    assert first["reservationId"] != second["reservationId"]
    assert [request["reservation_id"] for request in reservations] == [first["reservationId"], second["reservationId"]]


async def test_naive_times_are_home_assistant_local_time(hass: HomeAssistant, open_charger: Open) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    charger = await open_charger("tz")
    reservations = answer(charger, "ReserveNow", {"status": "Accepted"})
    data = {"device_id": device(hass, "tz"), "expiry_date": "2030-07-01 12:00:00", "id_tag": "T", "reservation_id": 1}
    await call(hass, "reserve_now", data)
    assert reservations[0]["expiry_date"] == "2030-07-01T10:00:00.000Z"


async def test_version_gates(hass: HomeAssistant, entry: MockConfigEntry, open_charger: Open) -> None:
    """A charger whose version a service has no implementation for, or a field its version lacks: clear errors."""
    await open_charger("v2")
    device_id = device(hass, "v2")
    station = entry.runtime_data.central.stations["v2"]

    async def reset_v16(target: services.Target, data: dict[str, Any]) -> dict[str, Any]:
        return {"status": "Accepted"}

    gated = services.ChargerService(
        "gated_reset",
        {vol.Optional("type"): str, vol.Optional("evse_id"): int},
        {OcppVersion.V16: services.Implementation(reset_v16, frozenset({"type"}))},
        None,
    )
    hass.services.async_register(
        DOMAIN, gated.name, services._charger_handler(gated), schema=gated.schema, supports_response=gated.response
    )
    assert await call(hass, "gated_reset", {"device_id": device_id, "type": "Soft"}) == {"status": "Accepted"}
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "gated_reset", {"device_id": device_id, "evse_id": 1})
    assert err.value.translation_key == "field_not_supported"
    assert err.value.translation_placeholders == {"charger": "v2", "version": "ocpp1.6", "fields": "evse_id"}

    station.ocpp_version = OcppVersion.V201  # as if a 2.0.1 charger were connected
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "reset", {"device_id": device_id})
    assert err.value.translation_key == "unsupported_version"
    assert err.value.translation_placeholders == {"charger": "v2", "version": "ocpp2.0.1"}
    station.ocpp_version = OcppVersion.V16


# ---- get_transactions ---------------------------------------------------------------------


async def test_get_transactions(hass: HomeAssistant, entry: MockConfigEntry, open_charger: Open) -> None:
    a = await open_charger("tx-a", connectors=2)
    b = await open_charger("tx-b")
    before = datetime.now(UTC)
    tx_a1 = await a.start_transaction(1, "TAG-A1")
    a.sim.connectors[1].energy_wh += 3000
    await a.stop_transaction(1, reason="EVDisconnected")
    tx_a2 = await a.start_transaction(2, "TAG-A2")
    tx_b = await b.start_transaction(1, "TAG-B")

    everything = (await call(hass, "get_transactions", {}))["transactions"]
    assert [(t["station_id"], t["transaction_id"]) for t in everything] == [
        ("tx-b", str(tx_b)),
        ("tx-a", str(tx_a2)),
        ("tx-a", str(tx_a1)),
    ]
    done = everything[2]
    assert done["connector_id"] == 1
    assert done["id_tag"] == "TAG-A1"
    assert done["energy_wh"] == 3000
    assert done["meter_start_wh"] == 1_000_000
    assert done["meter_stop_wh"] == 1_003_000
    assert done["stop_reason"] == "EVDisconnected"
    assert done["open"] is False
    assert everything[0]["open"] is True
    assert everything[0]["stop_time"] is None
    assert datetime.fromisoformat(done["start_time"]) >= before - timedelta(seconds=1)
    json.dumps(everything)  # a service response must be JSON

    by_station = (await call(hass, "get_transactions", {"device_id": device(hass, "tx-a")}))["transactions"]
    assert {t["transaction_id"] for t in by_station} == {str(tx_a1), str(tx_a2)}
    by_connector = (await call(hass, "get_transactions", {"device_id": device(hass, "tx-a:2")}))["transactions"]
    assert [t["transaction_id"] for t in by_connector] == [str(tx_a2)]
    by_number = await call(hass, "get_transactions", {"device_id": device(hass, "tx-a"), "connector_id": 1})
    assert [t["transaction_id"] for t in by_number["transactions"]] == [str(tx_a1)]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert (await call(hass, "get_transactions", {"until": before.isoformat()}))["transactions"] == []
    later = (await call(hass, "get_transactions", {"since": future}))["transactions"]
    assert {t["transaction_id"] for t in later} == {str(tx_a2), str(tx_b)}  # still open, so still running then
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "get_transactions", {"connector_id": 1})
    assert err.value.translation_key == "field_requires"


# ---- registration, descriptions and translations ---------------------------------------------


async def test_services_are_registered_once_for_every_entry(hass: HomeAssistant) -> None:
    with patch("custom_components.ocpp_core.async_setup_services", wraps=services.async_setup_services) as setup:
        first = await _add_entry(hass)
        second = await _add_entry(hass)
    assert setup.call_count == 1
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    assert registered == set(load_yaml(str(COMPONENT / "services.yaml")))
    # the second entry's chargers are served as well
    charger, task, ws = await connect(f"ws://127.0.0.1:{second.data[CONF_PORT]}", "second-port")
    await charger.boot()
    await until(hass, lambda: device(hass, "second-port", missing_ok=True) is not None)
    answer(charger, "ClearCache", {"status": "Accepted"})
    assert await call(hass, "clear_cache", {"device_id": device(hass, "second-port")}) == {"status": "Accepted"}
    await ws.close()
    task.cancel()
    # unloading one entry keeps the services for the other
    assert await hass.config_entries.async_unload(second.entry_id)
    assert set(hass.services.async_services_for_domain(DOMAIN)) == registered
    assert await hass.config_entries.async_unload(first.entry_id)


def test_services_yaml_is_valid_and_translated() -> None:
    described = load_yaml(str(COMPONENT / "services.yaml"))
    _SERVICES_SCHEMA(described)
    for language in ("en", "de"):
        strings = json.loads((COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8"))
        translated = strings["services"]
        assert set(translated) == set(described), language
        for name, description in described.items():
            assert translated[name]["name"] and translated[name]["description"], (language, name)
            fields = description.get("fields", {})
            assert set(translated[name].get("fields", {})) == set(fields), (language, name)
            for field, spec in fields.items():
                assert translated[name]["fields"][field]["name"], (language, name, field)
                assert translated[name]["fields"][field]["description"], (language, name, field)
                select = spec.get("selector", {}).get("select")
                if select:
                    options = strings["selector"][select["translation_key"]]["options"]
                    assert set(options) == set(select["options"]), (language, name, field)


def test_service_schemas_match_services_yaml() -> None:
    described = load_yaml(str(COMPONENT / "services.yaml"))
    schemas = {service.name: service.schema for service in services.CHARGER_SERVICES}
    schemas[services.SERVICE_GET_TRANSACTIONS] = services.GET_TRANSACTIONS_SCHEMA
    assert set(schemas) == set(described)
    for name, schema in schemas.items():
        keys = {str(key) for key in schema.schema}
        required = {str(key) for key in schema.schema if isinstance(key, vol.Required)}
        fields = described[name]["fields"]
        assert keys == set(fields), name
        assert required == {field for field, spec in fields.items() if spec.get("required")}, name
        for field, spec in fields.items():
            select = spec.get("selector", {}).get("select")
            if select:  # every UI option is accepted and maps to an OCPP value
                for option in select["options"]:
                    vol.Schema(schema.schema[next(k for k in schema.schema if str(k) == field)])(option)


async def test_descriptions_load_in_home_assistant(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    assert set(descriptions) == set(load_yaml(str(COMPONENT / "services.yaml")))
    assert descriptions["get_transactions"]["response"] == {"optional": False}
    assert descriptions["reset"]["response"] == {"optional": True}
    german = await async_get_translations(hass, "de", "services", [DOMAIN])
    assert german[f"component.{DOMAIN}.services.reset.name"] == "Ladestation neu starten"
    assert "services.yaml" not in caplog.text


def test_translations_use_the_same_placeholders() -> None:
    placeholder = re.compile(r"\{(\w+)\}")
    english, german = (
        json.loads((COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8"))["exceptions"]
        for language in ("en", "de")
    )
    for key, text in english.items():
        assert set(placeholder.findall(text["message"])) == set(placeholder.findall(german[key]["message"])), key


def test_every_error_key_is_translated() -> None:
    used: set[str] = set()
    for path in (*(COMPONENT / "services").glob("*.py"), COMPONENT / "errors.py", COMPONENT / "__init__.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:ha_error|validation_error)\(\s*"([a-z_]+)"', text))
        used |= set(re.findall(r'translation_key="([a-z_]+)"', text))
    assert {"charger_offline", "device_not_found", "invalid_call", "unsupported_version"} <= used
    for language in ("en", "de"):
        exceptions = json.loads((COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8"))[
            "exceptions"
        ]
        assert used <= set(exceptions), (language, used - set(exceptions))


@pytest.mark.parametrize(
    ("values", "schema", "path"),
    [
        (services.RESET_TYPES, "Reset", ("properties", "type")),
        (services.AVAILABILITY_TYPES, "ChangeAvailability", ("properties", "type")),
        (services.TRIGGER_MESSAGES, "TriggerMessage", ("properties", "requestedMessage")),
        (services.UPDATE_TYPES, "SendLocalList", ("properties", "updateType")),
        (
            services.ID_TAG_STATUSES,
            "SendLocalList",
            ("properties", "localAuthorizationList", "items", "properties", "idTagInfo", "properties", "status"),
        ),
        (services.PROFILE_PURPOSES, "ClearChargingProfile", ("properties", "chargingProfilePurpose")),
        (services.RATE_UNITS, "GetCompositeSchedule", ("properties", "chargingRateUnit")),
        (services.LOG_TYPES, "GetLog", ("definitions", "LogEnumType")),
        (services.CERTIFICATE_TYPES, "InstallCertificate", ("definitions", "CertificateUseEnumType")),
        (services.HASH_ALGORITHMS, "DeleteCertificate", ("definitions", "HashAlgorithmEnumType")),
    ],
)
def test_enumerations_match_the_ocpp_schemas(values: tuple[str, ...], schema: str, path: tuple[str, ...]) -> None:
    node = json.loads((OCPP_SCHEMAS / f"{schema}.json").read_text(encoding="utf-8"))
    for key in path:
        node = node[key]
    assert set(values) == set(node["enum"])


def test_extended_trigger_messages_match_the_schema() -> None:
    node = json.loads((OCPP_SCHEMAS / "ExtendedTriggerMessage.json").read_text(encoding="utf-8"))
    extended = set(node["definitions"]["MessageTriggerEnumType"]["enum"])
    assert set(services.EXTENDED_TRIGGER_MESSAGES) == extended - set(services.TRIGGER_MESSAGES)
