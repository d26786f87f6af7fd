"""Bad frames get the CALLERROR their version prescribes, and the connection stays up."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.rpc.endpoint import RpcEndpoint
from custom_components.ocpp_core.csms.rpc.types import OcppVersion
from custom_components.ocpp_core.csms.rpc.validation import SchemaRegistry
from custom_components.ocpp_core.csms.v16.adapter import V16Adapter

from .support.helpers import BOOT, RawCharger


@pytest.mark.parametrize(
    ("frame", "message_id", "code"),
    [
        ("this is not json", "-1", "FormationViolation"),
        ('{"an": "object"}', "-1", "FormationViolation"),
        ("[2]", "-1", "FormationViolation"),
        ('[9, "x1", "Heartbeat", {}]', "x1", "ProtocolError"),
        ('[2, "x2", "Heartbeat"]', "x2", "ProtocolError"),
        ('[2, "x3", "Heartbeat", []]', "x3", "ProtocolError"),
        ('[2, "x4", "NoSuchAction", {}]', "x4", "NotImplemented"),
        ('[2, "x5", "StatusNotification", {"connectorId": 1}]', "x5", "OccurenceConstraintViolation"),
        (
            '[2, "x6", "StatusNotification", {"connectorId": "one", "status": "Available", "errorCode": "NoError"}]',
            "x6",
            "TypeConstraintViolation",
        ),
        ('[5, "x7", "X", "y", {}]', "x7", "ProtocolError"),
    ],
)
async def test_bad_frame_answered_and_connection_kept(url: str, frame: str, message_id: str, code: str) -> None:
    charger = await RawCharger.connect(url, "bad-frames")
    reply = await charger.send_raw(frame)
    assert reply[0] == 4
    assert reply[1] == message_id
    assert reply[2] == code
    assert isinstance(reply[3], str) and isinstance(reply[4], dict)
    # still connected and served
    assert (await charger.call("Heartbeat", {}))[0] == 3
    await charger.close()


async def test_handler_exception_is_internal_error(
    url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: V16Adapter, payload: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(V16Adapter, "on_heartbeat", broken)
    charger = await RawCharger.connect(url, "broken-handler")
    reply = await charger.call("Heartbeat", {}, message_id="hb1")
    assert reply[:3] == [4, "hb1", "InternalError"]
    assert "boom" in caplog.text and '"Heartbeat"' in caplog.text  # logged with the frame
    assert (await charger.call("BootNotification", BOOT))[0] == 3
    await charger.close()


async def test_strict_mode_refuses_what_lenient_mode_tolerates(central: CentralSystem, url: str) -> None:
    too_long = {"chargePointVendor": "Test", "chargePointModel": "M" * 22}
    charger = await RawCharger.connect(url, "modes")
    assert (await charger.call("BootNotification", too_long))[0] == 3
    central.config.lenient = False  # applies to the connected charger at once
    reply = await charger.call("BootNotification", too_long)
    assert reply[:3] == [4, "m1", "PropertyConstraintViolation"]
    await charger.close()


@pytest.mark.parametrize(
    ("frame", "message_id", "code"),
    [
        ("not json", "-1", "RpcFrameworkError"),
        ('{"a": 1}', "-1", "RpcFrameworkError"),
        ('[2, "y1", "Heartbeat"]', "y1", "RpcFrameworkError"),
        ('[9, "y2", "Heartbeat", {}]', "y2", "MessageTypeNotSupported"),
        ('[2, "y3", "NoSuchAction", {}]', "y3", "NotImplemented"),
        ('[2, "y4", "BootNotification", {"reason": "PowerUp"}]', "y4", "OccurrenceConstraintViolation"),
    ],
)
@pytest.mark.parametrize("version", [OcppVersion.V201, OcppVersion.V21])
async def test_v2_error_codes(version: OcppVersion, frame: str, message_id: str, code: str) -> None:
    """The 2.x codes, on the RPC layer alone (the 2.x adapters come with their own issue)."""
    sent: list[Any] = []

    async def send(text: str) -> None:
        sent.append(json.loads(text))

    schemas = await SchemaRegistry().get(version)
    known = {"Heartbeat": lambda payload: {"currentTime": "2025-01-01T00:00:00Z"}, "BootNotification": lambda p: {}}
    endpoint = RpcEndpoint("cp", version, schemas, send, known.get)
    await endpoint.receive(frame)
    assert sent[-1][:3] == [4, message_id, code]


async def test_v21_send_frame_gets_no_reply() -> None:
    sent: list[Any] = []
    seen: list[dict[str, Any]] = []

    async def send(text: str) -> None:
        sent.append(text)

    def handler(payload: dict[str, Any]) -> dict[str, Any]:
        seen.append(payload)
        return {}

    schemas = await SchemaRegistry().get(OcppVersion.V21)
    endpoint = RpcEndpoint("cp", OcppVersion.V21, schemas, send, lambda action: handler)
    await endpoint.receive(
        '[6, "s1", "NotifyPeriodicEventStream", {"id": 1, "pending": 0, "basetime": "2025-01-01T00:00:00Z", "data": [{"t": 0, "v": "1"}]}]'
    )
    assert seen and not sent


def test_frame_log_since_a_mark() -> None:
    """A reader that keeps the count it saw gets each frame once (those the ring still holds)."""
    from custom_components.ocpp_core.csms.rpc.framelog import FrameLog

    log = FrameLog(3)
    for n in range(5):
        log.add(True, f'[2,"m{n}","Heartbeat",{{}}]')
    assert log.added == 5
    assert [text for _, _, text in log.since(0)] == [f'[2,"m{n}","Heartbeat",{{}}]' for n in (2, 3, 4)]
    assert [text for _, _, text in log.since(4)] == ['[2,"m4","Heartbeat",{}]']
    assert log.since(5) == []


def test_frame_log_ring_wraps_and_resizes() -> None:
    """The ring keeps the newest `size` frames in order as it wraps, and a resize keeps the newest that fit."""
    from custom_components.ocpp_core.csms.rpc.framelog import FrameLog

    def texts(log: FrameLog) -> list[str]:
        return [text for _, _, text in log.entries()]

    log = FrameLog(4)
    for n in range(11):
        log.add(n % 2 == 0, f'[2,"m{n}","Heartbeat",{{}}]')
    assert texts(log) == [f'[2,"m{n}","Heartbeat",{{}}]' for n in (7, 8, 9, 10)]
    assert [direction for _, direction, _ in log.entries()] == ["out", "in", "out", "in"]
    assert [text for _, _, text in log.since(9)] == ['[2,"m9","Heartbeat",{}]', '[2,"m10","Heartbeat",{}]']
    log.resize(2)  # a charger that went offline keeps its last frames
    assert texts(log) == ['[2,"m9","Heartbeat",{}]', '[2,"m10","Heartbeat",{}]']
    log.resize(5)  # and it reconnected
    for n in range(11, 15):
        log.add(True, f'[2,"m{n}","Heartbeat",{{}}]')
    assert texts(log) == [f'[2,"m{n}","Heartbeat",{{}}]' for n in (10, 11, 12, 13, 14)]
    assert log.added == 15
    empty = FrameLog(0)
    empty.add(True, "[]")
    assert empty.entries() == [] and empty.added == 1
