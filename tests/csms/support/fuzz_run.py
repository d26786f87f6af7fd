"""Runs the schema-aware fuzzer against a live central system while a well-behaved charger charges.

Three things are measured while the hostile frames go in:
- every step of the event loop, in CPU time of the loop's thread less the garbage collector's pauses in it
  (`LoopSteps`): what a frame costs the loop, unaffected by the other processes of a loaded machine taking the CPU
  away, and by a collection of the whole process's heap that happens to start in that step;
- every answer the well-behaved charger gets, in wall time (`GoodCharger`);
- every answer the hostile charger gets: exactly one per frame, a CALLRESULT or a CALLERROR with a code of the
  version (`HostileCharger`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from .fuzz_schema import HostileFrames

SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}
BOOT = {
    "1.6": {"chargePointVendor": "Fuzz", "chargePointModel": "F1"},
    "2.0.1": {"reason": "PowerUp", "chargingStation": {"model": "F1", "vendorName": "Fuzz"}},
}
BOOT["2.1"] = BOOT["2.0.1"]
ERROR_CODES_16 = {
    "FormationViolation", "ProtocolError", "NotImplemented", "NotSupported", "InternalError",
    "TypeConstraintViolation", "PropertyConstraintViolation", "OccurenceConstraintViolation",
    "SecurityError", "GenericError",
}  # fmt: skip
ERROR_CODES_2 = {
    "RpcFrameworkError", "MessageTypeNotSupported", "FormatViolation", "NotImplemented", "NotSupported",
    "InternalError", "TypeConstraintViolation", "PropertyConstraintViolation", "OccurrenceConstraintViolation",
    "SecurityError", "GenericError", "ProtocolError",
}  # fmt: skip


@dataclass(slots=True)
class LoopSteps:
    """The CPU time of the longest event-loop steps (callbacks and task steps), with what ran."""

    longest: list[tuple[float, str]] = field(default_factory=list)
    gc_worst: float = 0.0  # the longest garbage collection, left out of the steps' times

    @property
    def worst(self) -> float:
        return max((t for t, _ in self.longest), default=0.0)

    def note(self, spent: float, handle: asyncio.Handle, what: str) -> None:
        if len(self.longest) < 5 or spent > self.longest[-1][0]:
            self.longest.append((spent, what))
            self.longest.sort(reverse=True)
            del self.longest[5:]


def _what(handle: asyncio.Handle) -> str:
    """What a step ran: the task's coroutine (and where it waits now), else the callback."""
    task = getattr(getattr(handle, "_callback", None), "__self__", None)
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        frame = getattr(coro, "cr_frame", None)
        where = f" at {frame.f_code.co_filename}:{frame.f_lineno}" if frame is not None else ""
        return f"{getattr(coro, '__qualname__', coro)}{where}"
    return repr(handle)[:300]


@contextmanager
def timed_loop_steps() -> Iterator[LoopSteps]:
    """Time every step the (pure Python) asyncio event loop runs, in thread CPU time less garbage collection.

    A collection's pause is the size of everything the process holds (Home Assistant's test harness and all),
    not what the step did: 32-37 ms of them were seen inside Home Assistant on a slow machine. The steps are
    held to their own work; the collections are left out, and their longest is kept in `LoopSteps.gc_worst`.
    """
    steps = LoopSteps()
    original = asyncio.Handle._run
    clock = time.thread_time
    loop_thread = threading.get_ident()  # a collection in another thread (the recorder's) is not the loop's
    collecting: list[float] = []  # the start of a collection running in the loop's thread
    in_step = [0.0]  # the collections' time within the current step

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if threading.get_ident() != loop_thread:
            return
        if phase == "start":
            collecting.append(clock())
        elif collecting:
            spent = clock() - collecting.pop()
            in_step[0] += spent
            steps.gc_worst = max(steps.gc_worst, spent)

    def run(handle: asyncio.Handle) -> None:
        in_step[0] = 0.0
        start = clock()
        original(handle)
        spent = clock() - start - in_step[0]
        if spent > 0.0005:
            steps.note(spent, handle, _what(handle))

    asyncio.Handle._run = run  # type: ignore[method-assign]
    gc.callbacks.append(on_gc)
    try:
        yield steps
    finally:
        gc.callbacks.remove(on_gc)
        asyncio.Handle._run = original  # type: ignore[method-assign]


