"""Load management: a current and a power limit per charger and per connector (EVSE), as numbers.

The number shows the limit asked for (kept by the central system across restarts and
sent again whenever the charger reconnects), not what the charger does: the sensors
"limit in force" (read back with GetCompositeSchedule) and "limit status" (the charger's
answer) show that.  Setting a value returns at once — the limit goes out now or at the
end of the charger's rate-limit interval — so an automation never waits on a charger.

The numbers stay available while the charger is offline: a limit set then is sent when
it connects.  They are controls, not configuration: automations (the blueprints) drive them.

No limit asked for: the number shows its maximum (the charger may take all it has: a slider at
the left would read "0 A, paused" on a charger drawing 16 A, an empty box "unknown"), with the
attribute `limited` false; it is true once a limit is asked for (evcc and automations read
either).  Setting the maximum sends that limit: it does not clear it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from homeassistant.components.number import NumberDeviceClass, NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import Platform, UnitOfElectricCurrent, UnitOfPower
from homeassistant.core import HomeAssistant

from .backend import LimitsBackend
from .const import CONF_LIMIT_STEP, DEFAULT_LIMIT_STEP
from .coordinator import OcppConfigEntry
from .csms import LimitState
from .entity import EntitySpecs, OcppControlDescription, OcppEntity, ocpp_exception_handler, ocpp_platform

PARALLEL_UPDATES = 0  # setting a limit only queues it in the central system


@dataclass(frozen=True, kw_only=True)
class LimitNumberDescription(OcppControlDescription, NumberEntityDescription):
    """A limit in one unit: how to read it, how far it goes, how to set it."""

    value_fn: Callable[[LimitState], float]
    # (limits, station id, EVSE id) -> the highest value the charger accepts
    max_fn: Callable[[LimitsBackend, str, int], float]
    # (limits, station id, EVSE id, value): ask for the limit
    set_fn: Callable[[LimitsBackend, str, int, float], Awaitable[LimitState]]
    # the current's step comes from the options; its connector's number also tells whether a session runs there
    # (the fuse-protection blueprint shares only among those)
    in_amps: bool = False


# the two limits: in amps, and in watts as far as they differ; each number names one of them its own way
_AMPS_LIMIT = LimitNumberDescription(
    key="current_limit",
    device_class=NumberDeviceClass.CURRENT,
    native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
    native_min_value=0,
    mode=NumberMode.SLIDER,
    available_offline=True,
    waits_for_charger=False,
    value_fn=lambda state: state.amps,
    max_fn=lambda limits, station_id, evse_id: limits.max_amps(station_id),
    set_fn=lambda limits, station_id, evse_id, value: limits.set_limit(station_id, evse_id, amps=value),
    in_amps=True,
)
_WATTS_LIMIT = replace(
    _AMPS_LIMIT,
    key="power_limit",
    device_class=NumberDeviceClass.POWER,
    native_unit_of_measurement=UnitOfPower.WATT,
    native_step=1,
    mode=NumberMode.BOX,
    value_fn=lambda state: state.watts,
    # at the nominal voltage: a range that moved with the measured voltage would be written on every meter value
    max_fn=lambda limits, station_id, evse_id: limits.max_watts(station_id, evse_id),
    set_fn=lambda limits, station_id, evse_id, value: limits.set_limit(station_id, evse_id, watts=value),
    in_amps=False,
)

# the whole charger (EVSE 0: a cap on its total) and each connector / EVSE
STATION_NUMBERS = (
    replace(_AMPS_LIMIT, translation_key="charger_current_limit"),
    replace(_WATTS_LIMIT, translation_key="charger_power_limit"),
)
CONNECTOR_NUMBERS = (
    replace(_AMPS_LIMIT, translation_key="current_limit"),
    replace(_WATTS_LIMIT, translation_key="power_limit"),
)


class LimitNumber(OcppEntity, NumberEntity):
    """The limit asked for the charger (connector None: EVSE 0) or one connector / EVSE."""

    entity_description: LimitNumberDescription
    shows_readings = False  # the range follows the measured phases, announced as a settings change

    def _shown_now(self) -> tuple[Any, ...]:
        """The value, its range (it follows max_current and, in W, the phases) and the attributes; the step
        follows the options, which write the state themselves."""
        return (self.available, self.native_value, self.native_max_value, self.extra_state_attributes)

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is not None and self.entity_description.in_amps:
            self.async_on_remove(entry.add_update_listener(self._options_updated))

    async def _options_updated(self, hass: HomeAssistant, entry: OcppConfigEntry) -> None:
        """A new step applies at once."""
        self.async_write_ha_state()

    @property
    def evse_id(self) -> int:
        return self.connector_id or 0

    @property
    def native_value(self) -> float | None:
        """The limit asked for; with none, the maximum (no limit: the charger may take all it has)."""
        state = self.runtime.central.limits.get(self.station_id, self.evse_id)
        return self.native_max_value if state is None else self.entity_description.value_fn(state)

    @property
    def native_max_value(self) -> float:
        return self.entity_description.max_fn(self.runtime.central.limits, self.station_id, self.evse_id)

    @property
    def native_step(self) -> float | None:
        if not self.entity_description.in_amps:
            return self.entity_description.native_step
        entry = self.hass.config_entries.async_get_entry(self._entry_id) if self.hass else None
        options = entry.options if entry is not None else {}
        return float(options.get(CONF_LIMIT_STEP, DEFAULT_LIMIT_STEP))

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """`limited`: a limit was asked for (else the value is the maximum: no limit).  On a connector's
        current limit also whether a session runs there: the fuse-protection blueprint shares only among those.

        They change only when a limit is set or cleared and a session starts or ends: no state write per meter value.
        """
        attributes: dict[str, Any] = {
            "limited": self.runtime.central.limits.get(self.station_id, self.evse_id) is not None
        }
        connector = self.connector
        if connector is not None and self.entity_description.in_amps:
            attributes["session_active"] = connector.transaction is not None
        return attributes

    @ocpp_exception_handler
    async def async_set_native_value(self, value: float) -> None:
        """Shows the new request at once; the charger's answer follows as an event."""
        await self.entity_description.set_fn(self.runtime.central.limits, self.station_id, self.evse_id, value)


# what each station and each of its connectors (EVSEs) gets
STATION_ENTITIES: EntitySpecs = [(LimitNumber, d) for d in STATION_NUMBERS]
CONNECTOR_ENTITIES: EntitySpecs = [(LimitNumber, d) for d in CONNECTOR_NUMBERS]


async_setup_entry = ocpp_platform(Platform.NUMBER, STATION_ENTITIES, CONNECTOR_ENTITIES)
