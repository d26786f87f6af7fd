"""The base entity (device info, availability, unique ids, push updates), the one set-up every
platform runs, and the one error handling every control's action goes through."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate

from homeassistant.components.sensor import DOMAIN as SENSOR_DOMAIN
from homeassistant.components.sensor import SensorEntity, SensorStateClass
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import UNDEFINED, UndefinedType

from .const import DOMAIN
from .coordinator import (
    OcppConfigEntry,
    OcppRuntimeData,
    connector_device_id,
    connector_device_name,
    entity_unique_id,
    has_connector_devices,
    signal_readings,
    signal_update,
    station_device_id,
    station_device_name,
)
from .csms import Connector, InvalidLimit, Station
from .device_lookup import parent_link
from .errors import Answer, ocpp_call, validation_error


def every_station(station: Station) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class OcppEntityDescription(EntityDescription):
    """What every description of this integration has besides Home Assistant's."""

    # whether the station gets the entity at all (e.g. only OCPP 2.x stations have a charging state)
    exists_fn: Callable[[Station], bool] = every_station
    # limits and their controls: known chargers keep them while offline (a limit set then is sent when they connect)
    available_offline: bool = False


@dataclass(frozen=True, kw_only=True)
class OcppControlDescription(OcppEntityDescription):
    """A control's description: what the charger may answer that means it did not do it."""

    # answer statuses that mean the charger refused (None: every status but Accepted)
    refused: frozenset[str] | None = None
    # False: the action only queues in the central system (a limit, a pause), it does not wait on the charger
    waits_for_charger: bool = True


class OcppEntity(Entity):
    """An entity of one station (connector_id None) or of one of its connectors."""

    entity_description: OcppEntityDescription
    _attr_has_entity_name = True
    _attr_should_poll = False
    # False: nothing it shows follows from meter readings, and a readings-only update does not wake it
    shows_readings = True
    # what `_shown_now` read, for the state write that follows it in `_on_update` (None otherwise)
    _read: Any = None

    def __init__(
        self,
        runtime: OcppRuntimeData,
        entry_id: str,
        station_id: str,
        connector_id: int | None,
        description: OcppEntityDescription,
    ) -> None:
        self.runtime = runtime
        self.entity_description = description
        self.station_id = station_id
        self.connector_id = connector_id
        self._entry_id = entry_id
        self._attr_unique_id = entity_unique_id(entry_id, station_id, connector_id, description.key)
        self._shown: tuple[Any, ...] | None = None

    @property
    def device_info(self) -> DeviceInfo:
        """The connector's (EVSE's) own device once the station has two or more, else the station's.

        Read when the entity is registered, which may be a moment after it was created: an
        OCPP 2.x inventory brings all EVSEs at once, and the first one's entities, created
        while it was the only one, must land on its own device too.
        """
        station_id, connector_id, station = self.station_id, self.connector_id, self.station
        entry_id = self._entry_id
        if connector_id is not None and has_connector_devices(station):
            info = DeviceInfo(
                identifiers={connector_device_id(entry_id, station_id, connector_id)},
                name=connector_device_name(station, connector_id),
            )
            parent = station_device_id(entry_id, station_id)
            info.update(parent_link(dr.async_get(self.hass), parent, entry_id))  # type: ignore[typeddict-item]
            return info
        return DeviceInfo(identifiers={station_device_id(entry_id, station_id)}, name=station_device_name(station))

    @property
    def station(self) -> Station:
        return self.runtime.central.stations[self.station_id]

    @property
    def connector(self) -> Connector | None:
        if self.connector_id is None:
            return None
        return self.station.connectors.get(self.connector_id)

    @property
    def available(self) -> bool:
        if self.entity_description.available_offline:
            return self.runtime.central.is_known(self.station_id)
        return self.runtime.central.is_connected(self.station_id)

    async def async_added_to_hass(self) -> None:
        signals = [signal_update] + ([signal_readings] if self.shows_readings else [])
        for signal in signals:
            self.async_on_remove(
                async_dispatcher_connect(
                    self.hass, signal(self._entry_id, self.station_id, self.connector_id), self._on_update
                )
            )

    @callback
    def _on_update(self) -> None:
        """Write the state only when what Home Assistant would show changed.

        A MeterValues message wakes every entity of its connector that shows readings;
        most of them (a current, a voltage …) did not change as shown, and a state write
        costs far more than this comparison.  What the comparison read may be kept in `_read`
        for the write that follows (sensor.ConnectorSensor); it is dropped after.
        """
        try:
            shown = self._shown_now()
            if shown != self._shown:
                self._shown = shown
                self.async_write_ha_state()
        finally:
            self._read = None

    def _shown_now(self) -> tuple[Any, ...]:
        """What a state write would change; sensors have a cheaper one (sensor.py).  Called by `_on_update` only."""
        return (self.available, self.state, self.extra_state_attributes)


EntityClass = Callable[[OcppRuntimeData, str, str, int | None, Any], OcppEntity]
# a platform's entities: the class and description of each, for a station or for each of its connectors (EVSEs)
EntitySpecs = Sequence[tuple[EntityClass, OcppEntityDescription]]


PlatformSetup = Callable[[HomeAssistant, OcppConfigEntry, AddEntitiesCallback], Coroutine[Any, Any, None]]


def ocpp_platform(platform: str, station: EntitySpecs = (), connector: EntitySpecs = ()) -> PlatformSetup:
    """A platform module's `async_setup_entry`: its entities of each station and connector (below)."""

    async def async_setup_entry(hass: HomeAssistant, entry: OcppConfigEntry, add: AddEntitiesCallback) -> None:
        async_setup_ocpp_entities(hass, entry, add, platform, station, connector)

    return async_setup_entry