async def _answer_server_calls(ws: ClientConnection, frame: Any) -> bool:
    """A CALL of the central system (after a boot): refuse it, as a bare charger would; True when it was one."""
    if isinstance(frame, list) and frame and frame[0] == 2 and len(frame) > 1:
        await ws.send(json.dumps([4, frame[1], "NotImplemented", "fuzz charger", {}]))
        return True
    return False


class HostileCharger:
    """Sends each hostile frame and checks it gets exactly one well-formed answer; reconnects when closed."""

    def __init__(self, url: str, version: str, cp_id: str) -> None:
        self.url = f"{url}/{cp_id}"
        self.version = version
        self.codes = ERROR_CODES_16 if version == "1.6" else ERROR_CODES_2
        self.ws: ClientConnection | None = None
        self.answers: dict[str, int] = {}
        self.reconnects = 0

    async def open(self) -> None:
        self.ws = await websockets.connect(self.url, subprotocols=[SUBPROTOCOL[self.version]], max_size=None)  # type: ignore[list-item]
        await self.ws.send(json.dumps([2, "boot", "BootNotification", BOOT[self.version]]))
        await self._answer_to(("boot",))

    async def _answer_to(self, ids: tuple[str, ...]) -> list[Any]:
        assert self.ws is not None
        async with asyncio.timeout(10):
            while True:
                frame = json.loads(await self.ws.recv())
                if await _answer_server_calls(self.ws, frame):
                    continue
                assert isinstance(frame, list) and len(frame) >= 3, frame
                assert frame[1] in ids, (ids, frame)
                return frame

    async def throw(self, hostile: Any) -> None:
        assert self.ws is not None
        try:
            await self.ws.send(hostile.text)
            if hostile.unanswered:
                # nothing comes back, not even an error: the next answer is the Heartbeat's
                # (unless it is no JSON: then nobody can know it was a SEND, and it is answered as "-1")
                sentinel = f"after-{hostile.message_id}"
                await self.ws.send(json.dumps([2, sentinel, "Heartbeat", {}]))
                answer = await self._answer_to((sentinel, "-1"))
                if answer[1] == "-1":
                    assert answer[2] == "RpcFrameworkError", (hostile.what, answer)
                    await self._answer_to((sentinel,))
                self.answers["SEND"] = self.answers.get("SEND", 0) + 1
                return
            # an id the JSON parser cannot reach (a lone surrogate makes the frame not JSON) is answered as "-1"
            answer = await self._answer_to((hostile.message_id, "-1"))
        except websockets.ConnectionClosed as closed:
            # closing is the answer to a limit broken (frame size, message rate), never to a value
            code = closed.rcvd.code if closed.rcvd is not None else None
            if code not in (1008, 1009):
                raise AssertionError((hostile.what, closed)) from closed
            self.reconnects += 1
            await self.open()
            return
        if answer[0] == 3:
            assert len(answer) == 3 and isinstance(answer[2], dict), (hostile.what, answer)
            kind = "CALLRESULT"
        else:
            assert answer[0] == 4 and len(answer) == 5, (hostile.what, answer)
            assert answer[2] in self.codes, (hostile.what, answer)
            assert isinstance(answer[3], str) and isinstance(answer[4], dict), (hostile.what, answer)
            assert answer[2] != "InternalError", (hostile.what, hostile.text[:600], answer)
            kind = answer[2]
        self.answers[kind] = self.answers.get(kind, 0) + 1

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


