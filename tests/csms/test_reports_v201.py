"""Every other OCPP 2.0.1 / 2.1 station → central system message: what is answered, what is kept where."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from custom_components.ocpp_core.csms import (
    CentralSystem,
    CentralSystemConfig,
    Event,
    EventType,
    MemoryPersistence,
    Reservation,
)
from custom_components.ocpp_core.csms.rpc.timeutil import utcnow

from .support.helpers_v201 import VERSIONS, booted


class Seen:
    def __init__(self, central: CentralSystem) -> None:
        self.events: list[Event] = []
        central.events.subscribe(self.events.append)

    def of(self, kind: EventType) -> list[Event]:
        return [e for e in self.events if e.type is kind]


PROFILE = {
    "id": 31,
    "stack_level": 1,
    "charging_profile_purpose": "TxDefaultProfile",
    "charging_profile_kind": "Absolute",
    "charging_schedule": [
        {"id": 1, "charging_rate_unit": "A", "charging_schedule_period": [{"start_period": 0, "limit": 16.0}]}
    ],
}


@pytest.mark.parametrize("version", VERSIONS)
async def test_device_events_and_monitors(central: CentralSystem, url: str, version: str) -> None:
    seen = Seen(central)
    cp = await booted(central, url, "events", version)
    v2 = central.stations["events"].v2
    assert v2 is not None
    # an event about a known variable updates its value in the device model
    await cp.notify_event(
        {"name": "OCPPCommCtrlr"}, {"name": "HeartbeatInterval"}, "120", event_id=9, tech_info="changed locally"
    )
    assert v2.device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "120"
    await cp.notify_event(
        {"name": "EVSE", "evse": {"id": 1}}, {"name": "Problem"}, "true", event_id=10, trigger="Alerting", cleared=False
    )
    entries = list(v2.device_events)
    assert [(e["event_id"], e["actual_value"], e["trigger"]) for e in entries] == [
        (9, "120", "Delta"),
        (10, "true", "Alerting"),
    ]
    assert entries[0]["tech_info"] == "changed locally" and entries[1]["component"] == {
        "name": "EVSE",
        "evse": {"id": 1},
    }
    assert entries[1]["cleared"] is False
    assert v2.device_model.get("EVSE", "Problem", evse_id=1) is None  # not in the model: only kept as an event
    assert [e.data["event_id"] for e in seen.of(EventType.DEVICE_EVENT)] == [9, 10]

    monitoring: dict[str, Any] = {
        "id": 4,
        "transaction": False,
        "value": 10_000.0,
        "type": "UpperThreshold",
        "severity": 5,
    }
    if version == "2.1":
        monitoring["event_notification_type"] = "CustomMonitor"
    monitors = [
        {
            "component": {"name": "EVSE", "evse": {"id": 1}},
            "variable": {"name": "Power"},
            "variable_monitoring": [monitoring],
        },
        {
            "component": {"name": "ChargingStation"},
            "variable": {"name": "Available"},
            "variable_monitoring": [{**monitoring, "id": 5, "type": "Delta", "value": 1.0}],
        },
    ]
    await cp.notify_monitoring_report(12, monitors, part_size=1)  # two parts
    assert sorted(m["monitors"][0]["id"] for m in v2.monitors.values()) == [4, 5]
    power = next(m for m in v2.monitors.values() if m["variable"] == {"name": "Power"})
    assert power["component"] == {"name": "EVSE", "evse": {"id": 1}}
    assert power["monitors"][0]["value"] == 10_000.0 and power["monitors"][0]["type"] == "UpperThreshold"
    assert [e.data for e in seen.of(EventType.MONITORING_REPORT)] == [{"request_id": 12, "monitors": 2}]
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_firmware_logs_security_and_certificates(central: CentralSystem, url: str, version: str) -> None:
    seen = Seen(central)
    cp = await booted(central, url, "sec", version)
    station = central.stations["sec"]
    await cp.send_firmware_status("Downloading", request_id=3)
    await cp.send_firmware_status("Installed", request_id=3)
    assert (station.firmware_status, station.firmware_request_id) == ("Installed", 3)
    assert [e.data["status"] for e in seen.of(EventType.FIRMWARE_STATUS)] == ["Downloading", "Installed"]
    await cp.send_log_status("Uploaded", request_id=8)
    assert (station.log_status, station.log_request_id) == ("Uploaded", 8)
    await cp.send_publish_firmware_status("Published", ["http://lc.local/fw.bin"], request_id=4)
    assert station.v2 is not None
    assert (station.v2.publish_firmware_status, station.v2.publish_firmware_locations) == (
        "Published",
        ["http://lc.local/fw.bin"],
    )
    assert seen.of(EventType.PUBLISH_FIRMWARE_STATUS)[0].data["request_id"] == 4
    await cp.send_security_event("SettingSystemTime", "NTP")
    assert list(station.security_events)[-1]["type"] == "SettingSystemTime"
    assert list(station.security_events)[-1]["tech_info"] == "NTP"

    # no PKI: refused or failed, cleanly, with the reason
    signed = await cp.sign_certificate()
    assert signed.status == "Rejected" and signed.status_info["reason_code"] == "NoPKI"
    assert station.certificate_signing_request == cp.sim.csr
    ev_certificate = await cp.get_15118_ev_certificate()
    assert (ev_certificate.status, ev_certificate.exi_response) == ("Failed", "")
    status = await cp.get_certificate_status("77")
    assert status.status == "Failed" and status.ocsp_result is None
    assert [(e.data["kind"], e.data["status"]) for e in seen.of(EventType.CERTIFICATE_REQUEST)] == [
        ("Get15118EVCertificate", "Failed"),
        ("GetCertificateStatus", "Failed"),
    ]
    transfer = await cp.data_transfer("com.example", "Hello", {"any": "json"})
    assert transfer.status == "UnknownVendorId"
    assert seen.of(EventType.DATA_TRANSFER)[0].data == {
        "vendorId": "com.example",
        "messageId": "Hello",
        "data": {"any": "json"},
    }
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_charging_limits_and_ev_needs(central: CentralSystem, url: str, version: str) -> None:
    seen = Seen(central)
    cp = await booted(central, url, "limits", version, evses=2)
    station = central.stations["limits"]
    evse = station.connectors[1]
    schedule = [
        {"id": 1, "charging_rate_unit": "W", "charging_schedule_period": [{"start_period": 0, "limit": 7400.0}]}
    ]
    await cp.notify_charging_limit("EMS", evse_id=1, grid_critical=True, schedule=schedule)
    assert evse.limit_source == "EMS"
    assert evse.charging_limit is not None and evse.charging_limit["is_grid_critical"] is True
    assert evse.charging_limit["schedules"][0]["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 7400.0}]
    await cp.notify_charging_limit("SO")  # the whole station
    assert station.v2 is not None and station.v2.limit_source == "SO"
    assert station.connectors[2].limit_source is None
    # a clear of another source leaves the limit; of its own source, clears it
    await cp.cleared_charging_limit("SO", evse_id=1)
    assert evse.limit_source == "EMS"
    await cp.cleared_charging_limit("EMS", evse_id=1)
    assert evse.limit_source is None and evse.charging_limit is None
    await cp.cleared_charging_limit("SO")
    assert station.v2.limit_source is None
    assert [(e.connector_id, e.data["source"], e.data["cleared"]) for e in seen.of(EventType.CHARGING_LIMIT)] == [
        (1, "EMS", False),
        (None, "SO", False),
        (1, None, True),
        (None, None, True),
    ]

    departure = (utcnow() + timedelta(hours=8)).replace(microsecond=0)
    answer = await cp.notify_ev_charging_needs(2, 30_000, departure.isoformat())
    assert answer.status == "Rejected"  # no schedule is computed here
    ev = station.connectors[2]
    assert (ev.ev_requested_energy_wh, ev.ev_departure_time, ev.ev_energy_transfer) == (
        30_000.0,
        departure,
        "AC_three_phase",
    )
    assert ev.ev_charging_needs is not None and ev.ev_charging_needs["acChargingParameters"]["evMaxCurrent"] == 16
    await cp.notify_ev_charging_needs(1, 45_000, transfer="DC")
    assert station.connectors[1].ev_requested_energy_wh == 45_000.0 and station.connectors[1].ev_departure_time is None
    assert [e.data["requested_energy_wh"] for e in seen.of(EventType.EV_CHARGING_NEEDS)] == [30_000.0, 45_000.0]

    schedule_answer = await cp.notify_ev_charging_schedule(2, [11_000.0, 3_700.0])
    assert schedule_answer.status == "Accepted"
    assert ev.ev_charging_schedule is not None
    periods = ev.ev_charging_schedule["schedule"]["chargingSchedulePeriod"]
    assert [p["limit"] for p in periods] == [11_000.0, 3_700.0]

    await cp.report_charging_profiles(21, 1, [PROFILE], source="CSO")
    assert station.v2.charging_profiles[1][31]["source"] == "CSO"
    assert station.v2.charging_profiles[1][31]["profile"]["chargingProfilePurpose"] == "TxDefaultProfile"
    assert seen.of(EventType.CHARGING_PROFILES)[-1].data == {
        "request_id": 21,
        "source": "CSO",
        "evse_id": 1,
        "profiles": 1,
    }
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_reservations_customer_data_and_messages(central: CentralSystem, url: str, version: str) -> None:
    seen = Seen(central)
    cp = await booted(central, url, "misc", version)
    station = central.stations["misc"]
    expiry = utcnow() + timedelta(hours=1)
    central.state.reservations.set("misc", Reservation(41, 1, "R-TAG", expiry))
    central.state.reservations.set("misc", Reservation(42, 0, "R-ANY", expiry))
    await cp.reservation_status_update(42, "Removed")
    assert station.reservation is None
    assert station.connectors[1].reservation is not None
    # a session on the reservation ends it
    await cp.start_transaction(1, "R-TAG", reservation_id=41)
    assert station.connectors[1].reservation is None
    assert [
        (e.data["reservation_id"], e.data["reason"]) for e in seen.of(EventType.RESERVATION) if not e.data["active"]
    ] == [
        (42, "removed"),
        (41, "used"),
    ]

    await cp.notify_customer_information(5, "Name: Jane Doe; Tags: A1, B2; Sessions: 12", parts=3)
    assert station.v2 is not None
    assert station.v2.customer_information == {5: "Name: Jane Doe; Tags: A1, B2; Sessions: 12"}
    assert seen.of(EventType.CUSTOMER_INFORMATION)[0].data["text"].startswith("Name: Jane")

    messages = [
        {"id": 1, "priority": "NormalCycle", "message": {"format": "UTF8", "content": "Welcome"}},
        {
            "id": 2,
            "priority": "AlwaysFront",
            "state": "Charging",
            "message": {"format": "ASCII", "content": "Charging"},
        },
    ]
    await cp.notify_display_messages(6, messages)
    assert sorted(station.v2.display_messages) == [1, 2]
    assert station.v2.display_messages[2]["message"]["content"] == "Charging"
    assert seen.of(EventType.DISPLAY_MESSAGES)[-1].data == {"request_id": 6, "message_ids": [1, 2]}
    await cp.close()


async def test_reports_survive_restart(central_config: CentralSystemConfig) -> None:
    persistence = MemoryPersistence()
    first = CentralSystem(central_config, persistence)
    await first.start()
    cp = await booted(first, f"ws://127.0.0.1:{first.port}", "kept")
    await cp.notify_event({"name": "ChargingStation"}, {"name": "Problem"}, "true", event_id=1)
    await cp.report_charging_profiles(2, 1, [PROFILE])
    await cp.notify_customer_information(3, "data")
    await cp.notify_display_messages(
        4, [{"id": 7, "priority": "InFront", "message": {"format": "UTF8", "content": "Hi"}}]
    )
    monitors = [
        {
            "component": {"name": "EVSE", "evse": {"id": 1}},
            "variable": {"name": "Power"},
            "variable_monitoring": [{"id": 1, "transaction": True, "value": 1.0, "type": "Delta", "severity": 8}],
        }
    ]
    await cp.notify_monitoring_report(5, monitors)
    before = first.stations["kept"].v2
    assert before is not None
    snapshot = before.to_dict()
    await cp.close()
    await first.stop()

    second = CentralSystem(central_config, persistence)
    await second.start()
    after = second.stations["kept"].v2
    assert after is not None
    assert after.to_dict() == snapshot
    assert after.device_events[0]["actual_value"] == "true"
    assert after.charging_profiles[1][31]["profile"]["id"] == 31
    assert (after.customer_information, list(after.display_messages)) == ({3: "data"}, [7])
    assert len(after.monitors) == 1
    await second.stop()


def test_ev_requested_energy_of_each_kind() -> None:
    from custom_components.ocpp_core.csms.v201.handlers import requested_energy_wh

    assert requested_energy_wh({"acChargingParameters": {"energyAmount": 12_000}}) == 12_000.0
    assert requested_energy_wh({"dcChargingParameters": {"energyAmount": 50_000.5}}) == 50_000.5
    assert requested_energy_wh({"v2xChargingParameters": {"evTargetEnergyRequest": 8_000}}) == 8_000.0
    assert requested_energy_wh({"requestedEnergyTransfer": "DC"}) is None
