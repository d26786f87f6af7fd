"""Issue 14: a meter message costs at most 3 state writes, and loses nothing that is shown.

A 1.6 charger (MeterValues) and a 2.0.1 station (TransactionEvent Updated) send readings that move a
little, as a real charge's do: power by a few watts, currents by 0.01 A, voltages by 0.1 V.  Every
entity is enabled (voltages, L2/L3 currents and frequency are not by default).  In steady state only
the energy register, the session energy and the power change as shown: 3 writes per message, each
written exactly.  A current or voltage that moves at its display precision is written, and a user who
asks for more digits in the entity's settings gets those written too.  On both back ends (remote: the
add-on's stream says which events are readings alone).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.entity import OcppEntity
from custom_components.ocpp_core.sensor import _BESIDE_READINGS, CONNECTOR_SENSORS, ConnectorSensorDescription

from .helpers_ha import boot_station, state, until
from .helpers_readings import CHARGERS, START_WH, STEADY, WARM_UP, sampled_201
from .helpers_remote import both_backends, ocpp_url

WRITTEN_EACH_TIME = {"energy", "session_energy", "power"}


@pytest.fixture(autouse=True)
def every_entity_enabled() -> Iterator[None]:
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


class Writes:
    """The state writes (state_changed events) of one charger's entities, by entity id."""

    def __init__(self, hass: HomeAssistant, cp_id: str) -> None:
        self.entity_ids: list[str] = []
        self._prefix = f".{cp_id}_"

        @callback
        def count(event: Event[Any]) -> None:
            if self._prefix in event.data["entity_id"]:
                self.entity_ids.append(event.data["entity_id"])

        hass.bus.async_listen(EVENT_STATE_CHANGED, count)

    def since(self, mark: int) -> list[str]:
        return self.entity_ids[mark:]


@pytest.mark.parametrize("version", list(CHARGERS))
@both_backends
async def test_three_writes_per_meter_message_and_every_shown_change(
    hass: HomeAssistant, entry: MockConfigEntry, version: str
) -> None:
    cp_id, charging = CHARGERS[version]
    writes = Writes(hass, cp_id)
    async with charging(hass, entry) as send:
        for reading in STEADY[:WARM_UP]:
            await send(*reading)
        mark = len(writes.entity_ids)
        for reading in STEADY[WARM_UP:]:
            await send(*reading)
        steady = writes.since(mark)
        messages = len(STEADY) - WARM_UP
        assert len(steady) <= 3 * messages, sorted(set(steady))
        assert set(steady) == {f"sensor.{cp_id}_{key}" for key in ("energy_meter", "session_energy", "power")}
        assert len(steady) == 3 * messages  # each one at every message: all of them moved as shown

        # exact, never rounded away: the register in kWh to the 0.1 Wh the charger sent, the session in Wh
        energy, power, _, _ = STEADY[-1]
        assert state(hass, f"sensor.{cp_id}_energy_meter") == str(energy / 1000.0)
        assert state(hass, f"sensor.{cp_id}_session_energy") == str(round((energy - START_WH) / 1000.0, 3))
        assert state(hass, f"sensor.{cp_id}_power") == str(power)

        # a current and a voltage that move as shown (16 A -> 17 A, 230 V -> 231 V) are written at once
        mark = len(writes.entity_ids)
        await send(round(energy + 3.1, 1), power, 16.6, 230.6)
        changed = set(writes.since(mark))
        for phase in ("l1", "l2", "l3"):
            assert {f"sensor.{cp_id}_current_{phase}", f"sensor.{cp_id}_voltage_{phase}"} <= changed
        assert state(hass, f"sensor.{cp_id}_current_l1") == "16.6"
        assert state(hass, f"sensor.{cp_id}_voltage_l2") == "230.6"


@pytest.mark.parametrize("version", list(CHARGERS))
@both_backends
async def test_the_precision_the_user_chose_is_written(
    hass: HomeAssistant, entry: MockConfigEntry, version: str
) -> None:
    """Two decimals chosen for the L1 current in its settings: its 0.01 A moves are written from then on."""
    cp_id, charging = CHARGERS[version]
    writes = Writes(hass, cp_id)
    registry = er.async_get(hass)
    current = f"sensor.{cp_id}_current_l1"
    async with charging(hass, entry) as send:
        await send(*STEADY[0])
        assert registry.async_get(current) is not None
        assert registry.async_get(current).options["sensor"]["suggested_display_precision"] == 0  # type: ignore[union-attr]
        registry.async_update_entity_options(current, "sensor", {"display_precision": 2})
        await hass.async_block_till_done()
        mark = len(writes.entity_ids)
        for reading in STEADY[1:5]:
            await send(*reading)
        assert writes.since(mark).count(current) == 4
        assert state(hass, current) == str(STEADY[4][2])
        assert writes.since(mark).count(f"sensor.{cp_id}_current_l2") == 0  # still at whole amperes


