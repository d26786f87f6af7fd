"""The codec and validation layers on the values the fuzzer found: each is a clear error, never a traceback."""

from __future__ import annotations

import json
import logging

import pytest

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.rpc_types import OcppError, OcppVersion
from custom_components.ocpp_core.csms.validation import SchemaRegistry

from .helpers import RawCharger


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
