"""The simulated OCPP 2.0.1 / 2.1 station's state: its EVSEs, its device model, what it was told.

Payload pieces are kept in the `ocpp` package's snake_case (it converts them to
OCPP's camelCase on the wire).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class EvseSim:
    """One EVSE: its connectors' statuses, its meter, its transaction."""

    evse_id: int
    connectors: dict[int, str] = field(default_factory=lambda: {1: "Available"})
    energy_wh: float = 0.0
    power_w: float = 0.0
    operative: bool = True
    transaction_id: str | None = None
    # the next TransactionEvent seqNo of its transaction (0 for Started)
    seq_no: int = 0
    charging_state: str | None = None
    id_token: dict[str, Any] | None = None
    remote_start_id: int | None = None
    reservation_id: int | None = None
    ev_max_w: float = 11_000.0  # what the EV would take; the charging profiles may allow less
    offered_amps: float = 16.0  # the current per phase the charging profiles allow it now
    session_start: datetime | None = None


# (component name, component instance, evse id, connector id, variable name, variable instance)
VarKey = tuple[str, str | None, int | None, int | None, str, str | None]


# what the simulated station's local authorization list takes: per SendLocalList, and in all
LOCAL_LIST_ITEMS_PER_MESSAGE = 50
LOCAL_LIST_MAX_ENTRIES = 200


def _entry(
    component: str,
    variable: str,
    value: str | None,
    mutability: str = "ReadOnly",
    data_type: str = "string",
    evse_id: int | None = None,
    connector_id: int | None = None,
    unit: str | None = None,
    max_limit: float | None = None,
) -> dict[str, Any]:
    comp: dict[str, Any] = {"name": component}
    if evse_id is not None:
        comp["evse"] = {"id": evse_id, **({"connector_id": connector_id} if connector_id is not None else {})}
    attribute: dict[str, Any] = {"type": "Actual", "mutability": mutability, "persistent": True, "constant": False}
    if value is not None:
        attribute["value"] = value
    characteristics: dict[str, Any] = {"data_type": data_type, "supports_monitoring": data_type != "string"}
    if unit is not None:
        characteristics["unit"] = unit
    if max_limit is not None:
        characteristics["max_limit"] = max_limit
    return {
        "component": comp,
        "variable": {"name": variable},
        "variable_attribute": [attribute],
        "variable_characteristics": characteristics,
    }


