"""Issue 12 in Home Assistant: exported energy, frequency and power factor; the car's SoC is not the
charger's battery; why a reservation ended (an event and an attribute)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import ATTR_DEVICE_CLASS
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
from ocpp.v16 import call
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from sim.charger16 import connect

from .helpers_ha import find_device, state, until
from .helpers_remote import both_backends, ocpp_url


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Every entity enabled (frequency and power factor are not, by default), as in HA core's tests."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@both_backends
async def test_export_frequency_and_power_factor(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    cp, task, ws = await connect(ocpp_url(entry), "bidi")
    try:
        await cp.boot()
        await cp.send_status(1, "Available")
        await until(hass, lambda: state(hass, "sensor.bidi_status") == "available")
        for name in ("energy_exported", "frequency", "power_factor"):
            assert state(hass, f"sensor.bidi_{name}") == "unknown"
        sampled = [
            {"value": "1500.0", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": "2.75", "measurand": "Energy.Active.Export.Register", "unit": "kWh"},
            {"value": "49.98", "measurand": "Frequency"},  # 1.6 has no unit for Hz
            {"value": "0.97", "measurand": "Power.Factor"},
        ]
        await cp.call(
            call.MeterValues(
                connector_id=1,
                meter_value=[{"timestamp": dt_util.utcnow().isoformat(), "sampled_value": sampled}],
            )
        )
        await until(hass, lambda: state(hass, "sensor.bidi_energy_exported") == "2.75")
        assert state(hass, "sensor.bidi_frequency") == "49.98"
        assert state(hass, "sensor.bidi_power_factor") == "0.97"
        assert state(hass, "sensor.bidi_power") == "unknown"  # not reported: no 0 W made up either
        soc = hass.states.get("sensor.bidi_vehicle_state_of_charge")
        assert soc is not None and soc.attributes.get(ATTR_DEVICE_CLASS) != SensorDeviceClass.BATTERY
    finally:
        await ws.close()
        task.cancel()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@both_backends
async def test_session_start_and_duration(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The start as a timestamp (no write while the session runs); the duration, off by default, in whole
    minutes while it runs and to 0.1 min once it ended."""
    cp, task, ws = await connect(ocpp_url(entry), "dur")
    try:
        await cp.boot()
        await cp.send_status(1, "Charging")
        started = (dt_util.utcnow() - timedelta(minutes=90, seconds=20)).replace(microsecond=0)
        answer = await cp.call(
            call.StartTransaction(connector_id=1, id_tag="TAG", meter_start=0, timestamp=started.isoformat())
        )
        await until(hass, lambda: state(hass, "sensor.dur_session_duration") == "90")
        shown = dt_util.parse_datetime(state(hass, "sensor.dur_session_start") or "")
        assert shown == started
        stopped = started + timedelta(minutes=42, seconds=30)
        await cp.call(
            call.StopTransaction(meter_stop=1000, timestamp=stopped.isoformat(), transaction_id=answer.transaction_id)
        )
        await until(hass, lambda: state(hass, "sensor.dur_session_duration") == "42.5")
        assert dt_util.parse_datetime(state(hass, "sensor.dur_session_start") or "") == started
    finally:
        await ws.close()
        task.cancel()


@both_backends
async def test_why_a_reservation_ended(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    fired: list[Event[Any]] = []
    hass.bus.async_listen(f"{DOMAIN}_reservation_ended", fired.append)
    cp, task, ws = await connect(ocpp_url(entry), "res")
    try:
        await cp.boot()
        await cp.send_status(1, "Available")
        await until(hass, lambda: state(hass, "sensor.res_status") == "available")
        device = find_device(hass, "res")
        assert device is not None
        expiry = (dt_util.utcnow() + timedelta(hours=1)).replace(microsecond=0).isoformat()

        async def reserve(reservation_id: int) -> None:
            await hass.services.async_call(
                DOMAIN,
                "reserve_now",
                {
                    "device_id": device.id,
                    "connector_id": 1,
                    "id_tag": "GUEST",
                    "expiry_date": expiry,
                    "reservation_id": reservation_id,
                },
                blocking=True,
            )
            await until(hass, lambda: state(hass, "sensor.res_reserved_until") == expiry)

        def shown() -> tuple[str | None, Any, Any]:
            sensor, event = hass.states.get("sensor.res_reserved_until"), hass.states.get("event.res_session_event")
            assert sensor is not None and event is not None
            return sensor.state, sensor.attributes.get("last_end_reason"), event.attributes.get("reason")

        await reserve(11)
        await hass.services.async_call(
            DOMAIN, "cancel_reservation", {"device_id": device.id, "reservation_id": 11}, blocking=True
        )
        await until(hass, lambda: shown() == ("unknown", "cancelled", "cancelled"))
        event = hass.states.get("event.res_session_event")
        assert event is not None and event.attributes["event_type"] == "reservation_ended"

        await reserve(12)
        await cp.start_transaction(1, "GUEST")  # the reservation is used
        await until(hass, lambda: shown() == ("unknown", "used", "used"))
        assert [(e.data["reason"], e.data["reservation_id"], e.data["device_id"]) for e in fired] == [
            ("cancelled", 11, device.id),
            ("used", 12, device.id),
        ]
        await cp.stop_transaction(1)
    finally:
        await ws.close()
        task.cancel()
