"""Per-charger settings: checked, persisted with the station, announced when they change."""

from __future__ import annotations

import pytest

from custom_components.ocpp_core.csms import (
    CentralSystem,
    CentralSystemConfig,
    ChargerSettings,
    EventType,
    InvalidSettings,
    MemoryPersistence,
)


def test_defaults_and_connector_names() -> None:
    settings = ChargerSettings()
    assert settings.connector_name("garage", 2) == "garage:2"
    named = settings.with_changes({"connector_names": {2: "Left"}})
    assert named.connector_name("garage", 2) == "Left"
    assert named.connector_name("garage", 1) == "garage:1"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"phases": 2}, "phases"),
        ({"max_current": 0}, "max_current"),
        ({"max_current": 5000}, "max_current"),
        ({"meter_interval": -1}, "meter_interval"),
        ({"friendly_name": "  "}, "friendly_name"),
        ({"limit_profile": "flash"}, "limit_profile"),
        ({"connector_names": {0: "x"}}, "connector_names"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_are_refused_by_name(changes: dict[str, object], named: str) -> None:
    with pytest.raises(InvalidSettings, match=named):
        ChargerSettings().with_changes(changes)


def test_unreadable_stored_settings_fall_back() -> None:
    assert ChargerSettings.from_dict({"phases": 7}) == ChargerSettings()
    assert ChargerSettings.from_dict(None) == ChargerSettings()


async def test_update_persists_and_announces() -> None:
    persistence = MemoryPersistence()
    central = CentralSystem(CentralSystemConfig(host="127.0.0.1", port=0), persistence)
    central.state.store.station("cp1")
    seen: list[list[str]] = []
    central.events.subscribe(lambda e: seen.append(e.data["changed"]) if e.type is EventType.SETTINGS_CHANGED else None)
    await central.update_settings("cp1", {"friendly_name": "Garage", "phases": 1, "max_current": 16})
    await central.update_settings("cp1", {"phases": 1})  # unchanged: no event
    assert seen == [["friendly_name", "phases", "max_current"]]
    with pytest.raises(KeyError):
        await central.update_settings("nobody", {"phases": 1})

    again = CentralSystem(CentralSystemConfig(host="127.0.0.1", port=0), MemoryPersistence(persistence.saved))
    await again.state.load()
    assert again.stations["cp1"].settings == ChargerSettings(friendly_name="Garage", max_current=16, phases=1)


async def test_sections_round_trip() -> None:
    persistence = MemoryPersistence()
    central = CentralSystem(CentralSystemConfig(host="127.0.0.1", port=0), persistence)
    kept: dict[str, object] = {"tags": ["A"]}
    central.state.store.register_section("extra", lambda data: None, lambda: kept)
    await central.state.store.save_now()
    loaded: list[object] = []
    again = CentralSystem(CentralSystemConfig(host="127.0.0.1", port=0), MemoryPersistence(persistence.saved))
    again.state.store.register_section("extra", loaded.append, lambda: None)
    await again.state.load()
    assert loaded == [{"tags": ["A"]}]
