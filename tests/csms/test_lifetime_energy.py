"""The lifetime energy count never goes backwards: meter resets and swapped chargers start a new count."""

from __future__ import annotations

from datetime import timedelta

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence
from custom_components.ocpp_core.csms.model.station import ENERGY_IMPORT_REGISTER, MeterSample
from custom_components.ocpp_core.csms.rpc.timeutil import utcnow


def _sample(value_wh: float, seconds: int) -> MeterSample:
    return MeterSample(ENERGY_IMPORT_REGISTER, value_wh, "Wh", utcnow() + timedelta(seconds=seconds))


async def test_register_reset_and_restart(central_config: CentralSystemConfig) -> None:
    persistence = MemoryPersistence()
    central = CentralSystem(central_config, persistence)
    state = central.state
    for second, value in enumerate((1000.0, 1500.0, 1495.0, 20.0, 50.0)):  # 1495: rounding, not a reset
        state.activity.record_samples("cp", 1, [_sample(value, second)])
    connector = central.stations["cp"].connectors[1]
    assert connector.reading(ENERGY_IMPORT_REGISTER) == 50.0  # what the charger's display shows
    assert connector.lifetime_energy_wh == 1550.0  # 1500 counted before the reset, 50 since
    await state.store.save_now()

    restarted = CentralSystem(central_config, persistence)
    await restarted.state.load()
    again = restarted.stations["cp"].connectors[1]
    assert again.lifetime_energy_wh == 1550.0
    restarted.state.activity.record_samples("cp", 1, [_sample(80.0, 10)])
    assert again.lifetime_energy_wh == 1580.0
    restarted.state.activity.record_samples("cp", 1, [_sample(5.0, 11)])  # a swapped charger starting low
    assert again.lifetime_energy_wh == 1585.0
