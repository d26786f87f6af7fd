"""The add-on's event listeners are subscribed by the event types they act on: the steady stream of meter
updates (CONNECTOR_UPDATED at every MeterValues) reaches only those that need it (issue 15's throughput)."""

from __future__ import annotations

from pathlib import Path

from ocpp_core_app.app import build_central
from ocpp_core_app.central_import import csms
from ocpp_core_app.options import parse
from ocpp_core_app.store import SqliteStore


async def test_only_the_journal_hears_every_event(tmp_path: Path) -> None:
    options = parse(["--data-dir", str(tmp_path), "--ocpp-port", "39999"], {})
    store = SqliteStore(options.database_path)
    await store.open()
    try:
        central, journal, _ = build_central(options, store, await store.open_journal())
        bus = central.events
        assert bus._everything == [journal.on_event]  # what the bus calls for every event
        meter_update = [
            getattr(listener, "__qualname__", "") for listener in bus._by_type.get(csms.EventType.CONNECTOR_UPDATED, [])
        ]
        # the session charts' samples (and csms's own pricing); not the log lines, message log or payments
        assert "SessionSamples.on_event" in meter_update
        assert not any(name.startswith(("log_event", "MessageLog", "PaymentFlow")) for name in meter_update)
    finally:
        await store.close()
