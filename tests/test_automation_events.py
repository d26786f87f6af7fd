"""Bus events and event entities for automations: boot, tag, session start/end, errors, firmware; on both back
ends (remote: the add-on's events through its stream)."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from sim.charger16 import connect

from .helpers_ha import find_device, until
from .helpers_remote import add_known_tag, both_backends, ocpp_url


@both_backends
async def test_bus_events_and_event_entities(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    fired: list[Event[Any]] = []
    for name in ("booted", "tag_presented", "transaction_started", "transaction_ended", "error_reported"):
        hass.bus.async_listen(f"{DOMAIN}_{name}", fired.append)
    await add_known_tag(entry, "TAG-9")  # a known tag (unknown ones are refused)
    charger, task, ws = await connect(ocpp_url(entry), "ev")
    await charger.boot()
    await charger.send_status(1, "Available")
    await until(hass, lambda: hass.states.get("event.ev_session_event") is not None)
    await charger.authorize("TAG-9")
    await charger.start_transaction(1, "TAG-9")
    charger.sim.connectors[1].energy_wh += 7500
    await charger.stop_transaction(1)
    await charger.send_status(1, "Faulted", error_code="GroundFailure")
    await charger.send_status(1, "Faulted", error_code="GroundFailure")  # the same error: reported once
    await until(hass, lambda: any(e.event_type == f"{DOMAIN}_error_reported" for e in fired))

    kinds = [e.event_type.removeprefix(f"{DOMAIN}_") for e in fired]
    assert kinds == ["booted", "tag_presented", "transaction_started", "transaction_ended", "error_reported"]
    device = find_device(hass, "ev")
    assert device is not None
    assert all(e.data["device_id"] == device.id and e.data["charger"] == "ev" for e in fired)
    ended = fired[3].data
    assert ended["id_tag"] == "TAG-9"
    assert ended["energy_kwh"] == 7.5
    assert ended["duration_s"] >= 0
    assert fired[4].data["error_code"] == "GroundFailure"
    assert fired[1].data["status"] == "Accepted"

    session = hass.states.get("event.ev_session_event")
    assert session is not None
    assert session.attributes["event_type"] == "error_reported"
    charger_event = hass.states.get("event.ev_charger_event")
    assert charger_event is not None
    assert charger_event.attributes["event_type"] == "tag_presented"
    assert charger_event.attributes["id_tag"] == "TAG-9"
    await ws.close()
    task.cancel()


@both_backends
async def test_a_meter_stop_below_the_last_reading_shows_as_an_anomaly(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A made-up meterStop (lower than the session's last reading) is flagged on the session's event entity."""
    fired: list[Event[Any]] = []
    hass.bus.async_listen(f"{DOMAIN}_transaction_ended", fired.append)
    await add_known_tag(entry, "TAG-9")
    charger, task, ws = await connect(ocpp_url(entry), "ev")
    await charger.boot()
    await charger.send_status(1, "Available")
    await until(hass, lambda: hass.states.get("event.ev_session_event") is not None)
    await charger.start_transaction(1, "TAG-9")
    await charger.send_meter_values(1, seconds=3600)  # 11 kWh
    charger.sim.connectors[1].energy_wh = 1.0  # the stop reports 1 Wh
    await charger.stop_transaction(1)
    await until(hass, lambda: bool(fired))

    assert fired[0].data["energy_kwh"] == 11.0
    assert fired[0].data["anomaly"] == "meter_stop_below_last_reading"
    session = hass.states.get("event.ev_session_event")
    assert session is not None
    assert session.attributes["event_type"] == "transaction_ended"
    assert session.attributes["anomaly"] == "meter_stop_below_last_reading"
    assert session.attributes["reported_meter_stop_wh"] == 1.0
    await ws.close()
    task.cancel()


@both_backends
async def test_the_central_system_reports_each_new_error_once(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """ERROR_REPORTED comes from the central system (any listener hears it, by its type), once per new error of the
    station (connector 0) or of a connector; it shows on the charger's or the session's event entity."""
    from custom_components.ocpp_core.csms import EventType

    reported: list[tuple[int | None, str]] = []
    entry.runtime_data.central.events.subscribe(
        lambda event: reported.append((event.connector_id, event.data["error_code"])), [EventType.ERROR_REPORTED]
    )
    charger, task, ws = await connect(ocpp_url(entry), "ev")
    await charger.boot()
    await charger.send_status(1, "Available")
    await until(hass, lambda: hass.states.get("event.ev_charger_event") is not None)
    await charger.send_status(0, "Faulted", error_code="OtherError")
    await charger.send_status(1, "Faulted", error_code="GroundFailure")
    await charger.send_status(1, "Faulted", error_code="GroundFailure")  # the same error: not again
    await charger.send_status(1, "Available")  # NoError
    await charger.send_status(1, "Faulted", error_code="GroundFailure")  # a new one
    await until(hass, lambda: len(reported) >= 3)

    assert reported == [(0, "OtherError"), (1, "GroundFailure"), (1, "GroundFailure")]
    charger_event = hass.states.get("event.ev_charger_event")
    assert charger_event is not None
    assert charger_event.attributes["event_type"] == "error_reported"
    assert charger_event.attributes["error_code"] == "OtherError"
    await ws.close()
    task.cancel()
