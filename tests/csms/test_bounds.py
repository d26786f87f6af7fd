"""Hostile numbers (issue 11): a number a charger chooses never sizes our work or memory, and never
becomes a value the store cannot write.  Real sockets, the real server, frames as a fuzzer sends them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem, MemoryPersistence
from custom_components.ocpp_core.csms.model.bounds import MAX_REPORT_ITEMS, MAX_REPORT_PARTS
from custom_components.ocpp_core.csms.model.configuration import MAX_CONNECTORS

from .support.bounds import BLOCKING_BAR, NOW, LoopBlocking, booted_v2
from .support.helpers import BOOT, RawCharger, wait_for


def _report_parts(seq_no: int, request_id: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """The three multi-part messages, each as its last part (tbc false) numbered `seq_no`."""
    return [
        ("NotifyReport", {"requestId": request_id, "generatedAt": NOW, "seqNo": seq_no, "tbc": False}),
        ("NotifyMonitoringReport", {"requestId": request_id, "generatedAt": NOW, "seqNo": seq_no, "tbc": False}),
        (
            "NotifyCustomerInformation",
            {"requestId": request_id, "generatedAt": NOW, "seqNo": seq_no, "tbc": False, "data": "x"},
        ),
    ]


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_a_huge_seq_no_blocks_nothing_and_is_refused(central: CentralSystem, url: str, version: str) -> None:
    hostile = await booted_v2(url, "hostile", version)
    bystander = await booted_v2(url, "bystander", version)
    async with LoopBlocking().measuring() as blocking:
        # the cheap ones first: before the fix each was taken ({}), and 2^31 - 1 ran out of memory
        for seq_no in (MAX_REPORT_PARTS, -1, 10_000_000, 2_147_483_647):
            for action, payload in _report_parts(seq_no):
                answer = await hostile.call(action, payload, f"{action}-{seq_no}")
                assert answer[0] == 4 and answer[2] == "PropertyConstraintViolation", (action, answer)
                assert "seqNo" in answer[3]
                # the other charger is answered meanwhile
                assert (await bystander.call("Heartbeat", {}, f"hb-{action}-{seq_no}"))[0] == 3
        # the highest seqNo in range: kept, waiting for the parts before it, at the cost of one part
        for action, payload in _report_parts(MAX_REPORT_PARTS - 1, request_id=8):
            assert (await hostile.call(action, payload, f"{action}-last"))[0] == 3
    print(f"loop blocked: {blocking.cpu * 1000:.1f} ms CPU, {blocking.wall * 1000:.1f} ms wall at most")
    assert blocking.cpu < BLOCKING_BAR
    v2 = central.stations["hostile"].v2
    assert v2 is not None
    assert {len(a.parts) for a in v2.assemblies.values()} == {1}
    await hostile.close()
    await bystander.close()


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_a_report_in_parts_still_assembles(central: CentralSystem, url: str, version: str) -> None:
    charger = await booted_v2(url, "parts", version)
    entry = {
        "component": {"name": "EVSE", "evse": {"id": 2}},
        "variable": {"name": "Power"},
        "variableAttribute": [{"value": "11000"}],
    }
    for seq_no, tbc in ((1, False), (0, True)):  # out of order: complete once the first arrives too
        payload = {"requestId": 3, "generatedAt": NOW, "seqNo": seq_no, "tbc": tbc, "reportData": [entry]}
        assert (await charger.call("NotifyReport", payload, f"r{seq_no}"))[0] == 3
    station = central.stations["parts"]
    assert station.v2 is not None and len(station.v2.device_model) == 1 and not station.v2.assemblies
    assert 2 in station.connectors  # the EVSE the report names
    # a report with no entries at all is complete too: an empty FullInventory replaces the model
    central.state.v2_reports.note_report_request("parts", 4, "FullInventory")
    empty = {"requestId": 4, "generatedAt": NOW, "seqNo": 0, "tbc": False}
    assert (await charger.call("NotifyReport", empty, "empty"))[0] == 3
    assert len(station.v2.device_model) == 0 and station.v2.inventory_time is not None
    await charger.close()


async def _answer_configuration(charger: RawCharger, connectors: int) -> None:
    """Boot a bare 1.6 charger and answer the GetConfiguration that follows with NumberOfConnectors."""
    await charger.ws.send(json.dumps([2, "boot", "BootNotification", BOOT]))
    async with asyncio.timeout(5):
        while True:
            frame = json.loads(await charger.ws.recv())
            if frame[0] == 2 and frame[2] == "GetConfiguration":
                keys = [{"key": "NumberOfConnectors", "readonly": True, "value": str(connectors)}]
                await charger.ws.send(json.dumps([3, frame[1], {"configurationKey": keys}]))
                return
            if frame[0] == 2:
                await charger.ws.send(json.dumps([4, frame[1], "NotImplemented", "", {}]))


def _status(connector_id: object) -> dict[str, Any]:
    return {"connectorId": connector_id, "errorCode": "NoError", "status": "Available"}


async def test_v16_connector_ids_are_bounded_and_every_save_still_works(
    central: CentralSystem, url: str, persistence: MemoryPersistence
) -> None:
    assert central.config.lenient
    charger = await RawCharger.connect(url, "ids")
    assert (await charger.call("BootNotification", BOOT, "boot"))[2]["status"] == "Accepted"
    # beyond 64 bits (orjson reads it as a float; lenient mode must not repair it into an int), as a string
    # too long for 64 bits: refused as not an integer; before, each became a connector no store can write
    for message_id, value in (("big", 18446744073709551617), ("text", "99999999999999999999")):
        frame = json.dumps([2, message_id, "StatusNotification", _status(value)])
        answer = await charger.send_raw(frame)
        assert answer[0] == 4 and answer[2] == "TypeConstraintViolation", answer
    # integers the schema takes but no charger has: refused, naming the range
    for message_id, value in (("neg", -1), ("over", MAX_CONNECTORS + 1), ("int32", 2_147_483_647)):
        answer = await charger.call("StatusNotification", _status(value), message_id)
        assert answer[0] == 4 and answer[2] == "PropertyConstraintViolation", answer
        assert f"connectorId {value} is out of range (0 to {MAX_CONNECTORS})" in answer[3]
    start = {"connectorId": 0, "idTag": "T", "meterStart": 0, "timestamp": NOW}
    assert (await charger.call("StartTransaction", start, "start0"))[2] == "PropertyConstraintViolation"
    meter = {"connectorId": 500, "meterValue": [{"timestamp": NOW, "sampledValue": [{"value": "1"}]}]}
    assert (await charger.call("MeterValues", meter, "mv"))[2] == "PropertyConstraintViolation"
    # a string that is a sane connector id is still repaired, as before
    assert (await charger.call("StatusNotification", _status("2"), "two"))[0] == 3
    station = central.stations["ids"]
    assert sorted(station.connectors) == [2]
    await central.state.store.save_now()  # before: "Integer exceeds 64-bit range", and every later save failed too
    saved = persistence.saved
    assert saved is not None and saved["stations"]["ids"]["connectors"] == [2]
    await charger.close()


async def test_v16_connector_ids_follow_the_number_of_connectors(central: CentralSystem, url: str) -> None:
    charger = await RawCharger.connect(url, "counted")
    await _answer_configuration(charger, 2)
    await wait_for(lambda: central.stations["counted"].number_of_connectors == 2)
    assert (await charger.call("StatusNotification", _status(2), "two"))[0] == 3
    answer = await charger.call("StatusNotification", _status(3), "three")
    assert answer[2] == "PropertyConstraintViolation" and "(0 to 2)" in answer[3]
    assert sorted(central.stations["counted"].connectors) == [1, 2]
    await charger.close()


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_v2_evse_ids_are_bounded(central: CentralSystem, url: str, version: str) -> None:
    charger = await booted_v2(url, "evses", version)
    status = {"timestamp": NOW, "connectorStatus": "Available", "evseId": 2_147_483_647, "connectorId": 1}
    answer = await charger.call("StatusNotification", status, "s1")
    assert answer[2] == "PropertyConstraintViolation" and "evseId" in answer[3]
    answer = await charger.call("StatusNotification", {**status, "evseId": 1, "connectorId": 10**9}, "s2")
    assert answer[2] == "PropertyConstraintViolation" and "connectorId" in answer[3]
    meter = {"evseId": 1000, "meterValue": [{"timestamp": NOW, "sampledValue": [{"value": 1.0}]}]}
    assert (await charger.call("MeterValues", meter, "m1"))[2] == "PropertyConstraintViolation"
    event = {
        "eventType": "Started",
        "timestamp": NOW,
        "triggerReason": "CablePluggedIn",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "tx"},
        "evse": {"id": 99_999, "connectorId": 1},
    }
    assert (await charger.call("TransactionEvent", event, "t1"))[2] == "PropertyConstraintViolation"
    profiles = {"requestId": 1, "chargingLimitSource": "CSO", "evseId": 10**12, "tbc": False}
    profiles["chargingProfile"] = [
        {
            "id": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Relative",
            "chargingSchedule": [
                {"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.0}]}
            ],
        }
    ]
    assert (await charger.call("ReportChargingProfiles", profiles, "p1"))[2] == "PropertyConstraintViolation"
    assert (await charger.call("StatusNotification", {**status, "evseId": 1}, "s3"))[0] == 3
    assert sorted(central.stations["evses"].connectors) == [1]
    await charger.close()


@pytest.mark.parametrize("version", ["2.0.1"])
async def test_the_largest_inventory_taken_blocks_nothing_and_a_larger_one_is_refused(
    central: CentralSystem, url: str, version: str
) -> None:
    charger = await booted_v2(url, "inventory", version)
    v2 = central.stations["inventory"].v2
    assert v2 is not None
    request_id = 41
    central.state.v2_reports.note_report_request("inventory", request_id, "FullInventory")

    def part(seq_no: int, tbc: bool, first: int, count: int) -> dict[str, Any]:
        entries = [
            {
                "component": {"name": f"Component{n}", "evse": {"id": 1}},
                "variable": {"name": "Value"},
                "variableAttribute": [{"value": "x", "mutability": "ReadOnly"}],
                "variableCharacteristics": {"dataType": "string", "supportsMonitoring": False},
            }
            for n in range(first, first + count)
        ]
        return {"requestId": request_id, "generatedAt": NOW, "seqNo": seq_no, "tbc": tbc, "reportData": entries}

    parts = MAX_REPORT_ITEMS // 100
    async with LoopBlocking().measuring() as blocking:
        for seq_no in range(parts):
            payload = part(seq_no, seq_no < parts - 1, seq_no * 100, 100)
            assert (await charger.call("NotifyReport", payload, f"p{seq_no}"))[0] == 3
    print(f"loop blocked: {blocking.cpu * 1000:.1f} ms CPU, {blocking.wall * 1000:.1f} ms wall at most")
    assert len(v2.device_model) == MAX_REPORT_ITEMS
    assert blocking.cpu < BLOCKING_BAR
    # one entry more than that: refused, the parts so far dropped
    request_id = 42
    central.state.v2_reports.note_report_request("inventory", request_id, "FullInventory")
    for seq_no in range(parts):
        assert (await charger.call("NotifyReport", part(seq_no, True, 0, 100), f"q{seq_no}"))[0] == 3
    answer = await charger.call("NotifyReport", part(parts, False, 0, 1), "over")
    assert answer[2] == "OccurrenceConstraintViolation" and str(MAX_REPORT_ITEMS) in answer[3]
    assert not v2.assemblies and len(v2.device_model) == MAX_REPORT_ITEMS
    await charger.close()
