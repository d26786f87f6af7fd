"""One charger, whatever OCPP version it speaks: the commands the features and Home Assistant send.

`CentralSystem.charger(station_id)` gives it for a connected charger; the version adapters implement it
(v16/charger.py, v201/charger.py), so they alone know each version's payloads.  Arguments are neutral:
a connector number is the 1.6 connector or the 2.x EVSE (`Station.connectors`), a charging profile is in
a neutral `ChargingProfile` (features/limit_profiles.py builds it), local-list entries are the
neutral `Entry` dicts of features/local_list.py.  Each call answers a `ChargerAnswer`: the neutral status
and the charger's answer as it sent it.  A typed Protocol, so a remote client (the add-on's API) can
implement it too.
"""

from __future__ import annotations

from typing import Any, Protocol

from .charger_commands import ServiceCommands
from .charger_requests import ProfileCriteria, RemoteStart
from .charger_values import (
    UNIT_AMPS,
    UNIT_WATTS,
    Capabilities,
    ChargerAnswer,
    ChargingProfile,
    LocalListLimits,
    TariffSupport,
    count,
    rate_units,
)
from .pricing.notice import CostNotice
from .pricing.tariff import Tariff

# the values are part of this interface: importable from here as before
__all__ = [
    "UNIT_AMPS",
    "UNIT_WATTS",
    "Capabilities",
    "Charger",
    "ChargerAnswer",
    "ChargingProfile",
    "LocalListLimits",
    "TariffSupport",
    "count",
    "rate_units",
]


class Charger(ServiceCommands, Protocol):
    """A connected charger's version-neutral commands (with the services' others: charger_commands.py) and
    capabilities."""

    # ---- capabilities (from what the charger reported) ------------------------------

    @property
    def capabilities(self) -> Capabilities: ...

    @property
    def local_list_limits(self) -> LocalListLimits: ...

    @property
    def meter_interval_key(self) -> str:
        """The name of the charger's meter interval setting (1.6 key, 2.x Component.Variable)."""
        ...

    # ---- core -------------------------------------------------------------------

    async def restart(self, hard: bool = False, *, evse_id: int | None = None, on_idle: bool = False) -> ChargerAnswer:
        """Reset: soft (1.6 Soft, 2.x Immediate: sessions end first) or hard (1.6 Hard, 2.x Immediate); 2.x also
        once idle (OnIdle; 1.6: UnsupportedVersion) and of one EVSE (1.6 resets the whole charger)."""
        ...

    async def unlock(self, connector_id: int, evse_connector_id: int | None = None) -> ChargerAnswer:
        """Unlock a connector (1.6) / the EVSE's connector given, else the one in use, else its first (2.x)."""
        ...

    async def change_availability(
        self, connector_id: int | None, operative: bool, evse_connector_id: int | None = None
    ) -> ChargerAnswer:
        """Operative / Inoperative: the whole charger (None or 0), or one connector / EVSE (2.x: or one connector
        of it)."""
        ...

    async def remote_start(self, request: RemoteStart) -> ChargerAnswer:
        """2.x: `value` is the remoteStartId chosen."""
        ...

    async def set_password(self, password: str) -> ChargerAnswer:
        """Its new Basic-auth password (1.6 AuthorizationKey, hex; 2.x SecurityCtrlr.BasicAuthPassword)."""
        ...

    async def remote_stop(self, transaction_id: str) -> ChargerAnswer:
        """InvalidArgument for an id the version cannot carry (1.6: a number)."""
        ...

    # ---- smart charging -----------------------------------------------------------

    async def set_charging_profile(self, evse_id: int, profile: ChargingProfile) -> ChargerAnswer:
        """evse_id 0: the whole charger."""
        ...

    async def clear_charging_profile(self, criteria: ProfileCriteria) -> ChargerAnswer:
        """The profiles matching every criterion given (purpose in either version's spelling)."""
        ...

    async def get_composite_schedule(self, evse_id: int, duration: int, unit: str | None = None) -> ChargerAnswer: ...

    # ---- local authorization list ----------------------------------------------------

    async def local_list_version(self) -> ChargerAnswer:
        """`value`: the version the charger holds (-1 when it says it has no local list)."""
        ...

    async def send_local_list(self, version: int, update_type: str, entries: list[dict[str, Any]]) -> ChargerAnswer:
        """Full / Differential; `entries` neutral (id_tag, status, expiry, parent; remove: True to remove)."""
        ...

    # ---- meter values --------------------------------------------------------------

    async def meter_interval(self) -> ChargerAnswer:
        """`value`: the interval (s) the charger reports using now (None: unknown)."""
        ...

    async def set_meter_interval(self, seconds: int) -> ChargerAnswer: ...

    # ---- costs (features/pricing) ------------------------------------------------------

    @property
    def shows_costs(self) -> bool:
        """Whether it takes cost messages (1.6: it advertises California Pricing; 2.x: unless it says not)."""
        ...

    async def show_cost(self, notice: CostNotice) -> ChargerAnswer | None:
        """The running or final cost; None when the version tells it otherwise (2.x final: in the
        TransactionEventResponse)."""
        ...

    async def show_user_price(self, id_tag: str, notice: CostNotice) -> ChargerAnswer | None:
        """The tariff of the driver who identified (1.6 SetUserPrice); None when the version has no such message."""
        ...

    @property
    def tariff_support(self) -> TariffSupport | None:
        """How it calculates costs of its own from tariffs it is given (OCPP 2.1 TariffCostCtrlr);
        None: it does not (1.6, 2.0.1, a 2.1 station without Enabled[Tariff] true)."""
        ...

    async def set_default_tariff(self, evse_id: int, tariff: Tariff, tariff_id: str) -> ChargerAnswer:
        """SetDefaultTariff (evse_id 0: every EVSE); only where `tariff_support` is not None."""
        ...

    async def clear_tariffs(self, tariff_ids: list[str]) -> ChargerAnswer:
        """ClearTariffs of those ids (at every EVSE); only where `tariff_support` is not None."""
        ...