class DeviceModelSim:
    """The station's variables, as NotifyReport reportData entries (snake_case)."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries: dict[VarKey, dict[str, Any]] = {}
        for entry in entries:
            self.entries[self.key(entry["component"], entry["variable"])] = entry

    @staticmethod
    def key(component: dict[str, Any], variable: dict[str, Any]) -> VarKey:
        evse = component.get("evse") or {}
        return (
            component["name"],
            component.get("instance"),
            evse.get("id"),
            evse.get("connector_id"),
            variable["name"],
            variable.get("instance"),
        )

    def find(self, component: dict[str, Any], variable: dict[str, Any]) -> dict[str, Any] | None:
        return self.entries.get(self.key(component, variable))

    def attribute(
        self, component: dict[str, Any], variable: dict[str, Any], attribute_type: str = "Actual"
    ) -> dict[str, Any] | None:
        entry = self.find(component, variable)
        if entry is None:
            return None
        for attribute in entry["variable_attribute"]:
            if attribute.get("type", "Actual") == attribute_type:
                return dict(attribute)
        return None

    def value(
        self, component: str, variable: str, evse_id: int | None = None, variable_instance: str | None = None
    ) -> str | None:
        comp: dict[str, Any] = {"name": component, **({"evse": {"id": evse_id}} if evse_id is not None else {})}
        var: dict[str, Any] = {"name": variable, **({"instance": variable_instance} if variable_instance else {})}
        attribute = self.attribute(comp, var)
        return attribute.get("value") if attribute is not None else None

    def set(
        self, component: dict[str, Any], variable: dict[str, Any], value: str, attribute_type: str = "Actual"
    ) -> bool:
        """Set a value; False when the variable (or that attribute) does not exist."""
        entry = self.find(component, variable)
        if entry is None:
            return False
        for attribute in entry["variable_attribute"]:
            if attribute.get("type", "Actual") == attribute_type:
                attribute["value"] = value
                return True
        return False

    def report(self, report_base: str) -> list[dict[str, Any]]:
        """The entries a GetBaseReport returns: all (FullInventory), the writable ones
        (ConfigurationInventory) or the availability states (SummaryInventory)."""
        entries = list(self.entries.values())
        if report_base == "ConfigurationInventory":
            return [e for e in entries if e["variable_attribute"][0].get("mutability") != "ReadOnly"]
        if report_base == "SummaryInventory":
            return [e for e in entries if e["variable"]["name"] in ("AvailabilityState", "Problem")]
        return entries


def default_device_model(
    evses: dict[int, EvseSim], vendor: str, model: str, serial: str, firmware: str
) -> DeviceModelSim:
    """What a typical AC station with these EVSEs reports to GetBaseReport FullInventory."""
    entries = [
        _entry("ChargingStation", "Model", model),
        _entry("ChargingStation", "VendorName", vendor),
        _entry("ChargingStation", "SerialNumber", serial),
        _entry("ChargingStation", "AvailabilityState", "Available"),
        _entry("ChargingStation", "Available", "true", data_type="boolean"),
        _entry("Controller", "FirmwareVersion", firmware),
        _entry("OCPPCommCtrlr", "HeartbeatInterval", "300", "ReadWrite", "integer", unit="s"),
        _entry("OCPPCommCtrlr", "MessageTimeout", "30", "ReadOnly", "integer", unit="s"),
        _entry("SampledDataCtrlr", "TxUpdatedInterval", "60", "ReadWrite", "integer", unit="s"),
        _entry(
            "SampledDataCtrlr",
            "TxUpdatedMeasurands",
            "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC",
            "ReadWrite",
            "MemberList",
        ),
        _entry("AuthCtrlr", "AuthorizeRemoteStart", "false", "ReadWrite", "boolean"),
        _entry("AuthCtrlr", "LocalAuthorizeOffline", "true", "ReadWrite", "boolean"),
        _entry("SecurityCtrlr", "SecurityProfile", "1", "ReadOnly", "integer"),
        _entry("SecurityCtrlr", "BasicAuthPassword", None, "WriteOnly"),
        _entry("TxCtrlr", "EVConnectionTimeOut", "60", "ReadWrite", "integer", unit="s"),
        _entry("DeviceDataCtrlr", "ItemsPerMessage", "8", data_type="integer", unit="")
        | {"variable": {"name": "ItemsPerMessage", "instance": "GetReport"}},
        _entry("LocalAuthListCtrlr", "Enabled", "true", "ReadWrite", "boolean"),
        _entry("LocalAuthListCtrlr", "ItemsPerMessage", str(LOCAL_LIST_ITEMS_PER_MESSAGE), data_type="integer"),
        _entry("LocalAuthListCtrlr", "Entries", "0", data_type="integer", max_limit=LOCAL_LIST_MAX_ENTRIES),
        _entry("SmartChargingCtrlr", "Enabled", "true", "ReadWrite", "boolean"),
        _entry("SmartChargingCtrlr", "RateUnit", "A,W", data_type="MemberList"),
        _entry("SmartChargingCtrlr", "ProfileStackLevel", "8", data_type="integer"),
        _entry("ReservationCtrlr", "Enabled", "true", "ReadWrite", "boolean"),
    ]
    for evse in evses.values():
        entries.append(_entry("EVSE", "AvailabilityState", "Available", evse_id=evse.evse_id))
        entries.append(
            _entry("EVSE", "Power", "0", data_type="decimal", evse_id=evse.evse_id, unit="W", max_limit=11000)
        )
        entries.append(_entry("EVSE", "SupplyPhases", "3", data_type="integer", evse_id=evse.evse_id))
        for connector_id in evse.connectors:
            entries.append(
                _entry("Connector", "ConnectorType", "cType2", evse_id=evse.evse_id, connector_id=connector_id)
            )
            entries.append(
                _entry("Connector", "AvailabilityState", "Available", evse_id=evse.evse_id, connector_id=connector_id)
            )
    return DeviceModelSim(entries)


@dataclass
class StationState201:
    """Everything the simulated station keeps; handlers201 reads and changes it too."""

    evses: dict[int, EvseSim]
    device_model: DeviceModelSim
    vendor: str = "OCPP Core"
    model: str = "Simulator 201"
    firmware_version: str = "2.0.0"
    main_meter_wh: float = 5_000_000.0
    local_list_version: int = 0
    # idToken -> IdTokenInfo (snake_case), the local authorization list
    local_list: dict[str, dict[str, Any]] = field(default_factory=dict)
    # reservation id -> {"evse_id", "id_token", "expiry_date_time", "group_id_token"}
    reservations: dict[int, dict[str, Any]] = field(default_factory=dict)
    # charging profile id -> {"evse_id", "profile"} (snake_case, as received)
    charging_profiles: dict[int, dict[str, Any]] = field(default_factory=dict)
    # tests: SetChargingProfile is rejected with this reasonCode instead of being obeyed
    refuse_profiles: str | None = None
    # the rate units it takes when SmartChargingCtrlr.RateUnit names none
    silent_rate_units: str = "A,W"
    # certificate type -> [{"certificate", "hash"}]
    certificates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # display message id -> MessageInfo (snake_case)
    display_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    # monitor id -> SetMonitoringData (snake_case)
    monitors: dict[int, dict[str, Any]] = field(default_factory=dict)
    csr: str | None = None
    # anything else a handler wants to keep
    extra: dict[str, Any] = field(default_factory=dict)
