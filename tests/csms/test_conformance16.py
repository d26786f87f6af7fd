"""OCPP 1.6J conformance: every message, both directions, simulated charger ↔ central system over a real WebSocket.

Each test checks the answer on the wire AND what the central system made of it
(the Station / Connector model and the events).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from ocpp.v16.enums import Action

from custom_components.ocpp_core.csms import CentralSystem, Event, EventType
from custom_components.ocpp_core.csms.model import ENERGY_IMPORT_REGISTER, Station
from custom_components.ocpp_core.csms.timeutil import parse_timestamp, utcnow
from custom_components.ocpp_core.csms.v16.adapter import V16Adapter
from custom_components.ocpp_core.csms.v16.commands import V16Commands
from sim.charger16 import SIM_VENDOR_ID, SimulatedChargePoint, certificate_hash, connect

from .helpers import wait_for

CP = "conf-1"
PROFILES = {"Core", "FirmwareManagement", "LocalAuthListManagement", "Reservation", "SmartCharging", "RemoteTrigger"}
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"

# What a 1.6J charger sends (Core, Firmware Management, security whitepaper), and what it is sent.
CHARGER_ACTIONS = [
    "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "StartTransaction", "StopTransaction",
    "MeterValues", "DataTransfer", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
    "SecurityEventNotification", "SignCertificate", "LogStatusNotification", "SignedFirmwareStatusNotification",
]  # fmt: skip
CENTRAL_ACTIONS = sorted({a.value for a in Action} - set(CHARGER_ACTIONS) | {"DataTransfer"})


class Recorder:
    """The central system's events, by type."""

    def __init__(self, central: CentralSystem) -> None:
        self.events: list[Event] = []
        central.events.subscribe(self.events.append)

    def of(self, event_type: EventType) -> list[Event]:
        return [e for e in self.events if e.type is event_type]

    def data(self, event_type: EventType, key: str) -> list[Any]:
        return [e.data[key] for e in self.of(event_type)]


@pytest.fixture
async def recorder(central: CentralSystem) -> Recorder:
    return Recorder(central)


@pytest.fixture
async def charger(central: CentralSystem, url: str, recorder: Recorder) -> AsyncIterator[SimulatedChargePoint]:
    """A two-connector simulated charger, booted, its configuration read."""
    cp, task, ws = await connect(url, CP, connectors=2)
    await cp.boot()
    await wait_for(lambda: central.stations[CP].configuration_time is not None)
    yield cp
    await ws.close()
    task.cancel()


def station(central: CentralSystem) -> Station:
    return central.stations[CP]


def v16(central: CentralSystem) -> V16Commands:
    return central.v16(CP)


async def settled(cp: SimulatedChargePoint, condition: Callable[[], object] | None = None) -> None:
    """The charger's follow-up messages are all sent and answered (and `condition` holds)."""
    await wait_for(lambda: cp.idle.is_set())
    if condition is not None:
        await wait_for(condition)


# ---- coverage of the message set ---------------------------------------------------------


def test_message_sets_are_complete() -> None:
    assert len(CHARGER_ACTIONS) == 14
    assert len(CENTRAL_ACTIONS) == 26  # 25 central-system operations + DataTransfer, which goes both ways
    commands = {name for name in dir(V16Commands) if not name.startswith("_")}
    # every central-system operation is a typed call (snake_case of the action)
    for action in CENTRAL_ACTIONS:
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in action).lstrip("_")
        assert snake in commands, action


