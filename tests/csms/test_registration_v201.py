"""OCPP 2.0.1 / 2.1 registration: boot policy, the inventory read once per firmware, the device model
assembled from a multi-part report, the EVSE / connector topology, persisted across restarts."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, Event, EventType, MemoryPersistence
from custom_components.ocpp_core.csms.central import UnsupportedVersion
from custom_components.ocpp_core.csms.rpc.types import OcppVersion

from .support.helpers_v201 import VERSIONS, actions, booted, connect, settled, wait_for


def _events(central: CentralSystem) -> list[Event]:
    events: list[Event] = []
    central.events.subscribe(events.append)
    return events


@pytest.mark.parametrize("version", VERSIONS)
async def test_boot_reads_the_inventory_once_per_firmware(central: CentralSystem, url: str, version: str) -> None:
    events = _events(central)
    cp = await booted(central, url, "inv", version, evses={1: 1, 2: 2})
    station = central.stations["inv"]
    assert station.ocpp_version == OcppVersion(f"ocpp{version}")
    assert (station.vendor, station.model, station.serial_number, station.firmware_version) == (
        "OCPP Core",
        "Simulator 201",
        "SIM-inv",
        "2.0.0",
    )
    assert station.registration_status == "Accepted" and station.booted
    assert station.v2 is not None
    assert station.v2.boot_reason == "PowerUp"
    assert station.v2.modem == {"iccid": "8949000000000000001", "imsi": "262010000000001"}
    # one FullInventory, nothing written
    assert actions(cp) == ["GetBaseReport"]
    request = cp.requests[0][1]
    assert request["reportBase"] == "FullInventory"
    # the report came in parts of 8 and was applied once, whole
    entries = cp.sim.device_model.report("FullInventory")
    assert len(entries) > 16
    model = station.v2.device_model
    assert len(model) == len(entries)
    reports = [e for e in events if e.type is EventType.DEVICE_MODEL]
    assert [(e.data["request_id"], e.data["full"], e.data["variables"]) for e in reports] == [
        (request["requestId"], True, len(entries))
    ]
    assert not station.v2.assemblies and not station.v2.report_requests
    assert model.value("OCPPCommCtrlr", "HeartbeatInterval") == "300"
    heartbeat = model.get("OCPPCommCtrlr", "HeartbeatInterval")
    assert heartbeat is not None
    assert heartbeat.attributes["Actual"]["mutability"] == "ReadWrite"
    assert heartbeat.characteristics == {"dataType": "integer", "supportsMonitoring": True, "unit": "s"}
    assert model.value("DeviceDataCtrlr", "ItemsPerMessage", variable_instance="GetReport") == "8"
    password = model.get("SecurityCtrlr", "BasicAuthPassword")
    assert password is not None and password.value is None  # WriteOnly: no value
    assert model.value("Connector", "ConnectorType", evse_id=2, connector_id=2) == "cType2"
    assert model.get("EVSE", "Power", evse_id=1) is not None
    assert model.get("EVSE", "Power", evse_id=1).characteristics["maxLimit"] == 11000  # type: ignore[union-attr]
    # the topology: EVSE 2 has two connectors
    assert sorted(station.connectors) == [1, 2]
    assert station.connectors[2].connector_statuses == {1: "Available", 2: "Available"}
    assert station.v2.inventory_firmware == "2.0.0"
    first_read = station.v2.inventory_time

    # the connection drops and comes back: booted again, same firmware, no inventory
    await cp.close()
    await wait_for(lambda: not central.is_connected("inv"))
    cp2 = await connect(url, "inv", version, evses={1: 1, 2: 2})
    await cp2.boot()
    await cp2.heartbeat()
    await settled(cp2)
    assert actions(cp2) == []
    assert station.v2.inventory_time == first_read

    # new firmware: read again
    await cp2.reboot("FirmwareUpdate", firmware_version="2.1.0")
    await wait_for(lambda: station.v2 is not None and station.v2.inventory_firmware == "2.1.0")
    assert actions(cp2) == ["GetBaseReport"]
    assert station.firmware_version == "2.1.0" and station.v2.boot_reason == "FirmwareUpdate"
    assert station.v2.device_model.value("Controller", "FirmwareVersion") == "2.1.0"
    await settled(cp2)
    await cp2.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_pending_until_accepted_by_trigger_message(central: CentralSystem, url: str, version: str) -> None:
    asked: list[tuple[str, dict[str, Any]]] = []

    def policy(station_id: str, payload: dict[str, Any]) -> str:
        asked.append((station_id, payload))
        return "Pending"

    central.config.boot_policy = policy
    events = _events(central)
    cp = await connect(url, "wait", version)
    answer = await cp.boot(expect="Pending")
    assert answer.interval == 60
    station = central.stations["wait"]
    assert station.registration_status == "Pending" and not station.booted
    assert station.model == "Simulator 201"  # shown to the user who decides
    # the policy sees the 2.x BootNotification as sent
    assert asked[0][1]["chargingStation"]["vendorName"] == "OCPP Core" and asked[0][1]["reason"] == "PowerUp"
    await cp.heartbeat()
    assert actions(cp) == []  # no inventory while Pending

    assert await central.accept_station("wait") == {"status": "Accepted"}
    await wait_for(lambda: station.v2 is not None and station.v2.inventory_time is not None)
    assert cp.registration_status == "Accepted" and station.booted
    assert actions(cp) == ["TriggerMessage", "GetBaseReport"]
    assert cp.requests[0][1] == {"requestedMessage": "BootNotification"}  # the 2.x form
    assert station.v2.boot_reason == "Triggered"
    assert [e.data["status"] for e in events if e.type is EventType.REGISTRATION] == [
        "Pending",
        "Accepted",
        "Accepted",
    ]
    await settled(cp)
    await cp.close()


async def test_rejected_station(central: CentralSystem, url: str) -> None:
    central.config.boot_policy = lambda station_id, payload: "Rejected"
    cp = await connect(url, "nope")
    await cp.boot(expect="Rejected")
    station = central.stations["nope"]
    assert station.registration_status == "Rejected" and not station.booted
    assert station.v2 is not None and station.v2.inventory_time is None
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_evse_topology_and_statuses(central: CentralSystem, url: str, version: str) -> None:
    events = _events(central)
    cp = await connect(url, "topo", version, evses={1: 1, 2: 2})
    await cp.boot()
    station = central.stations["topo"]
    await wait_for(lambda: station.v2 is not None and station.v2.inventory_time is not None)
    await settled(cp)
    await cp.send_all_statuses()
    assert {i: (c.status, c.connector_statuses) for i, c in station.connectors.items()} == {
        1: ("Available", {1: "Available"}),
        2: ("Available", {1: "Available", 2: "Available"}),
    }
    # one connector of EVSE 2 in use: the EVSE is Occupied
    await cp.send_status(2, 2, "Occupied")
    evse = station.connectors[2]
    assert (evse.status, evse.connector_statuses) == ("Occupied", {1: "Available", 2: "Occupied"})
    assert events[-1].type is EventType.CONNECTOR_UPDATED and events[-1].connector_id == 2
    # a faulted connector next to a free one leaves the EVSE usable
    await cp.send_status(2, 2, "Faulted")
    assert evse.status == "Available"
    await cp.send_status(2, 1, "Unavailable")
    assert evse.status == "Faulted"
    await cp.send_status(2, 2, "Unavailable")
    assert evse.status == "Unavailable"
    await cp.send_status(1, 1, "Reserved")
    assert station.connectors[1].status == "Reserved"
    # a StatusNotification names an EVSE and connector the report did not: both appear
    await cp.send(
        "StatusNotification", timestamp="2025-01-01T00:00:00Z", connector_status="Available", evse_id=3, connector_id=1
    )
    assert station.connectors[3].connector_statuses == {1: "Available"}
    assert [e.connector_id for e in events if e.type is EventType.CONNECTOR_ADDED][-1] == 3
    await cp.close()


async def test_inventory_and_topology_survive_restart(central_config: CentralSystemConfig) -> None:
    persistence = MemoryPersistence()
    first = CentralSystem(central_config, persistence)
    await first.start()
    url = f"ws://127.0.0.1:{first.port}"
    cp = await booted(first, url, "keep2", evses={1: 2})
    before = first.stations["keep2"]
    assert before.v2 is not None
    model_before = before.v2.device_model.to_list()
    await cp.close()
    await first.stop()

    second = CentralSystem(central_config, persistence)
    await second.start()
    station = second.stations["keep2"]
    assert station.v2 is not None
    assert station.v2.device_model.to_list() == model_before
    assert station.v2.inventory_firmware == "2.0.0" and station.v2.boot_reason == "PowerUp"
    assert station.connectors[1].connector_statuses == {1: None, 2: None}  # known; statuses are live
    cp2 = await connect(f"ws://127.0.0.1:{second.port}", "keep2", evses={1: 2})
    await cp2.boot()
    await settled(cp2)
    assert actions(cp2) == []  # the same firmware: not read again after the restart
    await cp2.close()
    await second.stop()


async def test_report_parts_assembled_in_order(central: CentralSystem, url: str) -> None:
    """Parts of a report arriving out of order are applied once, when none is missing."""
    cp = await booted(central, url, "parts")
    station = central.stations["parts"]
    assert station.v2 is not None
    entry = {
        "component": {"name": "Custom", "instance": "x"},
        "variable": {"name": "Value"},
        "variable_attribute": [{"type": "Actual", "value": "1", "mutability": "ReadWrite"}],
    }
    second = {**entry, "variable": {"name": "Other"}}
    await cp.send("NotifyReport", request_id=77, generated_at="2025-01-01T00:00:00Z", seq_no=1, report_data=[second])
    assert station.v2.device_model.get("Custom", "Other", component_instance="x") is None  # not the last part
    await cp.send(
        "NotifyReport", request_id=77, generated_at="2025-01-01T00:00:00Z", seq_no=2, report_data=[entry], tbc=False
    )
    assert station.v2.device_model.get("Custom", "Value", component_instance="x") is None  # seqNo 0 missing
    await cp.send(
        "NotifyReport", request_id=77, generated_at="2025-01-01T00:00:00Z", seq_no=0, report_data=[entry], tbc=True
    )
    assert station.v2.device_model.value("Custom", "Other", component_instance="x") == "1"
    assert station.v2.device_model.value("Custom", "Value", component_instance="x") == "1"
    # a report nobody asked for (or asked before a restart) merges: the inventory stays
    assert station.v2.device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "300"
    assert not station.v2.assemblies
    await cp.close()


async def test_v201_commands_only_for_2x(central: CentralSystem, url: str) -> None:
    from sim.charger16 import connect as connect16

    cp = await booted(central, url, "cmds", "2.1")
    assert central.v201("cmds") is central._sessions["cmds"].adapter.commands  # type: ignore[attr-defined]
    with pytest.raises(UnsupportedVersion):
        central.v16("cmds")
    old, task, ws = await connect16(url, "old16")
    await old.boot()
    with pytest.raises(UnsupportedVersion):
        central.v201("old16")
    await ws.close()
    task.cancel()
    await cp.close()
