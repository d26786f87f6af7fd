"""Real OCPP actions with hostile values, against the central system alone, next to a charging session.

The fuzzer (support/fuzz_schema.py, support/fuzz_run.py) takes every action a charger may send,
as real chargers sent it and as built from its schema, and turns one to three
of its values hostile: integers at and beyond 2^31, 2^53, 2^63, 2^64, numbers
and numeric strings of 5,000 digits, lone surrogates, calendar-end timestamps,
long lists.  In strict and in lenient mode each frame must get one well-formed
answer (never InternalError), no step of the event loop may take more than
50 ms of its thread's CPU (garbage collections aside; scaled to a slower
machine's speed), the well-behaved charger on the other connection gets every
answer within 300 ms, nothing is logged at ERROR, and the state can still be saved.

Bounded and seeded: FUZZ_EXAMPLES frames per version and mode (default 150, a
few seconds in all); FUZZ_SEED picks another sequence.
"""

from __future__ import annotations

import logging
import os

import pytest

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence

from .support.fuzz_limits import MAX_ANSWER_S, SEED, charger_actions, machine_speed, max_step_s
from .support.fuzz_run import fuzz_next_to_a_session

FRAMES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
MAX_FRAME = 65536


@pytest.fixture
def central_config(request: pytest.FixtureRequest) -> CentralSystemConfig:
    # the fuzzer sends as fast as it gets answers: the message rate limit is not what is tested here
    return CentralSystemConfig(
        host="127.0.0.1",
        port=0,
        call_timeout=5.0,
        lenient=request.param == "lenient",
        max_frame_size=MAX_FRAME,
        max_message_rate=100_000,
        max_message_burst=100_000,
    )


@pytest.mark.parametrize("central_config", ["strict", "lenient"], indirect=True)
@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
async def test_hostile_values_next_to_a_charging_session(
    central: CentralSystem,
    persistence: MemoryPersistence,
    version: str,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
) -> None:
    caplog.set_level(logging.WARNING)
    url = f"ws://127.0.0.1:{central.port}"
    actions = charger_actions(central, version)
    result = await fuzz_next_to_a_session(url, version, actions, SEED, FRAMES, MAX_FRAME - 100)

    print(
        f"\n{version} {request.node.callspec.id}: {result.answers} worst step {result.steps.worst * 1000:.1f} ms, worst answer {result.worst_answer[0] * 1000:.1f} ms ({result.worst_answer[1]})"
    )
    assert result.steps.worst <= max_step_s(), (result.steps.longest, result.steps.gc_worst, machine_speed())
    assert result.worst_answer[0] <= MAX_ANSWER_S, result.worst_answer
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [(r.getMessage()[:500], r.exc_text) for r in errors[:5]]
    # the good charger's session is there, whole
    ended = [t for t in central.transactions(f"good-{version}") if not t["open"]]
    assert len(ended) == 1 and ended[0]["energy_wh"] and ended[0]["energy_wh"] > 0, ended
    # and everything the hostile charger left behind can be stored
    await central.state.store.save_now()
    assert persistence.saved is not None
