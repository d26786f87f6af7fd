"""`python -m sim` (run_forever) told its tag is refused stops its session as a real charger does: 1.6
StopTransaction reason DeAuthorized after a non-Accepted StartTransaction idTagInfo, 2.x TransactionEvent Ended
stoppedReason DeAuthorized after a non-Accepted idTokenInfo, and it does not charge on nor start again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.config import CentralSystemConfig
from custom_components.ocpp_core.csms.model.events import Event, EventType
from custom_components.ocpp_core.csms.state.persistence import MemoryPersistence
from sim import charger16, charger201

from .support.helpers import wait_for

CP = "sim-refused"


def _run_forever(version: str, url: str) -> Coroutine[Any, Any, None]:
    if version == "1.6":
        return charger16.run_forever(url, CP, 1, interval=0.05, retry_delay=0.05)
    return charger201.run_forever(url, CP, version, 1, interval=0.05, retry_delay=0.05)


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
async def test_the_simulator_stops_a_session_whose_tag_is_refused(
    version: str, caplog: pytest.LogCaptureFixture
) -> None:
    central = CentralSystem(
        CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, heartbeat_interval=60), MemoryPersistence()
    )
    central.state.authorization.policy.accept_unknown = False  # as Home Assistant's default tag policy
    events: list[Event] = []
    central.events.subscribe(events.append)
    await central.start()
    charger = asyncio.create_task(_run_forever(version, f"ws://127.0.0.1:{central.port}"))
    try:
        await wait_for(lambda: charger.done() or any(e.type is EventType.TRANSACTION_ENDED for e in events))
        if charger.done():
            charger.result()  # its error, if it died
        ended = next(e for e in events if e.type is EventType.TRANSACTION_ENDED)
        assert ended.data["stop_reason"] == "DeAuthorized"
        await asyncio.sleep(0.5)  # ten meter intervals: nothing more is started
        assert sum(e.type is EventType.TRANSACTION_STARTED for e in events) == 1
        assert central.stations[CP].connectors[1].transaction is None
        assert not charger.done()
        assert "refused the tag SIM-TAG-1 (Invalid)" in caplog.text
    finally:
        charger.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await charger
        await central.stop()
