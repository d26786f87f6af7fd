"""What is not a WebSocket handshake (a port scan, a probe, a request cut short, TLS on the plain port) ends
without an error or a traceback in the log: one INFO line per address and reason, at most ten a minute, and
the server goes on accepting chargers."""

from __future__ import annotations

import asyncio
import logging

import pytest

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.rpc.loglimit import LogLimiter
from custom_components.ocpp_core.csms.transport.handshake_failures import FailedHandshakes

from .support.helpers import BOOT, RawCharger, only_with_known_websockets

NOT_HANDSHAKES = [
    b"POST /cp1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"GET /cp1 HTTP/1.0\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(40),  # a TLS ClientHello's start
    b"SSH-2.0-OpenSSH_9.2\r\n",
    b"GET /cp1 HTTP/1.1\r\nHost: x",  # cut short
    b"",  # connected and closed
]


@pytest.fixture(autouse=True)
def _lines_a_minute_afresh() -> None:
    """Every test from 127.0.0.1 starts with its ten lines a minute."""
    for log_filter in logging.getLogger("websockets.server").filters:
        if isinstance(log_filter, FailedHandshakes):
            log_filter.limiter = LogLimiter()


async def _send_and_close(port: int, data: bytes) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    if data.endswith(b"\r\n\r\n") or data.endswith(b"hello"):
        await asyncio.wait_for(reader.read(), 5)  # the server answers or closes
    writer.close()
    await writer.wait_closed()


async def _lines(caplog: pytest.LogCaptureFixture, port: int, attempts: list[bytes]) -> list[logging.LogRecord]:
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        for data in attempts:
            await _send_and_close(port, data)
        await asyncio.sleep(0.3)  # the server's side of each connection ends
    return [r for r in caplog.records if r.levelno > logging.DEBUG]


async def test_no_error_and_no_traceback(central: CentralSystem, caplog: pytest.LogCaptureFixture) -> None:
    records = await _lines(caplog, central.port, NOT_HANDSHAKES)
    assert [r for r in records if r.levelno >= logging.WARNING] == []
    assert [r for r in records if r.exc_info] == []
    charger = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "after-the-scan")
    assert (await charger.call("BootNotification", BOOT))[0] == 3
    await charger.close()


@only_with_known_websockets  # (websockets 17 logs these itself at INFO, with no reason given)
async def test_one_line_each_saying_why(central: CentralSystem, caplog: pytest.LogCaptureFixture) -> None:
    records = await _lines(caplog, central.port, NOT_HANDSHAKES)
    ours = [r.getMessage() for r in records if r.getMessage().startswith("Closed a connection")]
    assert len(ours) == len(NOT_HANDSHAKES), ours
    assert all(line.startswith("Closed a connection from 127.0.0.1 before its WebSocket handshake: ") for line in ours)
    assert "unsupported HTTP method; expected GET; got POST" in ours[0]
    assert "expected HTTP/1.1" in ours[1]
    assert "invalid HTTP request line: SSH-2.0-OpenSSH_9.2" in ours[3]
    assert ours[4].endswith("connection closed while reading HTTP headers")


@only_with_known_websockets
async def test_a_scan_is_ten_lines_a_minute(central: CentralSystem, caplog: pytest.LogCaptureFixture) -> None:
    records = await _lines(caplog, central.port, [b"SSH-2.0-scan\r\n"] * 25)
    ours = [r for r in records if r.getMessage().startswith("Closed a connection")]
    assert len(ours) == 10
