"""An OCPP 2.x station's device model: components, their variables, attributes and characteristics.

Built from NotifyReport (reportData entries), kept up to date by NotifyEvent,
GetVariables and SetVariables, persisted as a list of entries in OCPP's own form.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

from ..rpc.values import json_int

# (component name, component instance, evse id, connector id, variable name, variable instance)
VariableKey = tuple[str, str | None, int | None, int | None, str, str | None]

ACTUAL = "Actual"


class VariablePlace(TypedDict, total=False):
    """Which instance of a component's variable: the key's parts beyond the two names (`DeviceModel.get`)."""

    component_instance: str | None
    evse_id: int | None
    connector_id: int | None
    variable_instance: str | None


# variables a station's model holds at most (a FullInventory of a big station has a few thousand)
MAX_VARIABLES = 10_000


def variable_key(component: dict[str, Any], variable: dict[str, Any]) -> VariableKey:
    """Where a component's variable is kept (OCPP ComponentType / VariableType, camelCase)."""
    evse = component.get("evse") or {}
    return (
        str(component.get("name")),
        component.get("instance"),
        json_int(evse.get("id")),
        json_int(evse.get("connectorId")),
        str(variable.get("name")),
        variable.get("instance"),
    )


@dataclass(slots=True)
class DeviceVariable:
    """One variable of one component: its attributes by type (Actual, Target, MinSet, MaxSet)."""

    component: dict[str, Any]
    variable: dict[str, Any]
    # attribute type -> {"value"?, "mutability"?, "persistent"?, "constant"?}
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    characteristics: dict[str, Any] | None = None

    @property
    def value(self) -> str | None:
        """The Actual value (None: not reported, e.g. WriteOnly)."""
        actual = self.attributes.get(ACTUAL)
        value = actual.get("value") if actual is not None else None
        return value if isinstance(value, str) else None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "component": self.component,
            "variable": self.variable,
            "variableAttribute": [{"type": kind, **attribute} for kind, attribute in self.attributes.items()],
        }
        if self.characteristics is not None:
            data["variableCharacteristics"] = self.characteristics
        return data


class DeviceModel:
    """The variables of a station, by component and variable."""

    __slots__ = ("_variables",)

    def __init__(self, entries: Iterable[dict[str, Any]] = ()) -> None:
        self._variables: dict[VariableKey, DeviceVariable] = {}
        for entry in entries:
            self.put(entry)

    def __len__(self) -> int:
        return len(self._variables)

    def __iter__(self) -> Iterator[DeviceVariable]:
        return iter(self._variables.values())

    def put(self, entry: dict[str, Any]) -> None:
        """Merge one reportData entry (NotifyReport): its attributes replace those of the same type."""
        component, variable = entry.get("component"), entry.get("variable")
        if not isinstance(component, dict) or not isinstance(variable, dict) or not component.get("name"):
            return
        key = variable_key(component, variable)
        known = self._variables.get(key)
        if known is None:
            if len(self._variables) >= MAX_VARIABLES:
                return  # reports adding ever new variables must not grow the model (and every save) without end
            known = self._variables[key] = DeviceVariable(_clean(component), _clean(variable))
        for attribute in entry.get("variableAttribute") or ():
            if isinstance(attribute, dict):
                kind = str(attribute.get("type") or ACTUAL)
                known.attributes[kind] = {k: v for k, v in attribute.items() if k not in ("type", "customData")}
        characteristics = entry.get("variableCharacteristics")
        if isinstance(characteristics, dict):
            known.characteristics = _clean(characteristics)

    def merge(self, report: DeviceModel) -> None:
        """Take the variables of a (partial) report: their attributes replace those of the same type."""
        for key, reported in report._variables.items():
            known = self._variables.get(key)
            if known is None:
                if len(self._variables) < MAX_VARIABLES:
                    self._variables[key] = reported
                continue
            known.attributes.update(reported.attributes)
            if reported.characteristics is not None:
                known.characteristics = reported.characteristics

    def get(self, component: str, variable: str, **where: Unpack[VariablePlace]) -> DeviceVariable | None:
        """The variable, of the instance `where` names (what it leaves out: none)."""
        key = (
            component,
            where.get("component_instance"),
            where.get("evse_id"),
            where.get("connector_id"),
            variable,
            where.get("variable_instance"),
        )
        return self._variables.get(key)

    def value(
        self, component: str, variable: str, *, attribute: str = ACTUAL, **where: Unpack[VariablePlace]
    ) -> str | None:
        """A variable's value (of the given attribute type); None when unknown.  `where`: as `get` takes it."""
        found = self.get(component, variable, **where)
        if found is None:
            return None
        value = found.attributes.get(attribute, {}).get("value")
        return value if isinstance(value, str) else None

    def set_value(
        self, component: dict[str, Any], variable: dict[str, Any], value: str, attribute: str = ACTUAL
    ) -> bool:
        """A value learnt from GetVariables, SetVariables or NotifyEvent; True when it changed."""
        key = variable_key(component, variable)
        known = self._variables.get(key)
        if known is None:
            known = self._variables[key] = DeviceVariable(_clean(component), _clean(variable))
        current = known.attributes.setdefault(attribute, {})
        if current.get("value") == value:
            return False
        current["value"] = value
        return True

    def evse_topology(self) -> dict[int, set[int]]:
        """EVSE id -> its connector ids, from the components that name them."""
        topology: dict[int, set[int]] = {}
        for evse_id, connector_id in {(key[2], key[3]) for key in self._variables}:
            if evse_id is None or evse_id <= 0:
                continue
            connectors = topology.setdefault(evse_id, set())
            if connector_id is not None and connector_id > 0:
                connectors.add(connector_id)
        return topology

    def to_list(self) -> list[dict[str, Any]]:
        """Every variable as a reportData entry (JSON-ready)."""
        return [variable.to_dict() for variable in self._variables.values()]


def _clean(value: dict[str, Any]) -> dict[str, Any]:
    """A copy without vendor customData, nested objects copied too."""
    return {k: (_clean(v) if isinstance(v, dict) else v) for k, v in value.items() if k != "customData"}
