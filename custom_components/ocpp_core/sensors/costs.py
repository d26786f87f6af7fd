"""Session cost sensors of a connector (OCPP 2.x: EVSE): the running session's cost and the last one's.

The central system prices each session by its tariff (csms/features/pricing) and keeps the cost on the
transaction; these show it, in the tariff's currency (monetary, so the unit is the currency code).
Unknown while no tariff applies: a session without one has no cost, rather than a cost of zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription

from ..csms import Connector, Transaction
from ..entity import OcppEntity, OcppEntityDescription


def _running(connector: Connector) -> Transaction | None:
    return connector.transaction


def _last(connector: Connector) -> Transaction | None:
    return connector.last_transaction


@dataclass(frozen=True, kw_only=True)
class CostSensorDescription(OcppEntityDescription, SensorEntityDescription):
    transaction_fn: Callable[[Connector], Transaction | None]
    # the cost was counted by the central system: it stays while the charger is offline
    available_offline: bool = True


COST_SENSORS = tuple(
    CostSensorDescription(
        key=key, translation_key=key, device_class=SensorDeviceClass.MONETARY, transaction_fn=transaction_fn
    )
    for key, transaction_fn in (("session_cost", _running), ("last_session_cost", _last))
)


class CostSensor(OcppEntity, SensorEntity):
    """Keeps its value while the charger is offline (the cost was counted by the central system)."""

    entity_description: CostSensorDescription

    @property
    def _cost(self) -> dict[str, Any] | None:
        connector = self.connector
        tx = None if connector is None else self.entity_description.transaction_fn(connector)
        return None if tx is None else tx.cost

    @property
    def native_value(self) -> Decimal | None:
        cost = self._cost
        return None if cost is None else Decimal(cost["total"])

    @property
    def native_unit_of_measurement(self) -> str | None:
        cost = self._cost
        return None if cost is None else str(cost["currency"])

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        cost = self._cost
        if cost is None:
            return None
        tariff = cost.get("tariff") or {}
        return {
            "energy_kwh": float(cost["energy_kwh"]),
            "final": cost["final"],
            "tariff": tariff.get("name") or tariff.get("scope"),
            "limit_reached": cost.get("limit_reached"),
        }

    def _shown_now(self) -> tuple[Any, ...]:
        cost = self._cost
        shown = None if cost is None else (cost["total"], cost["currency"], cost["final"], cost["energy_kwh"])
        return (self.available, shown)
