"""OCPP 2.0.1 / 2.1, central system → station: every typed command over a real WebSocket against the
simulated station — the request it received, its answer, what the central system learnt from it.
Transactions, availability, triggers, reservations and the local list here, with the schema check that
stops a bad request before it is sent and the same commands on 2.1; the device model, monitoring, smart
charging, firmware, logs, display messages, customer data and security in test_commands_management_v201."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem, EventType, InvalidCall, LogRequest, LogUpload
from custom_components.ocpp_core.csms.model.station import ENERGY_IMPORT_REGISTER, Station
from custom_components.ocpp_core.csms.rpc.timeutil import format_timestamp, utcnow
from custom_components.ocpp_core.csms.v201.commands import V201Commands, id_token_of

from .support.commands_v201 import (
    CP,
    HEARTBEAT,
    NETWORK,
    PEM,
    Sim,
    cmd,
    done,
    received,
    running,
    st,
    tx_profile,
    v2,
)
from .support.conformance_v16 import Recorder


@pytest.fixture
async def station(central: CentralSystem, url: str) -> AsyncIterator[Sim]:
    """A booted 2.0.1 station with two EVSEs, its inventory read."""
    async with running(central, url, "2.0.1") as sim:
        yield sim


@pytest.fixture
async def station21(central: CentralSystem, url: str) -> AsyncIterator[Sim]:
    """The same station speaking OCPP 2.1."""
    async with running(central, url, "2.1") as sim:
        yield sim


# ---- transactions ----------------------------------------------------------------------


async def test_request_start_and_stop(station: Sim, central: CentralSystem) -> None:
    remote_start_id = central.next_remote_start_id()
    assert await cmd(central).request_start_transaction("TAG-R", remote_start_id, evse_id=2) == {"status": "Accepted"}
    assert received(station, "RequestStartTransaction") == {
        "idToken": {"idToken": "TAG-R", "type": "Central"},
        "remoteStartId": remote_start_id,
        "evseId": 2,
    }
    await done(station, lambda: st(central).connectors[2].transaction is not None)
    tx = st(central).connectors[2].transaction
    assert tx is not None
    assert (tx.id_tag, tx.remote_start_id, tx.trigger_reason) == ("TAG-R", remote_start_id, "RemoteStart")
    assert st(central).connectors[2].status == "Occupied"
    busy = await cmd(central).request_start_transaction("TAG-R", central.next_remote_start_id(), evse_id=2)
    assert busy == {"status": "Rejected", "statusInfo": {"reasonCode": "NoFreeEvse"}}
    assert await cmd(central).get_transaction_status(tx.transaction_id) == {
        "messagesInQueue": False,
        "ongoingIndicator": True,
    }

    assert await cmd(central).request_stop_transaction(tx.transaction_id) == {"status": "Accepted"}
    assert received(station, "RequestStopTransaction") == {"transactionId": tx.transaction_id}
    await done(station, lambda: st(central).connectors[2].transaction is None)
    ended = central.transactions(CP)[-1]
    assert (ended["transaction_id"], ended["stop_reason"]) == (tx.transaction_id, "Remote")
    assert await cmd(central).request_stop_transaction(tx.transaction_id) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnknownTx"},
    }
    assert await cmd(central).get_transaction_status(tx.transaction_id) == {
        "messagesInQueue": False,
        "ongoingIndicator": False,
    }
    assert await cmd(central).get_transaction_status() == {"messagesInQueue": False}


async def test_request_start_any_evse_with_profile(station: Sim, central: CentralSystem) -> None:
    await station.start_transaction(1, "LOCAL")
    profile = tx_profile(7)
    answer = await cmd(central).request_start_transaction(
        id_token_of("04A1B2", "ISO14443"), 1001, charging_profile=profile, group_id_token="GROUP"
    )
    assert answer == {"status": "Accepted"}
    sent = received(station, "RequestStartTransaction")
    assert "evseId" not in sent and sent["groupIdToken"] == {"idToken": "GROUP", "type": "Central"}
    assert sent["chargingProfile"]["chargingSchedule"][0]["startSchedule"].endswith("Z")
    await done(station, lambda: st(central).connectors[2].transaction is not None)  # the free one
    assert station.sim.charging_profiles[7]["evse_id"] == 2
    tx = st(central).connectors[2].transaction
    assert tx is not None and (tx.id_tag, tx.id_token_type) == ("04A1B2", "ISO14443")
    # no EVSE left; an unknown EVSE; a profile that is not a TxProfile
    assert (await cmd(central).request_start_transaction("T", 1002))["status"] == "Rejected"
    assert await cmd(central).request_start_transaction("T", 1003, evse_id=9) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnknownEvse"},
    }
    await station.stop_transaction(1)
    refused = await cmd(central).request_start_transaction("T", 1004, 1, tx_profile(8, "TxDefaultProfile"))
    assert refused == {"status": "Rejected", "statusInfo": {"reasonCode": "NotTxProfile"}}


async def test_cost_updated(station: Sim, central: CentralSystem) -> None:
    tx_id = await station.start_transaction(1, "TAG")
    assert await cmd(central).cost_updated(12.34, tx_id) == {}
    assert received(station, "CostUpdated") == {"totalCost": 12.34, "transactionId": tx_id}
    assert station.sim.extra["costs"] == {tx_id: 12.34}


# ---- availability and reset ------------------------------------------------------------


async def test_reset_immediate_ends_transactions_and_reboots(
    station: Sim, central: CentralSystem, recorder: Recorder
) -> None:
    tx_id = await station.start_transaction(1, "TAG")
    assert await cmd(central).reset() == {"status": "Accepted"}
    assert received(station, "Reset") == {"type": "Immediate"}
    await done(station, lambda: len(recorder.of(EventType.BOOTED)) == 1 and central.is_connected(CP))
    ended = next(t for t in central.transactions(CP) if t["transaction_id"] == tx_id)
    assert ended["stop_reason"] == "ImmediateReset"
    assert v2(central).boot_reason == "RemoteReset"
    assert st(central).connectors[1].status == "Available"


async def test_reset_on_idle_waits_for_the_transaction(
    station: Sim, central: CentralSystem, recorder: Recorder
) -> None:
    tx_id = await station.start_transaction(2, "TAG")
    assert await cmd(central).reset("OnIdle") == {"status": "Scheduled"}
    assert recorder.of(EventType.BOOTED) == []
    assert await cmd(central).request_stop_transaction(tx_id) == {"status": "Accepted"}
    await done(station, lambda: len(recorder.of(EventType.BOOTED)) == 1 and central.is_connected(CP))
    assert v2(central).boot_reason == "ScheduledReset"
    assert central.transactions(CP)[-1]["stop_reason"] == "Remote"


async def test_reset_one_evse(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    tx_id = await station.start_transaction(2, "TAG")
    assert await cmd(central).reset("OnIdle", evse_id=2) == {"status": "Scheduled"}
    assert await cmd(central).reset("Immediate", evse_id=2) == {"status": "Accepted"}
    assert received(station, "Reset") == {"type": "Immediate", "evseId": 2}
    await done(station, lambda: st(central).connectors[2].transaction is None)
    ended = central.transactions(CP)[-1]
    assert (ended["transaction_id"], ended["stop_reason"]) == (tx_id, "ImmediateReset")
    assert st(central).connectors[2].status == "Available"
    assert recorder.of(EventType.BOOTED) == []  # the station did not reboot
    assert await cmd(central).reset("Immediate", evse_id=7) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnknownEvse"},
    }


async def test_unlock_connector(station: Sim, central: CentralSystem) -> None:
    assert await cmd(central).unlock_connector(1, 1) == {"status": "Unlocked"}
    assert received(station, "UnlockConnector") == {"evseId": 1, "connectorId": 1}
    assert await cmd(central).unlock_connector(1, 2) == {"status": "UnknownConnector"}
    assert await cmd(central).unlock_connector(5, 1) == {"status": "UnknownConnector"}
    await station.start_transaction(1, "TAG")
    assert await cmd(central).unlock_connector(1, 1) == {"status": "OngoingAuthorizedTransaction"}


async def test_change_availability(station: Sim, central: CentralSystem) -> None:
    assert await cmd(central).change_availability("Inoperative", 2) == {"status": "Accepted"}
    assert received(station, "ChangeAvailability") == {"operationalStatus": "Inoperative", "evse": {"id": 2}}
    await done(station, lambda: st(central).connectors[2].status == "Unavailable")
    assert (await cmd(central).request_start_transaction("T", 1, evse_id=2))["status"] == "Rejected"
    assert await cmd(central).change_availability("Operative", 2, 1) == {"status": "Accepted"}
    assert received(station, "ChangeAvailability")["evse"] == {"id": 2, "connectorId": 1}
    await done(station, lambda: st(central).connectors[2].status == "Available")

    # the whole station, with a transaction on EVSE 1: that EVSE follows once the transaction ends
    tx_id = await station.start_transaction(1, "TAG")
    assert await cmd(central).change_availability("Inoperative") == {"status": "Scheduled"}
    assert received(station, "ChangeAvailability") == {"operationalStatus": "Inoperative"}
    await done(station, lambda: st(central).connectors[2].status == "Unavailable")
    assert st(central).connectors[1].status == "Occupied"
    assert await cmd(central).request_stop_transaction(tx_id) == {"status": "Accepted"}
    await done(station, lambda: st(central).connectors[1].status == "Unavailable")
    assert await cmd(central).change_availability("Operative", 9) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnknownEvse"},
    }


# ---- remote trigger ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "evse_id", "connector_id", "check"),
    [
        ("Heartbeat", None, None, lambda s: s.last_heartbeat is not None),
        ("StatusNotification", 2, 1, lambda s: s.connectors[2].status == "Available"),
        ("MeterValues", 1, None, lambda s: s.connectors[1].reading(ENERGY_IMPORT_REGISTER) == 1_000_000.0),
        ("FirmwareStatusNotification", None, None, lambda s: s.firmware_status == "Idle"),
        ("LogStatusNotification", None, None, lambda s: s.log_status == "Idle"),
        ("SignChargingStationCertificate", None, None, lambda s: s.certificate_signing_request is not None),
    ],
)
async def test_trigger_message(
    station: Sim,
    central: CentralSystem,
    requested: str,
    evse_id: int | None,
    connector_id: int | None,
    check: Callable[[Station], bool],
) -> None:
    assert await cmd(central).trigger_message(requested, evse_id, connector_id) == {"status": "Accepted"}
    sent = received(station, "TriggerMessage")
    assert sent["requestedMessage"] == requested
    assert sent.get("evse") == (
        {"id": evse_id, **({"connectorId": connector_id} if connector_id else {})} if evse_id else None
    )
    await done(station, lambda: check(st(central)))


async def test_trigger_message_refusals_and_transaction_event(
    station: Sim, central: CentralSystem, recorder: Recorder
) -> None:
    assert await cmd(central).trigger_message("BootNotification") == {"status": "Rejected"}  # already accepted
    assert await cmd(central).trigger_message("TransactionEvent", 1) == {"status": "Rejected"}  # none running
    assert await cmd(central).trigger_message("PublishFirmwareStatusNotification") == {"status": "NotImplemented"}
    assert await cmd(central).trigger_message("Heartbeat", 5) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnknownEvse"},
    }
    await station.start_transaction(1, "TAG")
    assert await cmd(central).trigger_message("TransactionEvent", 1) == {"status": "Accepted"}
    await done(station, lambda: recorder.of(EventType.TRANSACTION_UPDATED))
    assert recorder.of(EventType.TRANSACTION_UPDATED)[-1].data["trigger_reason"] == "Trigger"


# ---- reservation and authorization ---------------------------------------------------


async def test_reserve_now_and_cancel(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    expiry = utcnow() + timedelta(minutes=30)
    reservation_id = central.next_reservation_id()
    answer = await cmd(central).reserve_now(reservation_id, expiry, "TAG-RES", evse_id=1, group_id_token="GROUP")
    assert answer == {"status": "Accepted"}
    assert received(station, "ReserveNow") == {
        "id": reservation_id,
        "expiryDateTime": format_timestamp(expiry),
        "idToken": {"idToken": "TAG-RES", "type": "Central"},
        "evseId": 1,
        "groupIdToken": {"idToken": "GROUP", "type": "Central"},
    }
    evse = st(central).connectors[1]
    reservation = evse.reservation
    assert reservation is not None
    assert (reservation.reservation_id, reservation.connector_id, reservation.id_tag, reservation.parent_id_tag) == (
        reservation_id, 1, "TAG-RES", "GROUP",
    )  # fmt: skip
    await done(station, lambda: evse.status == "Reserved")
    # reserved for someone else
    assert (await cmd(central).request_start_transaction("OTHER", 1, evse_id=1))["status"] == "Rejected"

    assert await cmd(central).cancel_reservation(reservation_id) == {"status": "Accepted"}
    assert received(station, "CancelReservation") == {"reservationId": reservation_id}
    assert evse.reservation is None
    assert recorder.of(EventType.RESERVATION)[-1].data["reason"] == "cancelled"
    await done(station, lambda: evse.status == "Available")
    assert await cmd(central).cancel_reservation(reservation_id) == {"status": "Rejected"}

    # any EVSE: the station keeps one free; refusals store nothing
    any_id = central.next_reservation_id()
    assert await cmd(central).reserve_now(any_id, expiry, "TAG-ANY", connector_type="cType2") == {"status": "Accepted"}
    assert st(central).reservation is not None and st(central).reservation.reservation_id == any_id
    await station.start_transaction(2, "TAG")
    assert await cmd(central).reserve_now(central.next_reservation_id(), expiry, "T", evse_id=2) == {
        "status": "Occupied"
    }
    assert await cmd(central).reserve_now(central.next_reservation_id(), expiry, "T", evse_id=8) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnknownEvse"},
    }
    assert await cmd(central).reserve_now(central.next_reservation_id(), expiry, "T", connector_type="cCCS2") == {
        "status": "Rejected"
    }
    assert [r.reservation_id for r in st(central).reservations()] == [any_id]


async def test_reservation_used_by_its_session(station: Sim, central: CentralSystem) -> None:
    reservation_id = central.next_reservation_id()
    expiry = utcnow() + timedelta(minutes=5)
    assert await cmd(central).reserve_now(reservation_id, expiry, "TAG-U", evse_id=2) == {"status": "Accepted"}
    await done(station)
    assert await cmd(central).request_start_transaction("TAG-U", 5, evse_id=2) == {"status": "Accepted"}
    await done(station, lambda: st(central).connectors[2].transaction is not None)
    assert st(central).connectors[2].reservation is None  # the TransactionEvent carried the reservation id
    assert station.sim.reservations == {}


async def test_local_list_and_cache(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    entries = [
        {"idToken": id_token_of("TAG-1", "ISO14443"), "idTokenInfo": {"status": "Accepted"}},
        {"idToken": id_token_of("TAG-2", "ISO14443"), "idTokenInfo": {"status": "Blocked"}},
    ]
    assert await cmd(central).send_local_list(5, "Full", entries) == {"status": "Accepted"}
    assert received(station, "SendLocalList") == {
        "versionNumber": 5,
        "updateType": "Full",
        "localAuthorizationList": entries,
    }
    assert st(central).local_list_version == 5
    assert station.sim.local_list == {"TAG-1": {"status": "Accepted"}, "TAG-2": {"status": "Blocked"}}
    assert recorder.of(EventType.LOCAL_LIST)[-1].data == {"list_version": 5}
    removal = [{"idToken": id_token_of("TAG-1", "ISO14443")}]
    assert await cmd(central).send_local_list(3, "Differential", removal) == {"status": "VersionMismatch"}
    assert st(central).local_list_version == 5
    assert await cmd(central).send_local_list(6, "Differential", removal) == {"status": "Accepted"}
    assert set(station.sim.local_list) == {"TAG-2"} and st(central).local_list_version == 6
    station.sim.local_list_version = 9  # changed by someone else
    assert await cmd(central).get_local_list_version() == {"versionNumber": 9}
    assert received(station, "GetLocalListVersion") == {}
    assert st(central).local_list_version == 9
    station.sim.device_model.set({"name": "LocalAuthListCtrlr"}, {"name": "Enabled"}, "false")
    assert await cmd(central).send_local_list(10, "Full") == {
        "status": "Failed",
        "statusInfo": {"reasonCode": "Disabled"},
    }
    assert st(central).local_list_version == 9
    assert await cmd(central).clear_cache() == {"status": "Accepted"}
    assert received(station, "ClearCache") == {}


# ---- the schema check: nothing is sent -------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.reset("Soft"),  # a 1.6 value
        lambda c: c.reset("ImmediateAndResume"),  # 2.1 only
        lambda c: c.trigger_message("Heartbeat", custom_trigger="x"),  # 2.1 only
        lambda c: c.request_start_transaction("T", 1, id_token_type="Magic"),
        lambda c: c.request_start_transaction("T" * 40, 1),  # idToken is at most 36 characters
        lambda c: c.set_charging_profile(1, {"id": 1, "stackLevel": 0}),
        lambda c: c.get_variables([]),
        lambda c: c.set_variables([{**HEARTBEAT, "attributeValue": 60}]),
        lambda c: c.get_base_report(1, "Everything"),
        lambda c: c.set_display_message({"id": 1, "priority": "Loud", "message": {"format": "UTF8", "content": "x"}}),
        lambda c: c.set_network_profile(1, {**NETWORK, "ocppVersion": "OCPP21"}),
        lambda c: c.change_availability("Operative", connector_id=1),  # a connector needs its EVSE
        lambda c: c.trigger_message("StatusNotification", connector_id=1),
    ],
)
async def test_invalid_calls_are_not_sent(
    station: Sim, central: CentralSystem, send: Callable[[V201Commands], Any]
) -> None:
    before = len(station.requests)
    with pytest.raises(InvalidCall):
        await send(cmd(central))
    assert len(station.requests) == before


# ---- OCPP 2.1 --------------------------------------------------------------------------


async def test_v21_transactions_and_reset_resume(station21: Sim, central: CentralSystem, recorder: Recorder) -> None:
    assert await cmd(central).request_start_transaction("TAG-21", 21, evse_id=1) == {"status": "Accepted"}
    await done(station21, lambda: st(central).connectors[1].transaction is not None)
    tx = st(central).connectors[1].transaction
    assert tx is not None and tx.remote_start_id == 21
    assert await cmd(central).reset("ImmediateAndResume") == {"status": "Accepted"}
    assert received(station21, "Reset") == {"type": "ImmediateAndResume"}
    await done(station21, lambda: len(recorder.of(EventType.BOOTED)) == 1 and central.is_connected(CP))
    resumed = st(central).connectors[1].transaction
    assert resumed is not None and resumed.transaction_id == tx.transaction_id
    assert resumed.trigger_reason == "TxResumed"
    assert await cmd(central).request_stop_transaction(tx.transaction_id) == {"status": "Accepted"}
    await done(station21, lambda: st(central).connectors[1].transaction is None)


async def test_v21_device_model_and_triggers(station21: Sim, central: CentralSystem, recorder: Recorder) -> None:
    answer = await cmd(central).set_variables([{**HEARTBEAT, "attributeValue": "90"}])
    assert answer["setVariableResult"][0]["attributeStatus"] == "Accepted"
    assert v2(central).device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "90"
    got = await cmd(central).get_variables([HEARTBEAT])
    assert got["getVariableResult"][0]["attributeValue"] == "90"
    request_id = central.next_request_id()
    assert await cmd(central).get_base_report(request_id, "FullInventory") == {"status": "Accepted"}
    await done(station21, lambda: recorder.of(EventType.DEVICE_MODEL)[-1].data["request_id"] == request_id)
    assert recorder.of(EventType.DEVICE_MODEL)[-1].data["full"] is True
    assert await cmd(central).trigger_message("CustomTrigger", custom_trigger="vendor") == {"status": "NotImplemented"}
    assert received(station21, "TriggerMessage") == {"requestedMessage": "CustomTrigger", "customTrigger": "vendor"}
    assert await cmd(central).trigger_message("Heartbeat") == {"status": "Accepted"}
    await done(station21, lambda: st(central).last_heartbeat is not None)


async def test_v21_reservation_messages_and_security(station21: Sim, central: CentralSystem) -> None:
    reservation_id = central.next_reservation_id()
    expiry = utcnow() + timedelta(minutes=15)
    assert await cmd(central).reserve_now(reservation_id, expiry, "TAG-21", evse_id=2) == {"status": "Accepted"}
    assert st(central).connectors[2].reservation is not None
    assert await cmd(central).cancel_reservation(reservation_id) == {"status": "Accepted"}
    assert st(central).connectors[2].reservation is None
    qr = {
        "id": 1,
        "priority": "NormalCycle",
        "state": "Charging",
        "message": {"format": "QRCODE", "content": "https://pay"},
    }
    assert await cmd(central).set_display_message(qr) == {"status": "Accepted"}
    assert v2(central).display_messages[1] == qr
    assert await cmd(central).certificate_signed(PEM, "ChargingStationCertificate", request_id=3) == {
        "status": "Accepted"
    }
    assert received(station21, "CertificateSigned")["requestId"] == 3
    log = await cmd(central).get_log(
        LogRequest("DataCollectorLog", central.next_request_id(), LogUpload("https://logs.example.com/"))
    )
    assert log["status"] == "Accepted"
    network = {k: v for k, v in NETWORK.items() if k != "ocppVersion"} | {"ocppInterface": "Any"}
    assert await cmd(central).set_network_profile(1, network) == {"status": "Accepted"}
    assert await cmd(central).send_local_list(
        1, "Full", [{"idToken": id_token_of("A", "ISO14443"), "idTokenInfo": {"status": "Accepted"}}]
    ) == {"status": "Accepted"}
    assert st(central).local_list_version == 1
    await done(station21)
