"""What the features (limits, local lists, meter intervals) need of the central system: a narrow port.

`CentralSystem` satisfies `Central` structurally; the features never import it, so there is no import
cycle and they do not know the version packages: the typed commands they send are the protocols below.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..config import CentralSystemConfig
from ..model.events import EventBus
from ..model.station import Station
from ..rpc.endpoint import Payload
from ..state.central_state import CentralState


class V16Port(Protocol):
    """The OCPP 1.6 commands the features send (V16Commands has them)."""

    async def change_configuration(self, key: str, value: str, /) -> Payload: ...

    async def send_local_list(
        self, list_version: int, update_type: str, local_authorization_list: list[dict[str, Any]] | None = None, /
    ) -> Payload: ...

    async def get_local_list_version(self) -> Payload: ...

    async def set_charging_profile(self, connector_id: int, charging_profile: dict[str, Any], /) -> Payload: ...

    async def clear_charging_profile(self, profile_id: int | None = None, /) -> Payload: ...

    async def get_composite_schedule(
        self, connector_id: int, duration: int, charging_rate_unit: str | None = None, /
    ) -> Payload: ...


class V201Port(Protocol):
    """The OCPP 2.0.1 / 2.1 commands the features send (V201Commands has them)."""

    async def get_variables(self, get_variable_data: list[dict[str, Any]], /) -> Payload: ...

    async def set_variables(self, set_variable_data: list[dict[str, Any]], /) -> Payload: ...

    async def send_local_list(
        self, version_number: int, update_type: str, local_authorization_list: list[dict[str, Any]] | None = None, /
    ) -> Payload: ...

    async def get_local_list_version(self) -> Payload: ...

    async def set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], /) -> Payload: ...

    async def clear_charging_profile(self, charging_profile_id: int | None = None, /) -> Payload: ...

    async def get_composite_schedule(
        self, evse_id: int, duration: int, charging_rate_unit: str | None = None, /
    ) -> Payload: ...


class Central(Protocol):
    """The central system as the features see it."""

    config: CentralSystemConfig
    events: EventBus
    state: CentralState

    @property
    def stations(self) -> dict[str, Station]: ...

    def is_connected(self, station_id: str) -> bool: ...

    def v16(self, station_id: str) -> V16Port: ...

    def v201(self, station_id: str) -> V201Port: ...
