"""A charger's messages cannot flood the log: each kind of line at most LINES times a minute per charger,
then one line saying how many were suppressed (when the minute is over, or when the charger leaves)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig
from custom_components.ocpp_core.csms.rpc.loglimit import LINES, LogLimiter

from .support.helpers import RawCharger, wait_for

RPC_LOGGER = "custom_components.ocpp_core.csms.rpc.endpoint"


@pytest.fixture
def central_config() -> CentralSystemConfig:
    return CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, max_message_rate=0)


def _lines(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


async def test_a_charger_sending_bad_frames_gets_a_few_lines_then_a_count(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    charger = await RawCharger.connect(url, "garbler")
    bystander = await RawCharger.connect(url, "bystander")
    for n in range(300):
        assert (await charger.send_raw(f"not json {n}"))[0] == 4  # each still answered
    assert (await bystander.send_raw("not json either"))[0] == 4
    answered = _lines(caplog, "garbler: answering FormationViolation")
    assert len(answered) == LINES
    assert len(_lines(caplog, "bystander: answering FormationViolation")) == 1  # its own count
    await charger.close()
    await wait_for(lambda: _lines(caplog, "garbler: 290 more lines like this suppressed"))
    (summary,) = _lines(caplog, "more lines like this suppressed")
    assert "answering %s (%s) to frame" in summary  # which kind of line
    assert [r.levelno for r in caplog.records if r.getMessage() == summary] == [logging.WARNING]
    await bystander.close()


async def test_after_the_interval_the_count_then_lines_again(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    central.state.logs.interval = 0.5
    charger = await RawCharger.connect(url, "garbler")
    for n in range(LINES + 5):
        await charger.send_raw(f"bad {n}")
    await asyncio.sleep(0.6)
    await charger.send_raw("bad again")
    messages = [r.getMessage() for r in caplog.records if r.name == RPC_LOGGER]
    assert "garbler: 5 more lines like this suppressed" in messages[LINES]
    assert "bad again" in messages[LINES + 1]
    await charger.close()


async def test_the_connection_lines_of_a_charger_reconnecting_in_a_loop(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(LINES + 10):
        charger = await RawCharger.connect(url, "bouncer")
        await charger.close()
        await wait_for(lambda: not central.is_connected("bouncer"))
    assert len(_lines(caplog, "bouncer connected (ocpp1.6)")) == LINES
    assert len(_lines(caplog, "bouncer disconnected")) == LINES


def test_the_limiter_keeps_bounded_memory() -> None:
    limiter = LogLimiter()
    logger = logging.getLogger("test.loglimit")
    for n in range(5000):
        limiter.log(logger, logging.WARNING, f"id-{n}", "%s: something", f"id-{n}", key=f"kind-{n % 300}")
    assert len(limiter._peers) <= 2000
    assert all(len(kinds) <= 100 for kinds in limiter._peers.values())
