"""OCPP 2.0.1 / 2.1, central system → station, continued (see test_commands_v201): the device model,
monitoring, smart charging, firmware and logs, display messages, customer information, certificates,
network profiles and data transfer — the request the station received, its answer, what was learnt."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from custom_components.ocpp_core.csms import (
    CentralSystem,
    CertificateHash,
    EventType,
    FirmwareUpdate,
    LogRequest,
    LogUpload,
    ProfileCriteria,
)
from custom_components.ocpp_core.csms.rpc.timeutil import format_timestamp, utcnow
from custom_components.ocpp_core.csms.v201.commands import component, variable
from sim.handlers201 import SIM_VENDOR_ID, certificate_hash

from .support.commands_v201 import (
    CP,
    EVSE_POWER,
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
    wait_for,
)
from .support.conformance_v16 import Recorder


@pytest.fixture
async def station(central: CentralSystem, url: str) -> AsyncIterator[Sim]:
    """A booted 2.0.1 station with two EVSEs, its inventory read."""
    async with running(central, url, "2.0.1") as sim:
        yield sim


# ---- device model --------------------------------------------------------------------


async def test_get_variables(station: Sim, central: CentralSystem) -> None:
    station.sim.device_model.set({"name": "OCPPCommCtrlr"}, {"name": "HeartbeatInterval"}, "120")  # changed locally
    answer = await cmd(central).get_variables(
        [
            HEARTBEAT,
            {**EVSE_POWER, "attributeType": "Actual"},
            {"component": component("NoSuch"), "variable": variable("X")},
            {"component": component("OCPPCommCtrlr"), "variable": variable("NoSuch")},
            {"component": component("SecurityCtrlr"), "variable": variable("BasicAuthPassword")},
            {**HEARTBEAT, "attributeType": "Target"},
        ]
    )
    assert received(station, "GetVariables")["getVariableData"][1] == {
        "component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "Power"},
        "attributeType": "Actual",
    }
    assert [(r["attributeStatus"], r.get("attributeValue")) for r in answer["getVariableResult"]] == [
        ("Accepted", "120"),
        ("Accepted", "0"),
        ("UnknownComponent", None),
        ("UnknownVariable", None),
        ("Rejected", None),
        ("NotSupportedAttributeType", None),
    ]
    assert v2(central).device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "120"


async def test_set_variables(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    model = v2(central).device_model
    answer = await cmd(central).set_variables(
        [
            {**HEARTBEAT, "attributeValue": "60"},
            {"component": component("SecurityCtrlr"), "variable": variable("SecurityProfile"), "attributeValue": "2"},
            {"component": component("TxCtrlr"), "variable": variable("EVConnectionTimeOut"), "attributeValue": "x"},
            {**EVSE_POWER, "attributeValue": "99999"},
            {"component": component("NoSuch"), "variable": variable("X"), "attributeValue": "1"},
        ]
    )
    assert [(r["attributeStatus"], r.get("attributeStatusInfo")) for r in answer["setVariableResult"]] == [
        ("Accepted", None),
        ("Rejected", {"reasonCode": "ReadOnly"}),
        ("Rejected", {"reasonCode": "InvalidValue"}),
        ("Rejected", {"reasonCode": "ReadOnly"}),
        ("UnknownComponent", None),
    ]
    assert received(station, "SetVariables")["setVariableData"][0]["attributeValue"] == "60"
    assert station.sim.device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "60"
    assert station.heartbeat_interval == 60
    # only what the station took is recorded
    assert model.value("OCPPCommCtrlr", "HeartbeatInterval") == "60"
    assert model.value("SecurityCtrlr", "SecurityProfile") == "1"
    assert model.value("TxCtrlr", "EVConnectionTimeOut") == "60"
    assert recorder.of(EventType.DEVICE_MODEL)[-1].data["request_id"] is None


async def test_get_base_report(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    request_id = central.next_request_id()
    assert await cmd(central).get_base_report(request_id, "ConfigurationInventory") == {"status": "Accepted"}
    assert received(station, "GetBaseReport") == {"requestId": request_id, "reportBase": "ConfigurationInventory"}
    await done(station, lambda: recorder.of(EventType.DEVICE_MODEL))
    event = recorder.of(EventType.DEVICE_MODEL)[-1]
    assert (event.data["request_id"], event.data["report_base"], event.data["full"]) == (
        request_id, "ConfigurationInventory", False,
    )  # fmt: skip
    assert v2(central).report_requests == {}
    station.sim.device_model.entries.clear()
    assert await cmd(central).get_base_report(central.next_request_id(), "SummaryInventory") == {
        "status": "EmptyResultSet"
    }
    assert v2(central).report_requests == {}  # noted before sending, forgotten on the refusal


async def test_get_report(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    request_id = central.next_request_id()
    answer = await cmd(central).get_report(request_id, [{"component": component("EVSE", evse_id=2)}])
    assert answer == {"status": "Accepted"}
    assert received(station, "GetReport") == {
        "requestId": request_id,
        "componentVariable": [{"component": {"name": "EVSE", "evse": {"id": 2}}}],
    }
    await done(station, lambda: recorder.of(EventType.DEVICE_MODEL))
    assert recorder.of(EventType.DEVICE_MODEL)[-1].data["report_base"] == "Report"
    by_criteria = await cmd(central).get_report(central.next_request_id(), component_criteria=["Enabled"])
    assert by_criteria == {"status": "Accepted"}
    nothing = await cmd(central).get_report(central.next_request_id(), [{"component": component("NoSuch")}])
    assert nothing == {"status": "EmptyResultSet"}
    await done(station)


# ---- monitoring ----------------------------------------------------------------------


async def test_variable_monitoring(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    monitor = {**EVSE_POWER, "value": 10000.0, "type": "UpperThreshold", "severity": 4}
    answer = await cmd(central).set_variable_monitoring(
        [
            monitor,
            monitor,  # the same again
            {**HEARTBEAT, "value": 10, "type": "Delta", "severity": 9},
            {
                "component": component("ChargingStation"),
                "variable": variable("Model"),
                "value": 1,
                "type": "Delta",
                "severity": 1,
            },
            {"component": component("NoSuch"), "variable": variable("X"), "value": 1, "type": "Delta", "severity": 1},
            {**EVSE_POWER, "value": 1, "type": "Delta", "severity": 12},
        ]
    )
    statuses = [(r["status"], r.get("id")) for r in answer["setMonitoringResult"]]
    assert statuses == [
        ("Accepted", 1),
        ("Duplicate", None),
        ("Accepted", 2),
        ("UnsupportedMonitorType", None),
        ("UnknownComponent", None),
        ("Rejected", None),
    ]
    assert received(station, "SetVariableMonitoring")["setMonitoringData"][0] == {
        "component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "Power"},
        "value": 10000.0,
        "type": "UpperThreshold",
        "severity": 4,
    }
    monitors = v2(central).monitors
    assert len(monitors) == 2
    [power] = [m for m in monitors.values() if m["variable"] == {"name": "Power"}]
    assert power["monitors"] == [
        {"id": 1, "type": "UpperThreshold", "severity": 4, "value": 10000.0, "transaction": False}
    ]

    request_id = central.next_request_id()
    assert await cmd(central).get_monitoring_report(request_id, monitoring_criteria=["DeltaMonitoring"]) == {
        "status": "Accepted"
    }
    await done(station, lambda: recorder.of(EventType.MONITORING_REPORT)[-1].data["request_id"] == request_id)
    assert (await cmd(central).get_monitoring_report(central.next_request_id(), [{"component": component("NoSuch")}]))[
        "status"
    ] == "EmptyResultSet"

    assert await cmd(central).clear_variable_monitoring([1, 99]) == {
        "clearMonitoringResult": [{"id": 1, "status": "Accepted"}, {"id": 99, "status": "NotFound"}]
    }
    assert received(station, "ClearVariableMonitoring") == {"id": [1, 99]}
    assert [m["variable"] for m in v2(central).monitors.values()] == [{"name": "HeartbeatInterval"}]
    assert set(station.sim.monitors) == {2}

    assert await cmd(central).set_monitoring_level(5) == {"status": "Accepted"}
    assert received(station, "SetMonitoringLevel") == {"severity": 5}
    assert await cmd(central).set_monitoring_level(10) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "OutOfRange"},
    }
    assert await cmd(central).set_monitoring_base("FactoryDefault") == {"status": "Accepted"}
    assert received(station, "SetMonitoringBase") == {"monitoringBase": "FactoryDefault"}
    assert station.sim.monitors == {}


# ---- smart charging ------------------------------------------------------------------


async def test_charging_profiles(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    default = tx_profile(11, "TxDefaultProfile", limit=16.0)
    assert await cmd(central).set_charging_profile(0, default) == {"status": "Accepted"}
    sent = received(station, "SetChargingProfile")
    assert sent["evseId"] == 0 and sent["chargingProfile"]["id"] == 11
    assert v2(central).charging_profiles[0][11]["source"] == "CSO"
    assert recorder.of(EventType.CHARGING_PROFILES)[-1].data["profiles"] == 1

    refusals = [
        (1, tx_profile(12), "NoTransaction"),
        (1, tx_profile(13, "ChargingStationMaxProfile"), "MaxProfileOnEvse"),
        (0, tx_profile(14, "ChargingStationExternalConstraints"), "NotByCSMS"),
        (3, tx_profile(15, "TxDefaultProfile"), "UnknownEvse"),
        (0, tx_profile(16, "TxDefaultProfile", stack_level=9), "StackLevelTooHigh"),
    ]
    for evse_id, profile, reason in refusals:
        assert await cmd(central).set_charging_profile(evse_id, profile) == {
            "status": "Rejected",
            "statusInfo": {"reasonCode": reason},
        }, reason
    tx_id = await station.start_transaction(1, "TAG")
    profile = tx_profile(17) | {"transactionId": tx_id}
    assert await cmd(central).set_charging_profile(1, profile) == {"status": "Accepted"}
    assert await cmd(central).set_charging_profile(0, tx_profile(18, "ChargingStationMaxProfile", limit=8.0)) == {
        "status": "Accepted"
    }

    composite = await cmd(central).get_composite_schedule(1, 3600, "A")
    assert received(station, "GetCompositeSchedule") == {"evseId": 1, "duration": 3600, "chargingRateUnit": "A"}
    assert composite["status"] == "Accepted"
    assert [(p["startPeriod"], p["limit"]) for p in composite["schedule"]["chargingSchedulePeriod"]] == [
        (0, 8.0),
        (1800, 6.0),
    ]
    in_watts = await cmd(central).get_composite_schedule(2, 600, "W")
    assert in_watts["schedule"]["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 5520.0}]
    assert (await cmd(central).get_composite_schedule(4, 600))["status"] == "Rejected"

    request_id = central.next_request_id()
    assert await cmd(central).get_charging_profiles(request_id, charging_profile_purpose="TxDefaultProfile") == {
        "status": "Accepted"
    }
    assert received(station, "GetChargingProfiles") == {
        "requestId": request_id,
        "chargingProfile": {"chargingProfilePurpose": "TxDefaultProfile"},
    }
    await done(station, lambda: recorder.of(EventType.CHARGING_PROFILES)[-1].data["request_id"] == request_id)
    assert v2(central).charging_profiles[0][11]["profile"]["chargingSchedule"][0]["chargingRateUnit"] == "A"
    assert await cmd(central).get_charging_profiles(central.next_request_id(), evse_id=2) == {"status": "NoProfiles"}

    assert await cmd(central).clear_charging_profile(ProfileCriteria(17)) == {"status": "Accepted"}
    assert received(station, "ClearChargingProfile") == {"chargingProfileId": 17}
    assert 17 not in v2(central).charging_profiles.get(1, {})
    assert await cmd(central).clear_charging_profile(ProfileCriteria(evse_id=0, purpose="TxDefaultProfile")) == {
        "status": "Accepted"
    }
    assert received(station, "ClearChargingProfile") == {
        "chargingProfileCriteria": {"evseId": 0, "chargingProfilePurpose": "TxDefaultProfile"}
    }
    assert set(v2(central).charging_profiles[0]) == {18}
    assert await cmd(central).clear_charging_profile(ProfileCriteria(17)) == {"status": "Unknown"}


# ---- firmware and diagnostics --------------------------------------------------------


async def test_update_firmware(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    request_id = central.next_request_id()
    retrieve = utcnow()
    update = FirmwareUpdate(
        "https://fw.example.com/2.0.1.bin",
        retrieve,
        2,
        signing_certificate=PEM,
        signature="c2ln",
        request_id=request_id,
    )
    answer = await cmd(central).update_firmware(update)
    assert answer == {"status": "Accepted"}
    assert received(station, "UpdateFirmware") == {
        "requestId": request_id,
        "firmware": {
            "location": "https://fw.example.com/2.0.1.bin",
            "retrieveDateTime": format_timestamp(retrieve),
            "signingCertificate": PEM,
            "signature": "c2ln",
        },
        "retries": 2,
    }
    await done(station, lambda: st(central).firmware_status == "Installed" and central.is_connected(CP))
    statuses = [e.data["status"] for e in recorder.of(EventType.FIRMWARE_STATUS)]
    assert statuses == ["Downloading", "Downloaded", "SignatureVerified", "Installing", "InstallRebooting", "Installed"]
    assert {e.data["request_id"] for e in recorder.of(EventType.FIRMWARE_STATUS)} == {request_id}
    assert st(central).firmware_version == "2.0.1" and v2(central).boot_reason == "FirmwareUpdate"
    # new firmware: the inventory is read again
    await wait_for(lambda: v2(central).inventory_firmware == "2.0.1")
    bad = await cmd(central).update_firmware(
        FirmwareUpdate("https://x", retrieve, signing_certificate="junk", request_id=central.next_request_id())
    )
    assert bad == {"status": "InvalidCertificate"}


async def test_get_log(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    request_id = central.next_request_id()
    oldest = utcnow() - timedelta(days=1)
    answer = await cmd(central).get_log(
        LogRequest("DiagnosticsLog", request_id, LogUpload("ftp://logs.example.com/", oldest))
    )
    assert answer["status"] == "Accepted" and answer["filename"].startswith(f"DiagnosticsLog-{CP}-")
    assert received(station, "GetLog") == {
        "logType": "DiagnosticsLog",
        "requestId": request_id,
        "log": {"remoteLocation": "ftp://logs.example.com/", "oldestTimestamp": format_timestamp(oldest)},
    }
    assert st(central).log_request_id == request_id and st(central).log_file_name == answer["filename"]
    await done(station, lambda: st(central).log_status == "Uploaded")
    # a second upload while one runs cancels it
    station.step_delay = 0.1
    first, second = central.next_request_id(), central.next_request_id()
    assert (await cmd(central).get_log(LogRequest("SecurityLog", first, LogUpload("https://logs.example.com/"))))[
        "status"
    ] == "Accepted"
    assert (await cmd(central).get_log(LogRequest("SecurityLog", second, LogUpload("https://logs.example.com/"))))[
        "status"
    ] == "AcceptedCanceled"
    await done(station, lambda: st(central).log_status == "Uploaded")
    assert st(central).log_request_id == second
    uploads = [(e.data["status"], e.data["request_id"]) for e in recorder.of(EventType.LOG_STATUS)]
    assert uploads[-1] == ("Uploaded", second)
    assert uploads.count(("Uploaded", second)) == 1  # the cancelled one never finished
    assert await cmd(central).get_log(
        LogRequest("SecurityLog", central.next_request_id(), LogUpload("file:///etc"))
    ) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "InvalidLocation"},
    }
    assert st(central).log_request_id == second  # a refused request changes nothing


# ---- display messages and customer information ----------------------------------------


async def test_display_messages(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    message = {"id": 4, "priority": "InFront", "message": {"format": "UTF8", "language": "de", "content": "Willkommen"}}
    assert await cmd(central).set_display_message(message) == {"status": "Accepted"}
    assert received(station, "SetDisplayMessage") == {"message": message}
    assert v2(central).display_messages[4] == message
    html = {**message, "id": 5, "message": {"format": "HTML", "content": "<b>x</b>"}}
    assert await cmd(central).set_display_message(html) == {"status": "NotSupportedMessageFormat"}
    unknown_tx = {**message, "id": 6, "transactionId": "nope"}
    assert await cmd(central).set_display_message(unknown_tx) == {"status": "UnknownTransaction"}
    assert set(v2(central).display_messages) == {4}

    request_id = central.next_request_id()
    assert await cmd(central).get_display_messages(request_id, priority="InFront") == {"status": "Accepted"}
    assert received(station, "GetDisplayMessages") == {"requestId": request_id, "priority": "InFront"}
    await done(station, lambda: recorder.of(EventType.DISPLAY_MESSAGES)[-1].data["request_id"] == request_id)
    assert recorder.of(EventType.DISPLAY_MESSAGES)[-1].data["message_ids"] == [4]
    assert await cmd(central).get_display_messages(central.next_request_id(), [99]) == {"status": "Unknown"}

    assert await cmd(central).clear_display_message(4) == {"status": "Accepted"}
    assert received(station, "ClearDisplayMessage") == {"id": 4}
    assert v2(central).display_messages == {}
    assert await cmd(central).clear_display_message(4) == {"status": "Unknown"}


async def test_customer_information(station: Sim, central: CentralSystem, recorder: Recorder) -> None:
    station.sim.local_list["TAG-C"] = {"status": "Accepted"}
    request_id = central.next_request_id()
    answer = await cmd(central).customer_information(request_id, report=True, clear=True, id_token="TAG-C")
    assert answer == {"status": "Accepted"}
    assert received(station, "CustomerInformation") == {
        "requestId": request_id,
        "report": True,
        "clear": True,
        "idToken": {"idToken": "TAG-C", "type": "Central"},
    }
    await done(station, lambda: request_id in v2(central).customer_information)
    assert v2(central).customer_information[request_id] == "idToken TAG-C: local list, Accepted; Cleared"
    assert "TAG-C" not in station.sim.local_list
    assert await cmd(central).customer_information(central.next_request_id(), report=True, clear=False) == {
        "status": "Invalid"
    }


# ---- security, network, data transfer ------------------------------------------------


async def test_certificates(station: Sim, central: CentralSystem) -> None:
    assert await cmd(central).certificate_signed(PEM, "ChargingStationCertificate") == {"status": "Accepted"}
    assert received(station, "CertificateSigned") == {
        "certificateChain": PEM,
        "certificateType": "ChargingStationCertificate",
    }
    assert await cmd(central).certificate_signed("junk") == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "InvalidCertificate"},
    }
    assert await cmd(central).install_certificate("CSMSRootCertificate", PEM) == {"status": "Accepted"}
    assert received(station, "InstallCertificate") == {"certificateType": "CSMSRootCertificate", "certificate": PEM}
    assert (await cmd(central).install_certificate("V2GRootCertificate", "junk"))["status"] == "Rejected"
    hash_data = certificate_hash(PEM, 1)
    assert await cmd(central).get_installed_certificate_ids(["CSMSRootCertificate"]) == {
        "status": "Accepted",
        "certificateHashDataChain": [
            {
                "certificateType": "CSMSRootCertificate",
                "certificateHashData": {
                    "hashAlgorithm": "SHA256",
                    "issuerNameHash": hash_data["issuer_name_hash"],
                    "issuerKeyHash": hash_data["issuer_key_hash"],
                    "serialNumber": hash_data["serial_number"],
                },
            }
        ],
    }
    assert received(station, "GetInstalledCertificateIds") == {"certificateType": ["CSMSRootCertificate"]}
    assert await cmd(central).get_installed_certificate_ids(["V2GRootCertificate"]) == {"status": "NotFound"}
    args = CertificateHash(
        hash_data["hash_algorithm"], hash_data["issuer_name_hash"], hash_data["issuer_key_hash"], "1"
    )
    assert await cmd(central).delete_certificate(args) == {"status": "Accepted"}
    assert received(station, "DeleteCertificate")["certificateHashData"]["serialNumber"] == "1"
    assert await cmd(central).delete_certificate(args) == {"status": "NotFound"}


async def test_set_network_profile(station: Sim, central: CentralSystem) -> None:
    assert await cmd(central).set_network_profile(2, NETWORK) == {"status": "Accepted"}
    assert received(station, "SetNetworkProfile") == {"configurationSlot": 2, "connectionData": NETWORK}
    assert station.sim.extra["network_profiles"][2]["ocpp_csms_url"] == "wss://csms.example.com/ocpp"
    assert (await cmd(central).set_network_profile(7, NETWORK))["statusInfo"] == {"reasonCode": "InvalidSlot"}
    downgrade = {**NETWORK, "securityProfile": 0}
    assert (await cmd(central).set_network_profile(1, downgrade))["statusInfo"] == {"reasonCode": "SecurityDowngrade"}


async def test_data_transfer(station: Sim, central: CentralSystem) -> None:
    echo = await cmd(central).data_transfer(SIM_VENDOR_ID, "Echo", {"ping": [1, 2]})
    assert echo == {"status": "Accepted", "data": {"ping": [1, 2]}}
    assert received(station, "DataTransfer") == {
        "vendorId": SIM_VENDOR_ID,
        "messageId": "Echo",
        "data": {"ping": [1, 2]},
    }
    assert await cmd(central).data_transfer(SIM_VENDOR_ID, "Other") == {"status": "UnknownMessageId"}
    assert await cmd(central).data_transfer("com.other") == {"status": "UnknownVendorId"}


async def test_raw_call_is_recorded_too(station: Sim, central: CentralSystem) -> None:
    reservation_id = central.next_reservation_id()
    payload = {
        "id": reservation_id,
        "expiryDateTime": format_timestamp(utcnow() + timedelta(minutes=10)),
        "idToken": {"idToken": "RAW", "type": "KeyCode"},
        "evseId": 2,
    }
    assert await central.call(CP, "ReserveNow", payload) == {"status": "Accepted"}
    reservation = st(central).connectors[2].reservation
    assert reservation is not None and (reservation.reservation_id, reservation.id_tag) == (reservation_id, "RAW")
    await done(station)
