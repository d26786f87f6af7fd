"""What the add-on's central system holds per idle connected charger (issue 15: a thousand in < 100 MiB RSS):
csms on the SQLite store with the app's event journal, as build_central makes it, measured with tracemalloc
while the chargers run in a process of their own (tests/csms/support/idle_chargers.py)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from ocpp_core_app.app import build_central
from ocpp_core_app.options import parse
from ocpp_core_app.store import SqliteStore

from tests.csms.support.idle_chargers import idle_chargers
from tests.csms.test_memory import _held, _other_tasks, _settled, _start_tracing, debug_off, tracing

# before issue 15's round: 57.2 KiB per charger (csms's share as in tests/csms/test_memory.py, each event of the
# journal's ring kept as its record and its text); after: 29.7 KiB, of which ~8 KiB the journal's ring of the
# last 1,000 events (bounded, not per charger: at a thousand chargers it is ~1.6 KiB of each one's share)
IDLE_BATCH = 200
IDLE_KIB_PER_CHARGER = 36

__all__ = ["debug_off", "tracing"]  # the fixtures


@pytest.fixture
def quiet_app() -> Iterator[None]:
    """The app's and its csms' loggers at warning, as the add-on runs (pytest would keep every INFO record)."""
    loggers = [logging.getLogger(name) for name in ("csms", "ocpp_core_app")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    yield None
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_idle_charger_holds_little_in_the_app(
    tmp_path: Path, free_port: int, tracing: None, debug_off: None, quiet_app: None
) -> None:
    options = parse(["--data-dir", str(tmp_path), "--ocpp-port", str(free_port), "--max-stations", "1000"], {})
    store = SqliteStore(options.database_path)
    await store.open()
    central, _journal, _ = build_central(options, store, await store.open_journal())
    await central.load()
    await central.start()
    try:
        tasks = _other_tasks()
        async with idle_chargers(central.port, 0, 20):  # what every later charger shares is loaded
            await _settled(central, 20, tasks)
            await store.flush()
            before = _start_tracing()
            async with idle_chargers(central.port, 20, IDLE_BATCH):
                await _settled(central, 20 + IDLE_BATCH, tasks)
                await store.flush()  # what the store keeps of each charger, written
                grown = _held() - before
        per_charger = grown / IDLE_BATCH / 1024
        assert per_charger < IDLE_KIB_PER_CHARGER, f"{per_charger:.1f} KiB per idle charger"
    finally:
        await central.stop()
        await store.close()