@callback
def async_setup_ocpp_entities(
    hass: HomeAssistant,
    entry: OcppConfigEntry,
    async_add_entities: AddEntitiesCallback,
    platform: str,
    station: EntitySpecs = (),
    connector: EntitySpecs = (),
) -> None:
    """Every platform's set-up: the entities of each shown station and connector, now and as they appear.

    `exists_fn` decides per station: a charger that comes back speaking the other OCPP version gets that
    version's entities at once, and the other version's leave the entity registry (they would stay as
    unavailable orphans; at every start too).
    """
    runtime = entry.runtime_data
    entry_id = entry.entry_id
    # the entities made so far, by (station, connector or None, key)
    made: set[tuple[str, int | None, str]] = set()

    @callback
    def sync(station_id: str, connector_id: int | None) -> None:
        state = runtime.central.stations[station_id]
        registry = er.async_get(hass)
        new: list[OcppEntity] = []
        for entity_class, description in station if connector_id is None else connector:
            key = (station_id, connector_id, description.key)
            if description.exists_fn(state):
                if key not in made:
                    made.add(key)
                    new.append(entity_class(runtime, entry_id, station_id, connector_id, description))
                continue
            made.discard(key)
            unique_id = entity_unique_id(entry_id, station_id, connector_id, description.key)
            entity_id = registry.async_get_entity_id(platform, DOMAIN, unique_id)
            if entity_id is not None:
                registry.async_remove(entity_id)
        if new:
            async_add_entities(new)

    @callback
    def version_changed(station_id: str) -> None:
        sync(station_id, None)
        for connector_id in sorted(runtime.shown_connectors.get(station_id, ())):
            sync(station_id, connector_id)

    runtime.version_listeners.append(version_changed)
    runtime.track_stations(lambda station_id: sync(station_id, None), sync)


def ocpp_exception_handler[E: OcppEntity, **P](
    func: Callable[Concatenate[E, P], Awaitable[Answer | None]],
) -> Callable[Concatenate[E, P], Coroutine[Any, Any, None]]:
    """Every control's action (press, turn on / off, set): what the central system raises, and an answer whose
    status says the charger did not do it (the description's `refused`), become translated errors naming the
    charger; the wait on the charger is bounded (errors.ocpp_call).  Done, the entity shows what changed at once."""

    async def handler(self: E, /, *args: P.args, **kwargs: P.kwargs) -> None:
        description = self.entity_description
        control = description if isinstance(description, OcppControlDescription) else OcppControlDescription(key="")

        async def send() -> Answer:
            return await func(self, *args, **kwargs) or {}

        try:
            await ocpp_call(self.runtime.central, self.station_id, send, control.refused, control.waits_for_charger)
        except InvalidLimit as err:
            raise validation_error("invalid_limit", charger=self.station_id, reason=str(err)) from err
        self._on_update()

    return handler


# ---- sensors written when what is shown changes ----
# Every charger message wakes each entity of its connector (OcppEntity._on_update), and each state write costs
# Home Assistant far more than a comparison: the state machine, every listener, and a row in the
# recorder's database.  A measurement (power, current, voltage …) that moved below what is shown
# (16.02 A → 16.04 A at one decimal) is therefore not written; one that moved at its display
# precision always is.  The precision is the one the entity shows: the user's choice in the
# entity's settings, else the suggested one (Home Assistant keeps both in the entity registry), so
# a user who wants more digits gets them written too.  A sensor shown in another unit than its
# own (W shown as kW) is compared exactly, as are totals (energy registers, session energy) and
# everything that is not a measurement: those are written whenever they change.

# beyond this a float holds whole numbers only: no rounding needed (and math.floor of inf would raise)
_EXACT_FROM = float(2**52)


def at_precision(value: float, scale: float) -> float:
    """The value as shown with `scale` = 10**digits: rounded half away from zero, as the frontend rounds."""
    scaled = abs(value) * scale
    if not scaled < _EXACT_FROM:
        return value
    shown = math.floor(scaled + 0.5)
    return float(shown if value >= 0 else -shown)


class ShownSensor(SensorEntity):
    """A sensor that knows the precision its measurement is shown at (`shown_value`)."""

    _display_scale: float | UndefinedType | None = UNDEFINED
    # what was last written (OcppEntity._on_update); reset when the display changes
    _shown: tuple[Any, ...] | None

    def shown_value(self, value: Any) -> Any:
        """The value as the comparison sees it: a measurement at its display precision, anything else as it is."""
        scale = self._display_scale
        if scale is UNDEFINED:
            scale = self._display_scale = self._scale_shown()
        if scale is None or type(value) is not float:
            return value
        return at_precision(value, scale)

    def _scale_shown(self) -> float | None:
        """10**digits of the precision shown, for a measurement shown in its own unit; else None: exact."""
        if self.entity_description.state_class != SensorStateClass.MEASUREMENT:
            return None
        entry = self.registry_entry
        options: Mapping[str, Any] = entry.options.get(SENSOR_DOMAIN, {}) if entry is not None else {}
        precision = options.get("display_precision")
        if precision is None:
            precision = options.get("suggested_display_precision", self.suggested_display_precision)
        if not isinstance(precision, int) or self.unit_of_measurement != self.native_unit_of_measurement:
            return None
        return 10.0**precision

    @callback
    def async_registry_entry_updated(self) -> None:
        """The user chose another precision or unit: compare at that one from now on."""
        super().async_registry_entry_updated()
        self._display_scale = UNDEFINED
        self._shown = None
