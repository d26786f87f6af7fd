"""Service failures and targeting: refusals, offline, CALLERROR, timeouts, bad input, devices, versions, history."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import voluptuous as vol
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core import services
from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.csms import OcppVersion
from custom_components.ocpp_core.csms.state.tags import TagRecord

from ..helpers_ha import add_entry
from ..helpers_remote import both_backends
from .conftest import Open, OpenStation, answer, call, device, until


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
@both_backends
async def test_a_refusal_is_a_translated_error(
    hass: HomeAssistant, open_charger: Open, service: str, data: dict[str, Any], action: str, status: str
) -> None:
    charger = await open_charger("no")
    answer(charger, action, {"status": status})
    # asked for the response, the caller gets the charger's answer (a response-only service: always)
    response = await call(hass, service, {"device_id": device(hass, "no"), **data})
    assert response["status"] == status and response["refused"] is True
    if hass.services.supports_response(DOMAIN, service) is SupportsResponse.ONLY:
        return
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, service, {"device_id": device(hass, "no"), **data}, response=False)
    assert err.value.translation_key == "charger_rejected"
    assert err.value.translation_placeholders == {"charger": "no", "status": status}
    assert f"Charger no refused: {status}" in str(err.value)


@both_backends
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


@both_backends
async def test_callerror_is_a_translated_error(hass: HomeAssistant, open_charger: Open) -> None:
    charger = await open_charger("err")
    answer(charger, "ClearCache", fail=True)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "clear_cache", {"device_id": device(hass, "err")}, response=False)
    assert err.value.translation_key == "charger_error"
    assert err.value.translation_placeholders["charger"] == "err"
    assert err.value.translation_placeholders["error"].startswith("InternalError")
    # an action the charger has no handler for at all: NotImplemented
    # (a response-only service: its caller gets the CALLERROR as the response)
    charger.route_map.pop("GetLocalListVersion", None)
    response = await call(hass, "get_local_list_version", {"device_id": device(hass, "err")})
    assert response["refused"] is True and response["error"] == "NotImplemented"


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
@both_backends
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


@both_backends
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
    """Same charger id on two central systems: a device per entry; each one's services go to its own."""
    other = await add_entry(hass)
    first = await open_charger("mover")
    await first._connection.close()
    await until(hass, lambda: not entry.runtime_data.central.is_connected("mover"))
    moved = await open_charger("mover", on=other)
    answer(moved, "ClearCache", {"status": "Accepted"})
    devices = dr.async_get(hass)
    await until(hass, lambda: devices.async_get_device(identifiers={(DOMAIN, f"{other.entry_id}:mover")}) is not None)
    old = devices.async_get_device(identifiers={(DOMAIN, f"{entry.entry_id}:mover")})
    new = devices.async_get_device(identifiers={(DOMAIN, f"{other.entry_id}:mover")})
    assert old is not None and new is not None and old.id != new.id
    assert (old.config_entries, new.config_entries) == ({entry.entry_id}, {other.entry_id})
    assert await call(hass, "clear_cache", {"device_id": new.id}) == {"status": "Accepted"}
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "clear_cache", {"device_id": old.id})
    assert err.value.translation_key == "charger_offline"
    await moved._connection.close()
    assert await hass.config_entries.async_unload(other.entry_id)


@both_backends
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
    embedded = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.embedded
    if embedded is not None:  # a known tag (the add-on accepts unknown ones)
        embedded.tags.add(TagRecord("T2"))
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


@both_backends
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


@both_backends
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


@both_backends
async def test_request_ids_are_made_up_when_not_given(hass: HomeAssistant, open_charger: Open) -> None:
    charger = await open_charger("ids")
    logs = answer(charger, "GetLog", {"status": "Accepted"})
    data = {"device_id": device(hass, "ids"), "log_type": "diagnostics_log", "location": "https://example.com/"}
    first = await call(hass, "get_log", data)
    second = await call(hass, "get_log", data)
    assert first["requestId"] != second["requestId"]
    assert [request["request_id"] for request in logs] == [first["requestId"], second["requestId"]]


@both_backends
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


@both_backends
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
        await call(hass, "get_configuration", {"device_id": device_id})
    assert err.value.translation_key == "unsupported_version"
    assert err.value.translation_placeholders == {"charger": "v2", "version": "ocpp2.0.1"}
    station.ocpp_version = OcppVersion.V16


# ---- get_transactions ---------------------------------------------------------------------


@both_backends
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


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
@pytest.mark.parametrize("addon_args", [("--unknown-tags", "reject")])  # (the embedded default; the add-on's)
@both_backends
async def test_a_remote_start_with_a_tag_that_would_be_refused(
    hass: HomeAssistant, open_charger: Open, open_station: OpenStation, version: str
) -> None:
    """Unknown tags are refused (the default): a remote start with one is not sent, and says why."""
    if version == "1.6":
        charger = await open_charger("tags")
    else:
        charger = await open_station("tags", version)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "start_transaction", {"device_id": device(hass, "tags"), "id_tag": "STRANGER"})
    assert err.value.translation_key == "remote_start_tag_refused"
    assert err.value.translation_placeholders == {"charger": "tags", "tag": "STRANGER", "status": "Invalid"}
    assert "tag STRANGER would be refused" in str(err.value)
    assert charger.remote_starts == []
    # Home Assistant's own tag (the default) still starts
    assert (await call(hass, "start_transaction", {"device_id": device(hass, "tags")}))["status"] == "Accepted"