@pytest.mark.parametrize("version", list(CHARGERS))
@both_backends
async def test_a_meter_message_wakes_only_the_entities_that_show_readings(
    hass: HomeAssistant, entry: MockConfigEntry, version: str
) -> None:
    """A status, a tag, a limit, a control cannot change with a reading: they are not even compared."""
    cp_id, charging = CHARGERS[version]
    woken: list[tuple[str, str]] = []
    compare = OcppEntity._on_update

    @callback
    def counted(self: OcppEntity) -> None:
        if self.station_id == cp_id:
            woken.append((type(self).__name__, self.entity_description.key))
        compare(self)

    with patch.object(OcppEntity, "_on_update", counted):
        async with charging(hass, entry) as send:
            await send(*STEADY[0])
            mark = len(woken)
            await send(*STEADY[1])
            once = set(woken[mark:])
    readings = {("ConnectorSensor", key) for key in ("power", "energy", "session_energy", "current_l1", "voltage_l1")}
    assert readings <= once
    beside = {("ConnectorSensor", key) for key in ("status", "session_id_tag", "transaction_id", "error_code")}
    assert not beside & once
    assert not {kind for kind, _ in once} & {
        "OcppSwitch",
        "LimitNumber",
        "LimitSensor",
        "OcppButton",
        "OcppEventEntity",
    }


@both_backends
async def test_a_new_tag_in_a_transaction_event_with_readings_is_shown(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A TransactionEvent Updated that authorises the session (a new token) and carries a reading is not readings
    alone: the session's tag is shown at once."""
    central = entry.runtime_data.central
    station = await boot_station(hass, central, "t201", url=ocpp_url(entry))
    try:
        await station.start_transaction(1)
        await until(hass, lambda: state(hass, "sensor.t201_status") == "charging")
        reading = {"timestamp": dt_util.utcnow().isoformat(), "sampled_value": sampled_201(*STEADY[0])}
        await station.update_transaction(
            1,
            trigger_reason="Authorized",
            meter_value=[reading],
            id_token={"id_token": "LATE-TAG", "type": "ISO14443"},
        )
        await until(hass, lambda: state(hass, "sensor.t201_session_tag") == "LATE-TAG")
        assert state(hass, "sensor.t201_energy_meter") == str(STEADY[0][0] / 1000.0)
    finally:
        await station.close()


def test_the_sensors_beside_readings_are_sensors_that_exist() -> None:
    """A renamed key would leave its sensor woken by every reading again (harmless, but the list would lie)."""
    assert {description.key for description in CONNECTOR_SENSORS} >= _BESIDE_READINGS


@pytest.mark.parametrize("version", list(CHARGERS))
async def test_a_state_write_takes_what_the_comparison_read(
    hass: HomeAssistant, entry: MockConfigEntry, version: str
) -> None:
    """Each meter message reads a written sensor's value, attributes and last reset from the model once: for the
    comparison, whose reading the state write then takes (reading them again for the write cost as much as the
    comparison, at each of the three writes per message).  What is written is still the model's value."""
    cp_id, charging = CHARGERS[version]
    reads: list[str] = []
    async with charging(hass, entry) as send:
        await send(*STEADY[0])
        for key in WRITTEN_EACH_TIME:
            entity = hass.data["entity_components"]["sensor"].get_entity(f"sensor.{cp_id}_{SENSOR_NAMES[key]}")
            entity.entity_description = counted(entity.entity_description, reads)
        mark = len(reads)
        await send(*STEADY[1])
        once = reads[mark:]
        energy, power, _, _ = STEADY[1]
        assert state(hass, f"sensor.{cp_id}_power") == str(power)
        assert state(hass, f"sensor.{cp_id}_session_energy") == str(round((energy - START_WH) / 1000.0, 3))
        session = hass.states.get(f"sensor.{cp_id}_session_energy")
        assert session is not None
        assert session.attributes["session_running"] is True
        assert session.attributes["last_reset"] is not None
    assert sorted(once) == sorted(
        ["energy value", "power value", "session_energy value", "session_energy attrs", "session_energy last_reset"]
    )


# the entity id's last part of the sensors written at each message, by description key
SENSOR_NAMES = {"energy": "energy_meter", "session_energy": "session_energy", "power": "power"}


def counted(description: ConnectorSensorDescription, reads: list[str]) -> ConnectorSensorDescription:
    """The description with each of its model reads (value, attributes, last reset) counted in `reads`."""

    def count(name: str, fn: Callable[..., Any] | None) -> Callable[..., Any] | None:
        if fn is None:
            return None

        def read(*args: Any) -> Any:
            reads.append(f"{description.key} {name}")
            return fn(*args)

        return read

    return dataclasses.replace(
        description,
        value_fn=count("value", description.value_fn) if description.station_value_fn is None else description.value_fn,
        station_value_fn=count("value", description.station_value_fn),
        attrs_fn=count("attrs", description.attrs_fn),
        last_reset_fn=count("last_reset", description.last_reset_fn),
    )