class GoodCharger:
    """A charger that does everything right: boots, starts a session, sends meter values until told to stop,
    ends the session; every answer it gets is timed."""

    def __init__(self, url: str, version: str, cp_id: str) -> None:
        self.url = f"{url}/{cp_id}"
        self.version = version
        self.ws: ClientConnection | None = None
        self.waits: list[tuple[float, str]] = []
        self._ids = 0
        self._seq = 0
        self._energy = 1000.0

    @property
    def worst(self) -> tuple[float, str]:
        return max(self.waits, default=(0.0, ""))

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        assert self.ws is not None
        self._ids += 1
        message_id = f"good-{self._ids}"
        start = time.perf_counter()
        await self.ws.send(json.dumps([2, message_id, action, payload]))
        async with asyncio.timeout(10):
            while True:
                frame = json.loads(await self.ws.recv())
                if await _answer_server_calls(self.ws, frame):
                    continue
                break
        self.waits.append((time.perf_counter() - start, action))
        assert frame[:2] == [3, message_id], frame
        answer: dict[str, Any] = frame[2]
        return answer

    async def run(self, fuzzing: asyncio.Event) -> None:
        """The whole session; meter values every 20 ms while `fuzzing` is set."""
        self.ws = await websockets.connect(self.url, subprotocols=[SUBPROTOCOL[self.version]])  # type: ignore[list-item]
        try:
            await self.call("BootNotification", BOOT[self.version])
            if self.version == "1.6":
                await self._session16(fuzzing)
            else:
                await self._session2(fuzzing)
        finally:
            await self.ws.close()

    def _now(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    async def _session16(self, fuzzing: asyncio.Event) -> None:
        await self.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Preparing"})
        started = await self.call(
            "StartTransaction", {"connectorId": 1, "idTag": "GOOD", "meterStart": 1000, "timestamp": self._now()}
        )
        tx = started["transactionId"]
        while fuzzing.is_set():
            self._energy += 10
            await self.call(
                "MeterValues",
                {
                    "connectorId": 1,
                    "transactionId": tx,
                    "meterValue": [
                        {
                            "timestamp": self._now(),
                            "sampledValue": [
                                {"value": f"{self._energy:.0f}", "measurand": "Energy.Active.Import.Register"},
                                {"value": "11000", "measurand": "Power.Active.Import", "unit": "W"},
                            ],
                        }
                    ],
                },
            )
            await self.call("Heartbeat", {})
            await asyncio.sleep(0.02)
        await self.call(
            "StopTransaction", {"transactionId": tx, "meterStop": int(self._energy) + 10, "timestamp": self._now()}
        )

    def _event(self, event: str, trigger: str, context: str) -> dict[str, Any]:
        self._energy += 10
        self._seq += 1
        return {
            "eventType": event,
            "timestamp": self._now(),
            "triggerReason": trigger,
            "seqNo": self._seq,
            "transactionInfo": {"transactionId": "GOOD-TX"},
            "evse": {"id": 1, "connectorId": 1},
            "meterValue": [
                {
                    "timestamp": self._now(),
                    "sampledValue": [
                        {"value": self._energy, "measurand": "Energy.Active.Import.Register", "context": context},
                        {"value": 11000.0, "measurand": "Power.Active.Import", "context": context},
                    ],
                }
            ],
        }

    async def _session2(self, fuzzing: asyncio.Event) -> None:
        await self.call(
            "StatusNotification",
            {"timestamp": self._now(), "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1},
        )
        await self.call("TransactionEvent", self._event("Started", "CablePluggedIn", "Transaction.Begin"))
        while fuzzing.is_set():
            await self.call("TransactionEvent", self._event("Updated", "MeterValuePeriodic", "Sample.Periodic"))
            await self.call("Heartbeat", {})
            await asyncio.sleep(0.02)
        await self.call("TransactionEvent", self._event("Ended", "EVCommunicationLost", "Transaction.End"))


@dataclass(slots=True)
class FuzzResult:
    frames: int
    answers: dict[str, int]
    reconnects: int
    worst_answer: tuple[float, str]
    steps: LoopSteps


async def fuzz_next_to_a_session(
    url: str,
    version: str,
    actions: list[str],
    seed: int,
    frames: int,
    max_chars: int,
    on_frame: Callable[[Any], None] | None = None,
) -> FuzzResult:
    """Throw `frames` hostile frames at one connection while a good charger runs a session on another."""
    # drawn before the clock runs: what is timed is the central system's work, not the fuzzer's
    drawn = HostileFrames(version, actions, random.Random(seed), max_chars)
    hostile = [drawn.draw() for _ in range(frames)]
    fuzzer = HostileCharger(url, version, f"fuzz-{version}")
    good = GoodCharger(url, version, f"good-{version}")
    fuzzing = asyncio.Event()
    fuzzing.set()
    await fuzzer.open()
    with timed_loop_steps() as steps:
        session = asyncio.create_task(good.run(fuzzing))
        try:
            for frame in hostile:
                if on_frame is not None:
                    on_frame(frame)
                await fuzzer.throw(frame)
                if session.done():
                    break
        finally:
            fuzzing.clear()
            await asyncio.wait_for(session, 15)
            await fuzzer.close()
    return FuzzResult(frames, fuzzer.answers, fuzzer.reconnects, good.worst, steps)
