"""Hostile input against a live server, next to a charger that is charging.

Hypothesis throws malformed, oversized, truncated, deeply nested and
type-confused frames at one connection while a simulated charger runs a whole
charging session on another.  Each hostile frame must get exactly one
well-formed CALLERROR (an oversized one: the connection closed with 1009),
the server must keep serving, and the charging session must be recorded.

Every hostile frame is followed by a Heartbeat (the "sentinel"): what comes
back before the Heartbeat's answer is what the hostile frame got.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig
from sim import charger16, charger201

from .support.helpers import wait_for

MAX_FRAME = 8192
VERSIONS = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}
BOOT = {
    "1.6": {"chargePointVendor": "Fuzz", "chargePointModel": "F1"},
    "2.0.1": {"reason": "PowerUp", "chargingStation": {"model": "F1", "vendorName": "Fuzz"}},
}
CALL_ERROR_CODES = {
    "1.6": {
        "FormationViolation",
        "ProtocolError",
        "NotImplemented",
        "NotSupported",
        "InternalError",
        "TypeConstraintViolation",
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",
        "SecurityError",
        "GenericError",
    },
    "2.0.1": {
        "RpcFrameworkError",
        "MessageTypeNotSupported",
        "FormatViolation",
        "NotImplemented",
        "NotSupported",
        "InternalError",
        "TypeConstraintViolation",
        "PropertyConstraintViolation",
        "OccurrenceConstraintViolation",
        "SecurityError",
        "GenericError",
        "ProtocolError",
    },
}

# values of the wrong JSON type for any position of a frame
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20)
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_message_ids = st.text(min_size=1, max_size=36)
# a message type that is not CALL, CALLRESULT nor CALLERROR (those two get no answer when unsolicited)
_bad_types = _json.filter(lambda v: not (isinstance(v, (int, float)) and not isinstance(v, bool) and v in (2, 3, 4)))


@st.composite
def _type_confused(draw: st.DrawFn, version: str) -> tuple[str, tuple[str, ...]]:
    """A CALL with one element of the wrong type; returns (frame, the message id the error must carry)."""
    message_id = draw(_message_ids)
    frame: list[Any] = [2, message_id, "BootNotification", dict(BOOT[version])]
    position = draw(st.sampled_from(["type", "id", "action", "payload", "field", "length"]))
    expected = message_id
    if position == "type":
        frame[0] = draw(_bad_types)
    elif position == "id":
        frame[1] = draw(_json.filter(lambda v: not isinstance(v, str)))
        expected = "-1"
    elif position == "action":
        frame[2] = draw(_json.filter(lambda v: not isinstance(v, str)))
    elif position == "payload":
        frame[3] = draw(_json.filter(lambda v: not isinstance(v, dict)))
    elif position == "field":
        field = "chargePointVendor" if version == "1.6" else "chargingStation"
        wrong = st.none() | st.booleans() | st.integers() | st.lists(_scalars, max_size=3)
        frame[3] = {**frame[3], field: draw(wrong)}
    else:
        frame = frame[: draw(st.integers(min_value=2, max_value=3))] + draw(st.lists(_json, max_size=2))
        if len(frame) == 4 and isinstance(frame[2], str) and isinstance(frame[3], dict):
            frame[3] = []
    return json.dumps(frame), (expected,)


def _nested(depth: int, version: str, message_id: str) -> str:
    field = "chargePointVendor" if version == "1.6" else "reason"
    payload = dict(BOOT[version])
    return json.dumps([2, message_id, "BootNotification", payload]).replace(
        json.dumps(payload[field]), "[" * depth + "]" * depth, 1
    )


@st.composite
def hostile_frame(draw: st.DrawFn, version: str) -> tuple[str | bytes, tuple[str, ...] | None]:
    """(frame, the message ids its CALLERROR may carry; None: the frame is too big and closes the connection)."""
    kind = draw(st.sampled_from(["garbage", "binary", "oversized", "truncated", "nested", "type"]))
    if kind == "garbage":
        text = draw(st.text(max_size=200).filter(lambda t: not t.lstrip().startswith("[")))
        return text, ("-1",)
    if kind == "binary":
        return draw(st.binary(max_size=200).filter(lambda b: not b.lstrip().startswith(b"["))), ("-1",)
    if kind == "oversized":
        return "[2," + '"' + "x" * draw(st.integers(MAX_FRAME, 2 * MAX_FRAME)) + '"]', None
    if kind == "truncated":
        message_id = draw(_message_ids)
        whole = json.dumps([2, message_id, "BootNotification", BOOT[version]])
        cut = draw(st.integers(1, len(whole) - 1))
        return whole[:cut], ("-1",)
    if kind == "nested":
        depth = draw(st.integers(50, 3000))
        nested_in_payload = draw(st.booleans())
        message_id = draw(_message_ids)
        if nested_in_payload:
            # nested deeper than the JSON parser goes (orjson: 1024 levels) is not JSON: no id to answer to
            return _nested(depth, version, message_id), (message_id, "-1") if depth > 1000 else (message_id,)
        return "[" * depth + "]" * depth, ("-1",)
    return draw(_type_confused(version))


@pytest.fixture
def central_config() -> CentralSystemConfig:
    # strict: a payload of the wrong type is an error, not a quirk to tolerate
    return CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, lenient=False, max_frame_size=MAX_FRAME)


class _Fuzzer:
    """One hostile connection; it reconnects after a frame that closed it."""

    def __init__(self, url: str, version: str) -> None:
        self.url = f"{url}/fuzz-{version}"
        self.version = version
        self.ws: Any = None
        self.sentinels = 0

    async def open(self) -> None:
        self.ws = await websockets.connect(self.url, subprotocols=[VERSIONS[self.version]], max_size=None)  # type: ignore[list-item]

    async def throw(self, frame: str | bytes, expected_ids: tuple[str, ...] | None) -> None:
        await self.ws.send(frame)
        if expected_ids is None:  # too big: this connection is closed, nothing else
            with pytest.raises(websockets.ConnectionClosed) as closed:
                async with asyncio.timeout(5):
                    await self.ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
            await self.open()
            return
        self.sentinels += 1
        sentinel = f"sentinel-{self.sentinels}"
        await self.ws.send(json.dumps([2, sentinel, "Heartbeat", {}]))
        replies = []
        async with asyncio.timeout(5):
            while True:
                reply = json.loads(await self.ws.recv())
                if isinstance(reply, list) and reply[:2] == [3, sentinel]:
                    break
                if reply[0] == 2:  # a call of the central system (none expected before a boot): refuse it
                    await self.ws.send(json.dumps([4, reply[1], "NotImplemented", "", {}]))
                    continue
                replies.append(reply)
        assert len(replies) == 1, (frame[:200], replies)
        error = replies[0]
        assert len(error) == 5, error
        assert error[0] == 4
        assert error[1] in expected_ids, (frame[:200], error)
        assert error[2] in CALL_ERROR_CODES[self.version], error
        assert isinstance(error[3], str) and isinstance(error[4], dict)


async def _charging_session(central: CentralSystem, url: str, version: str, cp_id: str) -> None:
    """A whole session on its own connection: boot, start, meter values, stop."""
    if version == "1.6":
        cp, task, ws = await charger16.connect(url, cp_id)
        await cp.boot()
        await cp.start_transaction(1, "TAG-1")
        cp.sim.connectors[1].power_w = 11_000
        for _ in range(3):
            await cp.send_meter_values(1, 60)
        await cp.stop_transaction(1)
        await ws.close()
        task.cancel()
    else:
        station = await charger201.connect(url, cp_id, version)
        await station.boot()
        await station.start_transaction(1)
        for _ in range(3):
            await station.update_transaction(1, 60)
        await station.stop_transaction(1)
        await station.close()


def _ended(central: CentralSystem, cp_id: str) -> int:
    return sum(1 for t in central.transactions(cp_id) if not t["open"])


@pytest.mark.parametrize("version", list(VERSIONS))
@settings(
    # bounded for the normal test run; FUZZ_EXAMPLES=500 for a long one
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_hostile_frames_next_to_a_charging_session(
    central: CentralSystem, version: str, data: st.DataObject
) -> None:
    url = f"ws://127.0.0.1:{central.port}"
    frames = data.draw(st.lists(hostile_frame(version), min_size=1, max_size=12), label="frames")
    cp_id = f"normal-{version}"
    ended_before = _ended(central, cp_id)
    fuzzer = _Fuzzer(url, version)
    await fuzzer.open()

    async def fuzz() -> None:
        for frame, expected in frames:
            await fuzzer.throw(frame, expected)

    await asyncio.gather(fuzz(), _charging_session(central, url, version, cp_id))
    await fuzzer.ws.close()
    # the session on the other connection is there, whole
    await wait_for(lambda: _ended(central, cp_id) == ended_before + 1)
    last = [t for t in central.transactions(cp_id) if not t["open"]][-1]
    assert last["energy_wh"] is not None and last["energy_wh"] > 0
    # and the server still takes new chargers
    async with websockets.connect(f"{url}/after-{version}", subprotocols=[VERSIONS[version]]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps([2, "b", "BootNotification", BOOT[version]]))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))[0] == 3
