"""The user's story, OCPP 2.0.1: Home Assistant restarts in the middle of a session.  The integration is
unloaded (the station's socket closes; it keeps charging and queues its events), set up again from the
stored data, the station reconnects and sends what it queued; the session goes on, its end is matched,
the energy is exact and the history (with the session ended before) is kept."""

from __future__ import annotations

from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.csms import Event, EventType

from .helpers_ha import boot_station, state, until

HALF_HOUR = 1800.0  # at 11 kW: 5.5 kWh, exact in binary floating point


async def test_session_survives_a_restart_of_home_assistant(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    station = await boot_station(hass, entry.runtime_data.central, "r201")
    # a session ended before the restart: it must stay in the history
    await station.start_transaction(1, "TAG-A")
    await station.update_transaction(1, seconds=HALF_HOUR)
    await station.stop_transaction(1)
    # the session the restart falls into
    tx_id = await station.start_transaction(1, "TAG-B")
    start_wh = station.sim.evses[1].energy_wh
    await station.update_transaction(1, seconds=HALF_HOUR)
    await until(hass, lambda: state(hass, "sensor.r201_session_energy") == "5.5")
    assert state(hass, "switch.r201_charging") == "on"
    history_before = [t for t in entry.runtime_data.central.transactions("r201") if not t["open"]]

    # Home Assistant goes down: the socket closes, the station charges on and queues its events
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, "sensor.r201_session_energy") == STATE_UNAVAILABLE
    station.offline = True
    await station.update_transaction(1, seconds=HALF_HOUR)
    assert station.queued and station.queued[0]["offline"] is True

    # back up, from the stored data only; the station reconnects and sends what it queued
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    central = entry.runtime_data.central
    open_tx = central.stations["r201"].connectors[1].transaction
    assert open_tx is not None and open_tx.transaction_id == tx_id  # remembered before the station is back
    events: list[Event] = []
    central.events.subscribe(events.append)
    await station.reconnect()
    await until(hass, lambda: state(hass, "sensor.r201_session_energy") == "11.0")
    assert state(hass, "switch.r201_charging") == "on"
    assert state(hass, "sensor.r201_transaction_id") == tx_id
    await station.update_transaction(1, seconds=HALF_HOUR)
    await station.stop_transaction(1, stopped_reason="EVDisconnected")
    await until(hass, lambda: state(hass, "switch.r201_charging") == "off")

    ended = [e for e in events if e.type is EventType.TRANSACTION_ENDED]
    assert len(ended) == 1
    data: dict[str, Any] = ended[0].data
    assert data["known"] is True and data["transaction_id"] == tx_id
    assert data["energy_wh"] == station.sim.evses[1].energy_wh - start_wh == 3 * 5500.0
    assert data["offline"] is True  # some of its events arrived queued
    assert not [e for e in events if e.type is EventType.TRANSACTION_STARTED]  # not taken for a new session
    # the history: the session before the restart, as it was, and this one
    history = [t for t in central.transactions("r201") if not t["open"]]
    assert history[:-1] == history_before
    assert [t["energy_wh"] for t in history_before] == [5500.0]
    assert (history[-1]["transaction_id"], history[-1]["energy_wh"], history[-1]["stop_reason"]) == (
        tx_id,
        3 * 5500.0,
        "EVDisconnected",
    )
    assert state(hass, "sensor.r201_sessions") == "2"
    assert state(hass, "sensor.r201_last_stop_reason") == "EVDisconnected"
    await station.close()