async def test_every_charger_action_has_a_handler(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    adapter = central._sessions[CP].adapter
    assert isinstance(adapter, V16Adapter)
    for action in CHARGER_ACTIONS:
        assert adapter.handler(action) is not None, action


def test_simulator_answers_every_central_system_action() -> None:
    cp = SimulatedChargePoint("x", connection=None)
    assert set(CENTRAL_ACTIONS) <= {str(action) for action in cp.route_map}


# ---- charger → central system ---------------------------------------------------------


async def test_boot_answered_first_then_configuration_read_once(
    central: CentralSystem, url: str, recorder: Recorder
) -> None:
    cp, task, ws = await connect(url, CP, connectors=2)
    frames: list[list[Any]] = []
    original = cp.route_message

    async def logged(raw: str) -> None:
        frames.append(json.loads(raw))
        await original(raw)

    cp.route_message = logged  # type: ignore[method-assign]
    answer = await cp.boot(vendor="ACME", model="Duo 22")
    assert answer.status == "Accepted" and answer.interval == 60
    assert abs((parse_timestamp(answer.current_time) - utcnow()).total_seconds()) < 5
    await wait_for(lambda: station(central).configuration_time is not None)

    # the boot answer went out before the configuration was asked for, which happened once, for every key
    assert [f[0] for f in frames] == [3, 2]
    assert frames[1][2:] == ["GetConfiguration", {}]
    assert cp.requests == [("GetConfiguration", {})]  # nothing written: no ChangeConfiguration

    st = station(central)
    assert (st.vendor, st.model, st.firmware_version, st.serial_number) == ("ACME", "Duo 22", "1.0.0", f"SIM-{CP}")
    assert st.registration_status == "Accepted" and st.booted
    assert recorder.data(EventType.REGISTRATION, "status") == ["Accepted"]
    assert recorder.data(EventType.BOOTED, "registration_status") == ["Accepted"]

    # the configuration, as read, and the keys that matter, typed
    assert len(st.configuration) == len(cp.sim.configuration)
    assert st.configuration["NumberOfConnectors"] == {"value": "2", "readonly": True}
    assert st.configuration["HeartbeatInterval"] == {"value": "300", "readonly": False}
    assert st.unknown_keys == []
    assert st.number_of_connectors == 2
    assert st.supported_feature_profiles == PROFILES
    assert st.supports("Reservation") and not st.supports("Flying")
    assert st.meter_values_sampled_data == [
        "Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "SoC",
    ]  # fmt: skip
    assert st.meter_value_sample_interval == 60
    assert st.charge_profile_max_stack_level == 8
    assert st.charging_schedule_allowed_charging_rate_unit == ["Current", "Power"]
    assert st.charging_schedule_max_periods == 24
    assert st.max_charging_profiles_installed == 10
    assert st.local_auth_list_enabled is True and st.local_auth_list_max_length == 100
    assert st.reserve_connector_zero_supported is False
    # every connector exists before any StatusNotification
    assert sorted(st.connectors) == [1, 2]
    assert [e.connector_id for e in recorder.of(EventType.CONNECTOR_ADDED)] == [1, 2]
    assert recorder.of(EventType.CONFIGURATION)[-1].data == {"keys": sorted(cp.sim.configuration), "full": True}
    await ws.close()
    task.cancel()


async def test_heartbeat(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    before = utcnow()
    answer = await charger.heartbeat()
    assert abs((parse_timestamp(answer.current_time) - before).total_seconds()) < 5
    last = station(central).last_heartbeat
    assert last is not None and last >= before


async def test_status_notification_station_and_connector(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    await charger.send_status(0, "Faulted", "GroundFailure", info="RCD tripped", vendor_error_code="E-17")
    await charger.send_status(2, "Unavailable", "OtherError", info="cover open", vendor_error_code="V9")
    st = station(central)
    assert (st.status, st.error_code, st.info, st.vendor_error_code) == (
        "Faulted",
        "GroundFailure",
        "RCD tripped",
        "E-17",
    )
    connector = st.connectors[2]
    assert (connector.status, connector.error_code, connector.info, connector.vendor_error_code) == (
        "Unavailable", "OtherError", "cover open", "V9",
    )  # fmt: skip
    assert connector.status_time is not None
    assert st.connectors[1].status is None  # untouched
    assert recorder.of(EventType.STATION_UPDATED) and recorder.of(EventType.CONNECTOR_UPDATED)[-1].connector_id == 2


async def test_authorize(charger: SimulatedChargePoint, recorder: Recorder) -> None:
    answer = await charger.authorize("TAG-A")
    assert answer.id_tag_info == {"status": "Accepted"}
    assert recorder.of(EventType.AUTHORIZE)[-1].data == {"id_tag": "TAG-A", "status": "Accepted"}


async def test_transaction_meter_values_and_history(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    tx_id = await charger.start_transaction(2, "TAG-T")
    await charger.send_meter_values(2, seconds=3600)  # 11 kWh
    connector = station(central).connectors[2]
    assert connector.transaction is not None and connector.transaction.transaction_id == str(tx_id)
    assert connector.reading(ENERGY_IMPORT_REGISTER) == pytest.approx(2_011_000.0)
    [running] = central.transactions(CP)
    assert running["open"] is True and running["energy_wh"] == pytest.approx(11_000.0)
    assert running["stop_time"] is None and running["meter_start_wh"] == 2_000_000

    await charger.stop_transaction(2, reason="EVDisconnected")
    assert connector.transaction is None and connector.status == "Available"
    [ended] = central.transactions(CP)
    assert ended == {
        "station_id": CP,
        "connector_id": 2,
        "transaction_id": str(tx_id),
        "id_tag": "TAG-T",
        "start_time": ended["start_time"],
        "stop_time": ended["stop_time"],
        "meter_start_wh": 2_000_000.0,
        "meter_stop_wh": 2_011_000.0,
        "energy_wh": pytest.approx(11_000.0),
        "stop_reason": "EVDisconnected",
        "open": False,
    }
    assert parse_timestamp(ended["stop_time"]) >= parse_timestamp(ended["start_time"])
    assert recorder.of(EventType.TRANSACTION_STARTED) and recorder.of(EventType.TRANSACTION_ENDED)


async def test_data_transfer_from_charger(charger: SimulatedChargePoint, recorder: Recorder) -> None:
    answer = await charger.data_transfer("com.acme", "Price", '{"ct": 31}')
    assert answer.status == "UnknownVendorId"
    assert recorder.of(EventType.DATA_TRANSFER)[-1].data == {
        "vendorId": "com.acme", "messageId": "Price", "data": '{"ct": 31}',
    }  # fmt: skip


async def test_firmware_and_diagnostics_status_notifications(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    await charger.send_firmware_status("DownloadFailed")
    await charger.send_diagnostics_status("UploadFailed")
    st = station(central)
    assert st.firmware_status == "DownloadFailed" and st.firmware_status_time is not None
    assert st.diagnostics_status == "UploadFailed" and st.diagnostics_status_time is not None
    assert recorder.of(EventType.FIRMWARE_STATUS)[-1].data == {
        "status": "DownloadFailed",
        "request_id": None,
        "signed": False,
    }
    assert recorder.data(EventType.DIAGNOSTICS_STATUS, "status") == ["UploadFailed"]


async def test_security_events_bounded(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    answer = await charger.send_security_event("TamperDetectionActivated", "lid opened")
    assert answer is not None  # an empty CALLRESULT, not a CALLERROR
    st = station(central)
    assert list(st.security_events)[-1]["type"] == "TamperDetectionActivated"
    assert list(st.security_events)[-1]["tech_info"] == "lid opened"
    assert recorder.of(EventType.SECURITY_EVENT)[-1].data["type"] == "TamperDetectionActivated"
    for i in range(55):
        await charger.send_security_event(f"Event{i}")
    assert len(st.security_events) == 50
    assert [e["type"] for e in st.security_events] == [f"Event{i}" for i in range(5, 55)]


async def test_sign_certificate_kept_and_rejected(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    answer = await charger.sign_certificate(
        "-----BEGIN CERTIFICATE REQUEST-----\nCSR-1\n-----END CERTIFICATE REQUEST-----"
    )
    assert answer.status == "Rejected"  # no PKI configured yet
    st = station(central)
    assert st.certificate_signing_request is not None and "CSR-1" in st.certificate_signing_request
    assert st.certificate_signing_request_time is not None
    assert recorder.of(EventType.CERTIFICATE_SIGNING_REQUEST)[-1].data["status"] == "Rejected"


async def test_log_and_signed_firmware_status_notifications(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    await charger.send_log_status("PermissionDenied", 41)
    await charger.send_signed_firmware_status("InvalidSignature", 42)
    st = station(central)
    assert (st.log_status, st.log_request_id) == ("PermissionDenied", 41) and st.log_status_time is not None
    assert (st.firmware_status, st.firmware_request_id) == ("InvalidSignature", 42)
    assert recorder.of(EventType.LOG_STATUS)[-1].data["status"] == "PermissionDenied"
    assert recorder.of(EventType.FIRMWARE_STATUS)[-1].data == {
        "status": "InvalidSignature",
        "request_id": 42,
        "signed": True,
    }


# ---- central system → charger: Core -------------------------------------------------------


async def test_reset_reboots_and_configuration_is_read_again(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    tx_id = await charger.start_transaction(1, "TAG")
    assert await v16(central).reset("Hard") == {"status": "Accepted"}
    await settled(charger, lambda: len(recorder.of(EventType.CONFIGURATION)) == 2)
    [ended] = [t for t in central.transactions(CP) if t["transaction_id"] == str(tx_id)]
    assert ended["stop_reason"] == "HardReset"
    assert len(recorder.of(EventType.BOOTED)) == 2  # the fixture's boot, then the reboot
    assert [a for a, _ in charger.requests].count("GetConfiguration") == 2  # once per boot
    assert station(central).status == "Available"


async def test_unlock_connector(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    await charger.start_transaction(1, "TAG")
    assert await v16(central).unlock_connector(1) == {"status": "Unlocked"}
    await settled(charger, lambda: station(central).connectors[1].transaction is None)
    assert central.transactions(CP)[-1]["stop_reason"] == "UnlockCommand"
    assert await v16(central).unlock_connector(7) == {"status": "NotSupported"}


async def test_change_availability(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    assert await v16(central).change_availability(2, "Inoperative") == {"status": "Accepted"}
    await settled(charger, lambda: station(central).connectors[2].status == "Unavailable")
    await charger.start_transaction(1, "TAG")
    assert await v16(central).change_availability(0, "Operative") == {"status": "Scheduled"}
    assert await v16(central).change_availability(9, "Operative") == {"status": "Rejected"}


async def test_get_configuration_by_key_merges(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    charger.sim.configuration["HeartbeatInterval"].value = "120"  # changed at the charger
    answer = await v16(central).get_configuration(["HeartbeatInterval", "NoSuchKey"])
    assert answer == {
        "configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "120"}],
        "unknownKey": ["NoSuchKey"],
    }
    st = station(central)
    assert st.configuration["HeartbeatInterval"] == {"value": "120", "readonly": False}
    assert len(st.configuration) == len(charger.sim.configuration)  # merged, nothing lost
    assert st.unknown_keys == ["NoSuchKey"]
    assert recorder.of(EventType.CONFIGURATION)[-1].data == {"keys": ["HeartbeatInterval"], "full": False}


async def test_change_configuration(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    st = station(central)
    assert await v16(central).change_configuration("MeterValuesSampledData", "Energy.Active.Import.Register") == {
        "status": "Accepted"
    }
    assert st.configuration["MeterValuesSampledData"]["value"] == "Energy.Active.Import.Register"
    assert st.meter_values_sampled_data == ["Energy.Active.Import.Register"]
    assert await v16(central).change_configuration("WebSocketPingInterval", "30") == {"status": "RebootRequired"}
    assert st.configuration["WebSocketPingInterval"] == {"value": "30", "readonly": False}
    # refused: the stored value stays
    assert await v16(central).change_configuration("NumberOfConnectors", "3") == {"status": "Rejected"}
    assert st.configuration["NumberOfConnectors"]["value"] == "2" and st.number_of_connectors == 2
    assert await v16(central).change_configuration("NoSuchKey", "1") == {"status": "NotSupported"}
    assert "NoSuchKey" not in st.configuration
    assert await v16(central).change_configuration("HeartbeatInterval", "often") == {"status": "Rejected"}
    assert st.configuration["HeartbeatInterval"]["value"] == "300"


async def test_clear_cache_and_data_transfer(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    assert await v16(central).clear_cache() == {"status": "Accepted"}
    assert await v16(central).data_transfer(SIM_VENDOR_ID, "Echo", "ping") == {"status": "Accepted", "data": "ping"}
    assert await v16(central).data_transfer(SIM_VENDOR_ID, "Other") == {"status": "UnknownMessageId"}
    assert await v16(central).data_transfer("com.other") == {"status": "UnknownVendorId"}


async def test_remote_start_and_stop(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    assert await v16(central).remote_start_transaction("TAG-R", 2) == {"status": "Accepted"}
    await settled(charger, lambda: station(central).connectors[2].transaction is not None)
    tx = station(central).connectors[2].transaction
    assert tx is not None and tx.id_tag == "TAG-R"
    assert await v16(central).remote_start_transaction("TAG-R", 2) == {"status": "Rejected"}  # busy
    assert await v16(central).remote_stop_transaction(int(tx.transaction_id)) == {"status": "Accepted"}
    await settled(charger, lambda: station(central).connectors[2].transaction is None)
    assert central.transactions(CP)[-1]["stop_reason"] == "Remote"
    assert await v16(central).remote_stop_transaction(999) == {"status": "Rejected"}


# ---- Reservation -----------------------------------------------------------------------------


async def test_reserve_now_and_cancel(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    expiry = utcnow() + timedelta(minutes=30)
    reservation_id = central.next_reservation_id()
    answer = await v16(central).reserve_now(1, expiry, "TAG-RES", reservation_id, parent_id_tag="GROUP")
    assert answer == {"status": "Accepted"}
    connector = station(central).connectors[1]
    reservation = connector.reservation
    assert reservation is not None
    assert (reservation.reservation_id, reservation.connector_id, reservation.id_tag, reservation.parent_id_tag) == (
        reservation_id, 1, "TAG-RES", "GROUP",
    )  # fmt: skip
    assert reservation.expiry_date == expiry.replace(microsecond=expiry.microsecond // 1000 * 1000)  # as sent
    await settled(charger, lambda: connector.status == "Reserved")  # StatusNotification Reserved shows it
    assert station(central).reservations() == [reservation]
    assert recorder.of(EventType.RESERVATION)[-1].data["reason"] == "reserved"

    assert await v16(central).cancel_reservation(reservation_id) == {"status": "Accepted"}
    assert connector.reservation is None
    assert recorder.of(EventType.RESERVATION)[-1].data["reason"] == "cancelled"
    await settled(charger, lambda: connector.status == "Available")
    assert await v16(central).cancel_reservation(reservation_id) == {"status": "Rejected"}

    # refused reservations store nothing
    assert await v16(central).reserve_now(0, expiry, "T", central.next_reservation_id()) == {"status": "Rejected"}
    await charger.start_transaction(2, "TAG")
    assert await v16(central).reserve_now(2, expiry, "T", central.next_reservation_id()) == {"status": "Occupied"}
    assert station(central).reservations() == []


async def test_reservation_used_by_its_session(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    reservation_id = central.next_reservation_id()
    expiry = utcnow() + timedelta(minutes=5)
    assert await v16(central).reserve_now(1, expiry, "TAG-U", reservation_id) == {"status": "Accepted"}
    await settled(charger)
    await charger.start_transaction(1, "TAG-U")  # carries the reservationId
    assert station(central).connectors[1].reservation is None
    assert charger.requests[-1][0] == "ReserveNow"


async def test_reservation_ids_unique() -> None:
    from custom_components.ocpp_core.csms import MemoryPersistence

    system = CentralSystem(persistence=MemoryPersistence())
    ids = [system.next_reservation_id() for _ in range(5)]
    assert ids == sorted(set(ids)) and len(ids) == 5


# ---- Local authorization list ----------------------------------------------------------------


async def test_local_list(charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder) -> None:
    entries = [
        {"idTag": "TAG-1", "idTagInfo": {"status": "Accepted"}},
        {"idTag": "TAG-2", "idTagInfo": {"status": "Blocked"}},
    ]
    assert await v16(central).send_local_list(5, "Full", entries) == {"status": "Accepted"}
    assert station(central).local_list_version == 5
    assert charger.sim.local_list == {"TAG-1": {"status": "Accepted"}, "TAG-2": {"status": "Blocked"}}
    assert recorder.of(EventType.LOCAL_LIST)[-1].data == {"list_version": 5}
    assert await v16(central).send_local_list(3, "Differential", [{"idTag": "TAG-1"}]) == {"status": "VersionMismatch"}
    assert station(central).local_list_version == 5
    assert await v16(central).send_local_list(6, "Differential", [{"idTag": "TAG-1"}]) == {"status": "Accepted"}
    assert set(charger.sim.local_list) == {"TAG-2"} and station(central).local_list_version == 6
    charger.sim.local_list_version = 9  # changed by someone else
    assert await v16(central).get_local_list_version() == {"listVersion": 9}
    assert station(central).local_list_version == 9


# ---- Remote trigger ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "connector_id", "check"),
    [
        ("BootNotification", None, lambda st, rec: len(rec.of(EventType.BOOTED)) == 2),
        ("Heartbeat", None, lambda st, rec: st.last_heartbeat is not None),
        ("StatusNotification", 2, lambda st, rec: st.connectors[2].status == "Available"),
        ("StatusNotification", None, lambda st, rec: st.status == "Available" and st.connectors[1].status is not None),
        ("MeterValues", 1, lambda st, rec: st.connectors[1].reading(ENERGY_IMPORT_REGISTER) == 1_000_000.0),
        ("FirmwareStatusNotification", None, lambda st, rec: st.firmware_status == "Idle"),
        ("DiagnosticsStatusNotification", None, lambda st, rec: st.diagnostics_status == "Idle"),
    ],
)
async def test_trigger_message(
    charger: SimulatedChargePoint,
    central: CentralSystem,
    recorder: Recorder,
    requested: str,
    connector_id: int | None,
    check: Callable[[Station, Recorder], bool],
) -> None:
    assert await v16(central).trigger_message(requested, connector_id) == {"status": "Accepted"}
    await settled(charger, lambda: check(station(central), recorder))
    assert await v16(central).trigger_message("Heartbeat", 9) == {"status": "Rejected"}


@pytest.mark.parametrize(
    ("requested", "check"),
    [
        ("LogStatusNotification", lambda st: st.log_status == "Idle"),
        ("FirmwareStatusNotification", lambda st: st.firmware_status == "Idle" and st.firmware_request_id == 0),
        ("SignChargePointCertificate", lambda st: st.certificate_signing_request is not None),
        ("Heartbeat", lambda st: st.last_heartbeat is not None),
    ],
)
async def test_extended_trigger_message(
    charger: SimulatedChargePoint, central: CentralSystem, requested: str, check: Callable[[Station], bool]
) -> None:
    assert await v16(central).extended_trigger_message(requested) == {"status": "Accepted"}
    await settled(charger, lambda: check(station(central)))


# ---- Firmware management -------------------------------------------------------------------


async def test_update_firmware(charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder) -> None:
    answer = await v16(central).update_firmware("https://fw.example/1.1.0.bin", utcnow(), retries=2, retry_interval=30)
    assert answer == {}
    await settled(charger, lambda: station(central).firmware_status == "Installed")
    assert recorder.data(EventType.FIRMWARE_STATUS, "status") == [
        "Downloading",
        "Downloaded",
        "Installing",
        "Installed",
    ]
    assert charger.requests[-1] == (
        "UpdateFirmware",
        {"location": "https://fw.example/1.1.0.bin", "retrieveDate": charger.requests[-1][1]["retrieveDate"],
         "retries": 2, "retryInterval": 30},
    )  # fmt: skip


async def test_get_diagnostics(charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder) -> None:
    answer = await v16(central).get_diagnostics("ftp://logs.example/", start_time=utcnow() - timedelta(days=1))
    assert answer["fileName"].startswith(f"diagnostics-{CP}-")
    await settled(charger, lambda: station(central).diagnostics_status == "Uploaded")
    assert station(central).diagnostics_file_name == answer["fileName"]
    assert recorder.data(EventType.DIAGNOSTICS_STATUS, "status")[-2:] == ["Uploading", "Uploaded"]


# ---- Smart charging ------------------------------------------------------------------------


def _profile(profile_id: int, stack_level: int, purpose: str = "TxDefaultProfile", unit: str = "A") -> dict[str, Any]:
    return {
        "chargingProfileId": profile_id,
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": unit, "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}]},
    }


async def test_smart_charging(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    commands = v16(central)
    assert await commands.get_composite_schedule(1, 3600) == {"status": "Rejected"}  # nothing installed
    assert await commands.set_charging_profile(1, _profile(7, 2)) == {"status": "Accepted"}
    assert await commands.set_charging_profile(1, _profile(8, 9)) == {"status": "Rejected"}  # above stack level 8
    assert await commands.set_charging_profile(1, _profile(9, 1, purpose="TxProfile")) == {"status": "Rejected"}
    schedule = await commands.get_composite_schedule(1, 3600, "A")
    assert schedule["status"] == "Accepted" and schedule["connectorId"] == 1
    assert schedule["chargingSchedule"] == {
        "duration": 3600, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
    }  # fmt: skip
    assert await commands.clear_charging_profile(profile_id=7) == {"status": "Accepted"}
    assert await commands.clear_charging_profile(profile_id=7) == {"status": "Unknown"}


# ---- Security whitepaper ---------------------------------------------------------------------


async def test_get_log(charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder) -> None:
    answer = await v16(central).get_log("SecurityLog", 77, "https://logs.example/upload")
    assert answer == {"status": "Accepted", "filename": f"securitylog-{CP}-77.log"}
    await settled(charger, lambda: station(central).log_status == "Uploaded")
    st = station(central)
    assert (st.log_request_id, st.log_file_name) == (77, answer["filename"])
    assert recorder.data(EventType.LOG_STATUS, "status")[-2:] == ["Uploading", "Uploaded"]


async def test_signed_update_firmware(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    answer = await v16(central).signed_update_firmware(12, "https://fw.example/s.bin", utcnow(), PEM, "c2lnbmF0dXJl")
    assert answer == {"status": "Accepted"}
    await settled(charger, lambda: station(central).firmware_status == "Installed")
    assert station(central).firmware_request_id == 12
    assert recorder.data(EventType.FIRMWARE_STATUS, "status") == [
        "Downloading", "Downloaded", "SignatureVerified", "Installing", "Installed",
    ]  # fmt: skip
    assert all(e.data["signed"] and e.data["request_id"] == 12 for e in recorder.of(EventType.FIRMWARE_STATUS))
    bad = await v16(central).signed_update_firmware(13, "https://fw.example/s.bin", utcnow(), "not a cert", "x")
    assert bad == {"status": "InvalidCertificate"}


async def test_certificates(charger: SimulatedChargePoint, central: CentralSystem) -> None:
    commands = v16(central)
    assert await commands.get_installed_certificate_ids("CentralSystemRootCertificate") == {"status": "NotFound"}
    assert await commands.install_certificate("CentralSystemRootCertificate", PEM) == {"status": "Accepted"}
    assert await commands.install_certificate("ManufacturerRootCertificate", "garbage") == {"status": "Rejected"}
    installed = await commands.get_installed_certificate_ids("CentralSystemRootCertificate")
    expected = certificate_hash(PEM, 0)
    assert installed == {
        "status": "Accepted",
        "certificateHashData": [
            {"hashAlgorithm": "SHA256", "issuerNameHash": expected["issuer_name_hash"],
             "issuerKeyHash": expected["issuer_key_hash"], "serialNumber": expected["serial_number"]}
        ],
    }  # fmt: skip
    hash_data = installed["certificateHashData"][0]
    deleted = await commands.delete_certificate(
        hash_data["hashAlgorithm"], hash_data["issuerNameHash"], hash_data["issuerKeyHash"], hash_data["serialNumber"]
    )
    assert deleted == {"status": "Accepted"}
    again = await commands.delete_certificate(
        hash_data["hashAlgorithm"], hash_data["issuerNameHash"], hash_data["issuerKeyHash"], hash_data["serialNumber"]
    )
    assert again == {"status": "NotFound"}
    assert await commands.certificate_signed(PEM) == {"status": "Accepted"}
    assert charger.sim.certificate_chain == PEM
    assert await commands.certificate_signed("nonsense") == {"status": "Rejected"}
