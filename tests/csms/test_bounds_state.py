"""Hostile numbers (issue 11), what the state keeps: nothing a station sends grows it without end, a
configuration value no number fits loads again, and a record the store cannot write stops no save."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, EventType, MemoryPersistence
from custom_components.ocpp_core.csms.model.station_v2 import DISPLAY_MESSAGES_KEPT

from .support.bounds import BLOCKING_BAR, NOW, LoopBlocking, booted_v2
from .support.helpers import BOOT, RawCharger, wait_for


def _event(event_type: str, seq_no: int, **extra: Any) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "timestamp": NOW,
        "triggerReason": "MeterValuePeriodic",
        "seqNo": seq_no,
        "transactionInfo": {"transactionId": "tx1"},
        "evse": {"id": 1, "connectorId": 1},
        **extra,
    }


async def test_seq_no_gaps_opening_again_and_again_stay_bounded(central: CentralSystem, url: str) -> None:
    charger = await booted_v2(url, "gaps", "2.0.1")
    assert (await charger.call("TransactionEvent", _event("Started", 0), "start"))[0] == 3
    # each jump is within the gap a station may leave (1000): before, every one added 999 numbers to the
    # transaction's missing list, kept and saved with it, without end
    for step in range(1, 41):
        answer = await charger.call("TransactionEvent", _event("Updated", step * 1000), f"u{step}")
        assert answer[0] == 3
    tx = central.stations["gaps"].connectors[1].transaction
    assert tx is not None and tx.seq_max == 40_000
    assert len(tx.seq_missing) <= 1000
    # the newest gaps are still known: a late event in one is applied, a repeated one is not
    assert 39_999 in tx.seq_missing
    assert (await charger.call("TransactionEvent", _event("Updated", 39_999), "late"))[0] == 3
    assert 39_999 not in tx.seq_missing
    await charger.close()


async def test_a_multiplier_no_unit_has_is_not_a_reading(central: CentralSystem, url: str) -> None:
    charger = await booted_v2(url, "mult", "2.0.1")

    def meter(multiplier: int) -> dict[str, Any]:
        sampled = {"value": 5.0, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W"}}
        sampled["unitOfMeasure"]["multiplier"] = multiplier  # type: ignore[index]
        return {"evseId": 1, "meterValue": [{"timestamp": NOW, "sampledValue": [sampled]}]}

    # before: 10.0 ** 400 raised OverflowError, answered InternalError with a traceback in the log
    for multiplier in (400, 308):
        answer = await charger.call("MeterValues", meter(multiplier), f"m{multiplier}")
        assert answer[0] == 3, answer
    assert central.stations["mult"].connectors.get(1) is None or (
        central.stations["mult"].connectors[1].reading("Power.Active.Import") is None
    )
    assert (await charger.call("MeterValues", meter(3), "k"))[0] == 3
    assert central.stations["mult"].connectors[1].reading("Power.Active.Import") == 5000.0
    await charger.close()


async def test_display_messages_sent_again_and_again_stay_bounded(central: CentralSystem, url: str) -> None:
    charger = await booted_v2(url, "display", "2.0.1")
    for batch in range(3):
        messages = [
            {"id": batch * 100 + n, "priority": "NormalCycle", "message": {"format": "ASCII", "content": "hi"}}
            for n in range(100)
        ]
        payload = {"requestId": batch, "tbc": False, "messageInfo": messages}
        assert (await charger.call("NotifyDisplayMessages", payload, f"d{batch}"))[0] == 3
    v2 = central.stations["display"].v2
    assert v2 is not None and len(v2.display_messages) == DISPLAY_MESSAGES_KEPT
    assert max(v2.display_messages) == 299  # the newest are kept
    await charger.close()


async def test_a_configuration_value_no_number_fits_loads_again(central_config: CentralSystemConfig) -> None:
    persistence = MemoryPersistence()
    first = CentralSystem(central_config, persistence)
    await first.start()
    charger = await RawCharger.connect(f"ws://127.0.0.1:{first.port}", "inf")
    await charger.ws.send(json.dumps([2, "boot", "BootNotification", BOOT]))
    keys = [
        {"key": "NumberOfConnectors", "readonly": True, "value": "1e999"},
        {"key": "MeterValueSampleInterval", "readonly": False, "value": "inf"},
        {"key": "LocalAuthListMaxLength", "readonly": True, "value": "99999999999999999999"},
    ]
    async with asyncio.timeout(5):
        while True:
            frame = json.loads(await charger.ws.recv())
            if frame[0] == 2 and frame[2] == "GetConfiguration":
                await charger.ws.send(json.dumps([3, frame[1], {"configurationKey": keys}]))
                break
    # before: OverflowError (int(float("inf"))), the answer lost; once saved, every later load failed
    station = first.stations["inf"]
    await wait_for(lambda: station.configuration_time is not None)
    assert station.number_of_connectors is None and station.meter_value_sample_interval is None
    assert station.local_auth_list_max_length is None
    await charger.close()
    await first.stop()
    second = CentralSystem(central_config, persistence)
    await second.start()
    assert second.stations["inf"].configuration["NumberOfConnectors"]["value"] == "1e999"
    await second.stop()


async def test_an_unstorable_record_is_left_out_and_named(central: CentralSystem, url: str) -> None:
    """The safety net under the bounds: whatever gets into the state, the rest is still saved."""
    seen = []
    central.events.subscribe(seen.append, [EventType.UNSTORABLE])
    charger = await RawCharger.connect(url, "net")
    assert (await charger.call("BootNotification", BOOT, "boot"))[0] == 3
    status = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
    assert (await charger.call("StatusNotification", status, "status"))[0] == 3
    station = central.stations["net"]
    station.security_events.append({"type": "x", "timestamp": NOW, "tech_info": "\ud800"})  # no UTF-8 for it
    station.firmware_request_id = 2**64  # one more than 64 bits hold
    for _ in range(2):
        await central.state.store.save_now()
    saved = central.state.store._persistence.saved  # type: ignore[attr-defined]
    assert saved is not None
    kept = saved["stations"]["net"]
    assert kept["security_events"] == [] and "firmware_request_id" not in kept
    assert kept["connectors"] == [1] and kept["vendor"] == "Test"
    assert sorted(e.data["path"] for e in seen) == [
        "stations.net.firmware_request_id",
        "stations.net.security_events[0]",
    ]
    assert {e.station_id for e in seen} == {"net"}
    await charger.close()


async def test_a_saved_station_that_cannot_be_read_leaves_the_others(central_config: CentralSystemConfig) -> None:
    good = {"vendor": "V", "connectors": [1], "open_transactions": [{"transaction_id": "7"}]}
    data = {"stations": {"broken": {"connectors": ["x"]}, "good": good}}
    central = CentralSystem(central_config, MemoryPersistence(data))
    await central.start()  # before: the whole load failed (ValueError), and the integration with it
    assert "broken" not in central.stations and central.stations["good"].vendor == "V"
    assert central.stations["good"].connectors[1].transaction is None  # the unreadable transaction left out
    await central.stop()


async def test_thousands_of_unknown_keys_block_nothing(central: CentralSystem, url: str) -> None:
    charger = await RawCharger.connect(url, "keys")
    await charger.ws.send(json.dumps([2, "boot", "BootNotification", BOOT]))

    async def answer_configuration(unknown: list[str]) -> None:
        async with asyncio.timeout(5):
            while True:
                frame = json.loads(await charger.ws.recv())
                if frame[0] == 2 and frame[2] == "GetConfiguration":
                    await charger.ws.send(json.dumps([3, frame[1], {"configurationKey": [], "unknownKey": unknown}]))
                    return

    # as many unknownKey entries as fit in a frame, in a full read and then in a partial one: before, the
    # partial one compared each with each (0.5 s on the event loop for 5000)
    await answer_configuration([f"a{n}" for n in range(5000)])
    await wait_for(lambda: len(central.stations["keys"].unknown_keys) == 5000)
    async with LoopBlocking().measuring() as blocking:
        asked = asyncio.create_task(central.v16("keys").get_configuration(["x"]))
        await answer_configuration([f"b{n}" for n in range(5000)])
        await asked
    print(f"loop blocked: {blocking.cpu * 1000:.1f} ms CPU, {blocking.wall * 1000:.1f} ms wall at most")
    assert len(central.stations["keys"].unknown_keys) == 10_000
    assert blocking.cpu < BLOCKING_BAR
    await charger.close()


async def test_a_list_version_beyond_int32_is_not_taken(central: CentralSystem, url: str) -> None:
    charger = await RawCharger.connect(url, "version")
    assert (await charger.call("BootNotification", BOOT, "boot"))[0] == 3

    async def answer(version: int) -> None:
        async with asyncio.timeout(5):
            while True:
                frame = json.loads(await charger.ws.recv())
                if frame[0] == 2 and frame[2] == "GetLocalListVersion":
                    await charger.ws.send(json.dumps([3, frame[1], {"listVersion": version}]))
                    return
                if frame[0] == 2:
                    await charger.ws.send(json.dumps([4, frame[1], "NotImplemented", "", {}]))

    for version, kept in ((18_446_744_073_709_551_615, None), (5, 5)):
        asked = asyncio.create_task(central.v16("version").get_local_list_version())
        await answer(version)
        await asked
        # before: taken, and the next list pushed was numbered one above it: 2^64, which no store can write
        assert central.stations["version"].local_list_version == kept
    await charger.close()
