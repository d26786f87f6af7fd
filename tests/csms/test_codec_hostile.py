"""The codec and validation layers on the values the fuzzer found: each is a clear error, never a traceback."""

from __future__ import annotations

import contextlib
import time

import pytest

from custom_components.ocpp_core.csms.rpc_types import OcppError, OcppVersion
from custom_components.ocpp_core.csms.validation import SchemaRegistry


@pytest.mark.parametrize("lenient", [False, True])
def test_a_21_send_message_is_checked_against_its_schema(lenient: bool) -> None:
    """NotifyPeriodicEventStream's schema is named without "Request": it was not found, the payload went
    to the handler unchecked (a missing id raised KeyError there)."""
    schemas = SchemaRegistry().load_blocking(OcppVersion.V21)
    assert schemas.has_action("NotifyPeriodicEventStream")
    good = {"id": 1, "pending": 0, "basetime": "2026-03-01T12:00:00Z", "data": [{"t": 0.5, "v": "230"}]}
    assert schemas.validate("NotifyPeriodicEventStream", good, response=False, lenient_mode=lenient) == good
    with pytest.raises(OcppError):
        schemas.validate("NotifyPeriodicEventStream", {"pending": 0}, response=False, lenient_mode=lenient)


def test_no_schema_takes_long_to_compile_on_first_use() -> None:
    """The first message of an action compiles its validators on the event loop: fastjsonschema took up to
    60 ms of CPU for one 2.1 schema's relaxed (lenient) validator (2.0.1: 25 ms); msgspec takes 5 at most."""
    for version in OcppVersion:
        schemas = SchemaRegistry().load_blocking(version)
        worst = 0.0
        for action in sorted(n.removesuffix(".json").removesuffix("Request") for n in schemas._schemas):
            if action.endswith("Response"):
                continue
            start = time.thread_time()
            with contextlib.suppress(OcppError):  # a payload that needs the relaxed validator compiled
                schemas.validate(action, {"customData": 1}, response=False, lenient_mode=True)
            worst = max(worst, time.thread_time() - start)
        assert worst < 0.015, (version, worst)
