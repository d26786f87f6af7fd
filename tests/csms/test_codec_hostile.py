"""The codec and validation layers on the values the fuzzer found: each is a clear error, never a traceback."""

from __future__ import annotations

import contextlib
import logging

import pytest

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.rpc import codec as jsoncodec
from custom_components.ocpp_core.csms.rpc.types import OcppError, OcppVersion
from custom_components.ocpp_core.csms.rpc.validation import SchemaRegistry

from .support.helpers import RawCharger


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


@pytest.mark.parametrize("version", list(OcppVersion))
def test_every_relaxed_validator_compiles_and_answers_a_clear_error(version: OcppVersion) -> None:
    """The first message of an action compiles its validators on the event loop: each request schema's
    relaxed (lenient) one compiles and a wrong payload is an OcppError, never a traceback. How long a
    compile takes is a figure of `python -m bench.schema_compile` (a timing here failed on a slower CI)."""
    schemas = SchemaRegistry().load_blocking(version)
    actions = sorted(n.removesuffix(".json").removesuffix("Request") for n in schemas._schemas)
    requests = [action for action in actions if not action.endswith("Response")]
    assert len(requests) > 20
    for action in requests:
        with contextlib.suppress(OcppError):  # a payload that needs the relaxed validator compiled
            schemas.validate(action, {"customData": 1}, response=False, lenient_mode=True)


@pytest.fixture(params=["orjson", "stdlib"])
def codec(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both JSON back ends: orjson (Home Assistant) and the stdlib one (python -m csms without orjson)."""
    if request.param == "stdlib":
        monkeypatch.setattr(jsoncodec, "orjson", None)
    return str(request.param)


@pytest.mark.parametrize(
    "text",
    ['"\\ud800"', '["x\\udfffy"]', '{"a": "\\udc00\\ud800"}', "1e400", "-1e400", "9" * 5000, "NaN", "Infinity"],
)
def test_hostile_json_is_not_json_with_either_codec(codec: str, text: str) -> None:
    with pytest.raises(ValueError):
        jsoncodec.loads(text)
    with pytest.raises(ValueError):
        jsoncodec.loads(text.encode())


def test_both_codecs_read_what_real_chargers_send_alike(codec: str) -> None:
    assert jsoncodec.loads('["\\ud83d\\ude00 \\\\ud800", 2.5]') == ["\U0001f600 \\ud800", 2.5]
    assert jsoncodec.loads(str(2**64 - 1)) == 2**64 - 1
    assert jsoncodec.loads(str(2**64 + 1)) == float(2**64)
    assert jsoncodec.loads(str(-(2**63) - 1)) == -float(2**63)


@pytest.mark.parametrize("version", ["ocpp1.6", "ocpp2.0.1"])
async def test_a_lone_surrogate_is_a_format_violation_not_a_traceback(
    central: CentralSystem, codec: str, version: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A message id (or any string) with a lone surrogate: the stdlib codec took it, and the answer carrying
    the id could not be sent (UnicodeEncodeError: the connection handler failed, with a traceback)."""
    charger = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "surrogate", [version])
    try:
        for frame in ('[2, "\\ud800", "Heartbeat", {}]', '[2, "s2", "Heartbeat", {"x": "a\\udfff"}]'):
            answer = await charger.send_raw(frame)
            assert answer == [4, "-1", "FormationViolation" if version == "ocpp1.6" else "RpcFrameworkError",
                              "Frame is not valid JSON", {}]  # fmt: skip
        assert (await charger.call("Heartbeat", {}, "after"))[:2] == [3, "after"]
    finally:
        await charger.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
