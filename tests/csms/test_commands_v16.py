"""OCPP 1.6J conformance, central system → charger: every operation, its answer on the wire and in the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from custom_components.ocpp_core import csms
from custom_components.ocpp_core.csms import CentralSystem, EventType
from custom_components.ocpp_core.csms.model.station import ENERGY_IMPORT_REGISTER, Station
from custom_components.ocpp_core.csms.rpc.timeutil import utcnow
from sim.charger16 import SIM_VENDOR_ID, SimulatedChargePoint, certificate_hash

from .support.conformance_v16 import CP, PEM, Recorder, settled, station, v16

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
    answer = await v16(central).get_diagnostics(
        csms.LogUpload("ftp://logs.example/", oldest=utcnow() - timedelta(days=1))
    )
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
    assert await commands.clear_charging_profile(csms.ProfileCriteria(profile_id=7)) == {"status": "Accepted"}
    assert await commands.clear_charging_profile(csms.ProfileCriteria(profile_id=7)) == {"status": "Unknown"}


# ---- Security whitepaper ---------------------------------------------------------------------


async def test_get_log(charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder) -> None:
    answer = await v16(central).get_log(
        csms.LogRequest("SecurityLog", 77, csms.LogUpload("https://logs.example/upload"))
    )
    assert answer == {"status": "Accepted", "filename": f"securitylog-{CP}-77.log"}
    await settled(charger, lambda: station(central).log_status == "Uploaded")
    st = station(central)
    assert (st.log_request_id, st.log_file_name) == (77, answer["filename"])
    assert recorder.data(EventType.LOG_STATUS, "status")[-2:] == ["Uploading", "Uploaded"]


async def test_signed_update_firmware(
    charger: SimulatedChargePoint, central: CentralSystem, recorder: Recorder
) -> None:
    update = csms.FirmwareUpdate(
        "https://fw.example/s.bin", utcnow(), signing_certificate=PEM, signature="c2lnbmF0dXJl"
    )
    answer = await v16(central).signed_update_firmware(replace(update, request_id=12))
    assert answer == {"status": "Accepted"}
    await settled(charger, lambda: station(central).firmware_status == "Installed")
    assert station(central).firmware_request_id == 12
    assert recorder.data(EventType.FIRMWARE_STATUS, "status") == [
        "Downloading", "Downloaded", "SignatureVerified", "Installing", "Installed",
    ]  # fmt: skip
    assert all(e.data["signed"] and e.data["request_id"] == 12 for e in recorder.of(EventType.FIRMWARE_STATUS))
    bad = await v16(central).signed_update_firmware(
        replace(update, signing_certificate="not a cert", signature="x", request_id=13)
    )
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
    installed_hash = csms.CertificateHash(
        hash_data["hashAlgorithm"], hash_data["issuerNameHash"], hash_data["issuerKeyHash"], hash_data["serialNumber"]
    )
    deleted = await commands.delete_certificate(installed_hash)
    assert deleted == {"status": "Accepted"}
    again = await commands.delete_certificate(installed_hash)
    assert again == {"status": "NotFound"}
    assert await commands.certificate_signed(PEM) == {"status": "Accepted"}
    assert charger.sim.certificate_chain == PEM
    assert await commands.certificate_signed("nonsense") == {"status": "Rejected"}
