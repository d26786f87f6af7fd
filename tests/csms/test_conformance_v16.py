"""OCPP 1.6J conformance: every message, both directions, simulated charger ↔ central system over a real WebSocket.

Each test checks the answer on the wire AND what the central system made of it
(the Station / Connector model and the events).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem, EventType
from custom_components.ocpp_core.csms.model.station import ENERGY_IMPORT_REGISTER
from custom_components.ocpp_core.csms.rpc.timeutil import parse_timestamp, utcnow
from custom_components.ocpp_core.csms.v16.adapter import V16Adapter
from custom_components.ocpp_core.csms.v16.commands import V16Commands
from sim.charger16 import SimulatedChargePoint, connect

from .support.conformance_v16 import CENTRAL_ACTIONS, CHARGER_ACTIONS, CP, PROFILES, Recorder, station
from .support.helpers import wait_for

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
