"""What the 1.6 and 2.x limit tests wait for alike."""

from __future__ import annotations

from custom_components.ocpp_core.csms import CentralSystem, LimitState, LimitStatus

from .helpers import wait_for


async def limit_accepted(central: CentralSystem, station_id: str, amps: float, evse_id: int = 1) -> LimitState:
    """Wait until the limit of `amps` is accepted and read back (the composite schedule); the limit."""
    await wait_for(
        lambda: (
            (s := central.limits.get(station_id, evse_id)) is not None
            and s.status == LimitStatus.ACCEPTED
            and s.amps == amps
            and s.in_force_amps is not None
        )
    )
    state = central.limits.get(station_id, evse_id)
    assert state is not None
    return state
