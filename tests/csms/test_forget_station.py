"""Forgetting a station (its device removed in HA) removes everything kept about it."""

from __future__ import annotations

import json

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence


async def test_forgetting_drops_password_limits_and_local_list() -> None:
    persistence = MemoryPersistence()
    central = CentralSystem(CentralSystemConfig(host="127.0.0.1", port=0), persistence)
    await central.state.load()
    for station_id in ("gone", "kept"):
        central.state.store.station(station_id)
        await central.credentials.set_password(station_id, "a-long-enough-password")
        await central.limits.set_limit(station_id, 0, amps=10)
    pushed = {"version": 3, "entries": []}
    central.local_lists._load({"pushed": {"gone": pushed, "kept": pushed}, "results": {"gone": {"status": "Accepted"}}})
    await central.state.store.save_now()
    assert "gone" in json.dumps(persistence.saved)

    assert await central.forget_station("gone")
    saved = json.dumps(persistence.saved)
    assert '"gone"' not in saved
    assert '"kept"' in saved
    assert not central.credentials.has_password("gone")
    assert central.credentials.has_password("kept")
    assert central.limits.get("gone", 0) is None
    assert central.limits.get("kept", 0) is not None
    assert central.local_lists.results.get("gone") is None
