"""Per-charger limits: frame size, message rate, pending calls; breaking one closes that charger only."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
import websockets

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig
from custom_components.ocpp_core.csms.v16.adapter import V16Adapter
from custom_components.ocpp_core.csms.v201.adapter import V201Adapter

from .support.helpers import BOOT, RawCharger, wait_for

PROTOCOLS = {"1.6": ["ocpp1.6"], "2.0.1": ["ocpp2.0.1"]}


@pytest.fixture
def central_config() -> CentralSystemConfig:
    return CentralSystemConfig(
        host="127.0.0.1",
        port=0,
        call_timeout=5.0,
        max_frame_size=2048,
        max_message_rate=5.0,
        max_message_burst=10,
        max_pending_calls=2,
    )


async def _bystander(url: str, version: str) -> RawCharger:
    """Another charger, connected and answering, that must not notice."""
    charger = await RawCharger.connect(url, f"bystander-{version}", PROTOCOLS[version])
    assert (await charger.call("Heartbeat", {}))[0] == 3
    return charger


async def _close_code(charger: RawCharger) -> int | None:
    """Wait for the server to close the connection; its close code."""
    async with asyncio.timeout(5):
        try:
            while True:
                await charger.ws.recv()
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None


async def _still_served(central: CentralSystem, url: str, bystander: RawCharger, version: str) -> None:
    assert (await bystander.call("Heartbeat", {}, message_id="after"))[0] == 3
    late = await RawCharger.connect(url, f"late-{version}", PROTOCOLS[version])
    assert (await late.call("Heartbeat", {}))[0] == 3
    await late.close()
    await bystander.close()


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_frame_over_the_size_limit_closes_that_charger(
    central: CentralSystem, url: str, version: str, caplog: pytest.LogCaptureFixture
) -> None:
    bystander = await _bystander(url, version)
    charger = await RawCharger.connect(url, "too-big", PROTOCOLS[version])
    assert (await charger.call("Heartbeat", {}))[0] == 3  # frames under the limit are fine
    await charger.ws.send(json.dumps([2, "big", "DataTransfer", {"vendorId": "x", "data": "y" * 4096}]))
    assert await _close_code(charger) == 1009
    await wait_for(
        lambda: "too-big: closed its connection: it sent a frame larger than 2048 bytes (max_frame_size)" in caplog.text
    )
    await wait_for(lambda: not central.is_connected("too-big"))
    await _still_served(central, url, bystander, version)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_too_many_messages_per_second_close_that_charger(
    central: CentralSystem, url: str, version: str, caplog: pytest.LogCaptureFixture
) -> None:
    bystander = await _bystander(url, version)
    charger = await RawCharger.connect(url, "chatty", PROTOCOLS[version])
    for n in range(40):  # a burst of 10 is allowed, 5 per second after it: 40 at once are not
        try:
            await charger.ws.send(json.dumps([2, f"hb{n}", "Heartbeat", {}]))
        except websockets.ConnectionClosed:
            break
    assert await _close_code(charger) == 1008
    await wait_for(
        lambda: "chatty: closing its connection: more than 5 messages per second (bursts of 10)" in caplog.text
    )
    await _still_served(central, url, bystander, version)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_too_many_pending_calls_close_that_charger(
    central: CentralSystem, url: str, version: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Calls we are still working on (here: DataTransfer waiting for something) count; a third one is too many."""
    release = asyncio.Event()
    adapter: Any = V16Adapter if version == "1.6" else V201Adapter
    original = adapter.on_data_transfer

    async def slow(self: Any, payload: dict[str, Any]) -> dict[str, Any]:
        await release.wait()
        return dict(original(self, payload))

    monkeypatch.setattr(adapter, "on_data_transfer", slow)
    bystander = await _bystander(url, version)
    charger = await RawCharger.connect(url, "piling-up", PROTOCOLS[version])
    for n in range(3):
        await charger.ws.send(json.dumps([2, f"dt{n}", "DataTransfer", {"vendorId": "x"}]))
    assert await _close_code(charger) == 1008
    await wait_for(lambda: "piling-up: closing its connection: more than 2 calls pending at once" in caplog.text)
    release.set()
    await _still_served(central, url, bystander, version)


async def test_within_the_limits_nothing_is_closed(central: CentralSystem, url: str) -> None:
    charger = await RawCharger.connect(url, "calm")
    assert (await charger.call("BootNotification", BOOT))[0] == 3
    for n in range(8):  # within the burst
        assert (await charger.call("Heartbeat", {}, message_id=f"hb{n}"))[0] == 3
    assert central.is_connected("calm")
    await charger.close()


def test_the_limits_default_to_sensible_values() -> None:
    config = CentralSystemConfig()
    assert config.max_frame_size == 64 * 1024
    assert config.max_message_rate > 0 and config.max_message_burst >= config.max_message_rate
    assert config.max_pending_calls >= 1
    logging.getLogger(__name__).debug("defaults: %s", config)
