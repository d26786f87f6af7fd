"""The `Charger` of an OCPP 2.1 station: 2.0.1's, and the tariffs of a station that calculates costs itself
(TariffCostCtrlr: Enabled[Tariff] true; ConditionsSupported[Tariff], MaxElements[Tariff] say what it takes)."""

from __future__ import annotations

from ..features.charger import ChargerAnswer, TariffSupport, count
from ..features.pricing.tariff import Tariff
from ..v201.charger import V201Charger
from .commands import V21Commands
from .tariffs import element_count, has_conditions, tariff_type

_CTRLR = "TariffCostCtrlr"


class V21Charger(V201Charger):
    """2.0.1's commands in 2.1's form, plus the station's tariffs."""

    _commands: V21Commands

    @property
    def tariff_support(self) -> TariffSupport | None:
        station = self._state.stations.get(self._station_id)
        if station is None or station.v2 is None:
            return None
        model = station.v2.device_model
        enabled = model.value(_CTRLR, "Enabled", variable_instance="Tariff")
        if enabled is None or enabled.strip().lower() != "true":
            return None
        conditions = model.value(_CTRLR, "ConditionsSupported", variable_instance="Tariff")
        return TariffSupport(
            conditions=conditions is None or conditions.strip().lower() != "false",
            max_elements=count(model.value(_CTRLR, "MaxElements", variable_instance="Tariff")),
        )

    def refusal(self, tariff: Tariff) -> ChargerAnswer | None:
        """The answer the station would give to a tariff it says it cannot take (None: it can)."""
        support = self.tariff_support or TariffSupport()
        if not support.conditions and has_conditions(tariff):
            return ChargerAnswer("ConditionNotSupported", {"reason": "ConditionsSupported[Tariff] is false"})
        if support.max_elements is not None and element_count(tariff) > support.max_elements:
            return ChargerAnswer("TooManyElements", {"reason": f"MaxElements[Tariff] is {support.max_elements}"})
        return None

    async def set_default_tariff(self, evse_id: int, tariff: Tariff, tariff_id: str) -> ChargerAnswer:
        """SetDefaultTariff; a tariff the station says it cannot take is answered here, unsent."""
        refused = self.refusal(tariff)
        if refused is not None:
            return refused
        return ChargerAnswer.of(await self._commands.set_default_tariff(evse_id, tariff_type(tariff, tariff_id)))

    async def clear_tariffs(self, tariff_ids: list[str]) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.clear_tariffs(tariff_ids))
