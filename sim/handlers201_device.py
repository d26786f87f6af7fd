"""What the simulated 2.0.1 / 2.1 station answers about itself: its device model (GetVariables,
SetVariables, GetBaseReport, GetReport), monitors, display messages, customer data, certificates and
network profiles — with the reports that follow (NotifyReport, NotifyMonitoringReport,
NotifyDisplayMessages, NotifyCustomerInformation).

Handlers get the payload in the `ocpp` package's snake_case and answer with the call_result class of
the station's own version (`_result`), so the same code serves 2.0.1 and 2.1.  See handlers201 for
the rest of the operations.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ocpp.routing import on

from .reports201 import StationReports201
from .state201 import DeviceModelSim

SIM_VENDOR_ID = "OCPPCore.Sim"
PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"
# the monitor types of each GetMonitoringReport criterion
_CRITERIA = {
    "ThresholdMonitoring": ("UpperThreshold", "LowerThreshold"),
    "DeltaMonitoring": ("Delta", "TargetDelta", "TargetDeltaRelative"),
    "PeriodicMonitoring": ("Periodic", "PeriodicClockAligned"),
}
# the variables whose presence puts a component in a GetReport componentCriteria
_COMPONENT_CRITERIA = {
    "Active": ("Active",),
    "Available": ("Available", "AvailabilityState"),
    "Enabled": ("Enabled",),
    "Problem": ("Problem",),
}
_DISPLAY_FORMATS = ("ASCII", "UTF8", "URI", "QRCODE")
_NETWORK_SLOTS = range(1, 4)


def status_info(reason_code: str, additional_info: str | None = None) -> dict[str, Any]:
    """StatusInfoType (snake_case); reason codes are at most 20 characters."""
    info: dict[str, Any] = {"reason_code": reason_code[:20]}
    if additional_info is not None:
        info["additional_info"] = additional_info
    return info


def certificate_hash(certificate: str, serial: int) -> dict[str, str]:
    """CertificateHashDataType (snake_case) for a PEM text: made-up but stable hashes."""
    digest = hashlib.sha256(certificate.encode()).hexdigest()
    return {
        "hash_algorithm": "SHA256",
        "issuer_name_hash": digest[:64],
        "issuer_key_hash": digest[::-1][:64],
        "serial_number": f"{serial:x}",
    }


def _component_matches(wanted: dict[str, Any], component: dict[str, Any]) -> bool:
    """A requested component names this one (no evse / instance given: every one of that name)."""
    if wanted["name"] != component["name"]:
        return False
    if wanted.get("instance") is not None and wanted["instance"] != component.get("instance"):
        return False
    evse, have = wanted.get("evse"), component.get("evse") or {}
    if evse is None:
        return True
    if evse.get("id") != have.get("id"):
        return False
    return evse.get("connector_id") is None or evse["connector_id"] == have.get("connector_id")


def _variable_matches(wanted: dict[str, Any] | None, variable: dict[str, Any]) -> bool:
    if wanted is None:
        return True
    if wanted["name"] != variable["name"]:
        return False
    return wanted.get("instance") is None or wanted["instance"] == variable.get("instance")


class DeviceHandlers201(StationReports201):
    """Device model, monitoring, display messages, customer information, security and network profiles."""

    _call_result: Any  # the version's `call_result` module (set by the ocpp ChargePoint class)

    def _result(self, action: str, **fields: Any) -> Any:
        """The answer to `action` in the station's own OCPP version."""
        return getattr(self._call_result, action)(**fields)

    @property
    def _extra(self) -> dict[str, Any]:
        return self.sim.extra

    def _enabled(self, controller: str) -> bool:
        """A controller's Enabled variable (a controller without one is enabled)."""
        return self.sim.device_model.value(controller, "Enabled") != "false"

    def _lookup_status(self, component: dict[str, Any], variable: dict[str, Any]) -> str | None:
        """None when the variable exists; else UnknownComponent or UnknownVariable."""
        model = self.sim.device_model
        if model.find(component, variable) is not None:
            return None
        wanted = DeviceModelSim.key(component, variable)[:4]
        known = any(key[:4] == wanted for key in model.entries)
        return "UnknownVariable" if known else "UnknownComponent"

    # ---- device model ---------------------------------------------------------------------

    @on("GetVariables")
    def on_get_variables(self, get_variable_data: list[dict[str, Any]], **kwargs: Any) -> Any:
        results = []
        for data in get_variable_data:
            component, variable = data["component"], data["variable"]
            result: dict[str, Any] = {"component": component, "variable": variable}
            if data.get("attribute_type") is not None:
                result["attribute_type"] = data["attribute_type"]
            attribute = self.sim.device_model.attribute(component, variable, data.get("attribute_type") or "Actual")
            unknown = self._lookup_status(component, variable)
            if unknown is not None:
                result["attribute_status"] = unknown
            elif attribute is None:
                result["attribute_status"] = "NotSupportedAttributeType"
            elif attribute.get("mutability") == "WriteOnly":
                result["attribute_status"] = "Rejected"
                result["attribute_status_info"] = status_info("WriteOnly")
            else:
                result["attribute_status"] = "Accepted"
                result["attribute_value"] = attribute.get("value", "")
            results.append(result)
        return self._result("GetVariables", get_variable_result=results)

    def _refuse_value(self, entry: dict[str, Any], attribute: dict[str, Any], value: str) -> str | None:
        """Why this value cannot be set (a reason code), or None."""
        if attribute.get("mutability") == "ReadOnly":
            return "ReadOnly"
        characteristics = entry.get("variable_characteristics") or {}
        data_type = characteristics.get("data_type")
        try:
            if data_type == "integer":
                number: float = int(value)
            elif data_type == "decimal":
                number = float(value)
            else:
                number = 0.0
        except ValueError:
            return "InvalidValue"
        if data_type == "boolean" and value not in ("true", "false"):
            return "InvalidValue"
        limit = characteristics.get("max_limit")
        if limit is not None and number > float(limit):
            return "ValueTooHigh"
        return None

    @on("SetVariables")
    def on_set_variables(self, set_variable_data: list[dict[str, Any]], **kwargs: Any) -> Any:
        results = []
        model = self.sim.device_model
        for data in set_variable_data:
            component, variable, value = data["component"], data["variable"], data["attribute_value"]
            kind = data.get("attribute_type") or "Actual"
            result: dict[str, Any] = {"component": component, "variable": variable}
            if data.get("attribute_type") is not None:
                result["attribute_type"] = kind
            entry = model.find(component, variable)
            attribute = model.attribute(component, variable, kind)
            refused = None
            if entry is None:
                result["attribute_status"] = self._lookup_status(component, variable)
            elif attribute is None:
                result["attribute_status"] = "NotSupportedAttributeType"
            elif (refused := self._refuse_value(entry, attribute, value)) is not None:
                result["attribute_status"] = "Rejected"
                result["attribute_status_info"] = status_info(refused)
            else:
                model.set(component, variable, value, kind)
                result["attribute_status"] = "Accepted"
                if (component["name"], variable["name"]) == ("OCPPCommCtrlr", "HeartbeatInterval"):
                    self.heartbeat_interval = int(value)
            results.append(result)
        return self._result("SetVariables", set_variable_result=results)

    def _items_per_message(self, instance: str = "GetReport") -> int:
        value = self.sim.device_model.value("DeviceDataCtrlr", "ItemsPerMessage", variable_instance=instance)
        return int(value or 8)

    @on("GetBaseReport")
    def on_get_base_report(self, request_id: int, report_base: str, **kwargs: Any) -> Any:
        if not self.sim.device_model.report(report_base):
            return self._result("GetBaseReport", status="EmptyResultSet")
        self.then(lambda: self.send_report(request_id, report_base))
        return self._result("GetBaseReport", status="Accepted")

    @on("GetReport")
    def on_get_report(
        self,
        request_id: int,
        component_variable: list[dict[str, Any]] | None = None,
        component_criteria: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        entries = list(self.sim.device_model.entries.values())
        if component_variable:
            entries = [
                e
                for e in entries
                if any(
                    _component_matches(cv["component"], e["component"])
                    and _variable_matches(cv.get("variable"), e["variable"])
                    for cv in component_variable
                )
            ]
        if component_criteria:
            names = {name for criterion in component_criteria for name in _COMPONENT_CRITERIA.get(criterion, ())}
            having = {
                DeviceModelSim.key(e["component"], e["variable"])[:4] for e in entries if e["variable"]["name"] in names
            }
            entries = [e for e in entries if DeviceModelSim.key(e["component"], e["variable"])[:4] in having]
        if not entries:
            return self._result("GetReport", status="EmptyResultSet")
        size = self._items_per_message()
        self.then(lambda: self.send_report_entries(request_id, entries, size))
        return self._result("GetReport", status="Accepted")

    # ---- monitoring -----------------------------------------------------------------------

    def _monitor_status(self, data: dict[str, Any]) -> str:
        component, variable = data["component"], data["variable"]
        unknown = self._lookup_status(component, variable)
        if unknown is not None:
            return unknown
        entry = self.sim.device_model.find(component, variable) or {}
        if not (entry.get("variable_characteristics") or {}).get("supports_monitoring"):
            return "UnsupportedMonitorType"
        if not 0 <= data["severity"] <= 9 or (data.get("id") is not None and data["id"] not in self.sim.monitors):
            return "Rejected"
        for monitor_id, monitor in self.sim.monitors.items():
            same = (monitor["component"], monitor["variable"], monitor["type"], monitor["severity"])
            if monitor_id != data.get("id") and same == (component, variable, data["type"], data["severity"]):
                return "Duplicate"
        return "Accepted"

    @on("SetVariableMonitoring")
    def on_set_variable_monitoring(self, set_monitoring_data: list[dict[str, Any]], **kwargs: Any) -> Any:
        results = []
        for data in set_monitoring_data:
            status = self._monitor_status(data)
            result: dict[str, Any] = {
                "status": status,
                "type": data["type"],
                "severity": data["severity"],
                "component": data["component"],
                "variable": data["variable"],
            }
            if status == "Accepted":
                monitor_id = data.get("id")
                if monitor_id is None:
                    monitor_id = max(self.sim.monitors, default=0) + 1
                self.sim.monitors[monitor_id] = {**data, "id": monitor_id}
                result["id"] = monitor_id
            elif data.get("id") is not None:
                result["id"] = data["id"]
            results.append(result)
        return self._result("SetVariableMonitoring", set_monitoring_result=results)

    @on("ClearVariableMonitoring")
    def on_clear_variable_monitoring(self, id: list[int], **kwargs: Any) -> Any:
        results = [
            {"id": monitor_id, "status": "Accepted" if self.sim.monitors.pop(monitor_id, None) else "NotFound"}
            for monitor_id in id
        ]
        return self._result("ClearVariableMonitoring", clear_monitoring_result=results)

    @on("SetMonitoringBase")
    def on_set_monitoring_base(self, monitoring_base: str, **kwargs: Any) -> Any:
        # every monitor here was set by the central system: only "All" keeps them
        if monitoring_base != "All":
            self.sim.monitors.clear()
        self._extra["monitoring_base"] = monitoring_base
        return self._result("SetMonitoringBase", status="Accepted")

    @on("SetMonitoringLevel")
    def on_set_monitoring_level(self, severity: int, **kwargs: Any) -> Any:
        if not 0 <= severity <= 9:
            return self._result("SetMonitoringLevel", status="Rejected", status_info=status_info("OutOfRange"))
        self._extra["monitoring_level"] = severity
        return self._result("SetMonitoringLevel", status="Accepted")

    @on("GetMonitoringReport")
    def on_get_monitoring_report(
        self,
        request_id: int,
        component_variable: list[dict[str, Any]] | None = None,
        monitoring_criteria: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        types = {t for criterion in monitoring_criteria or () for t in _CRITERIA.get(criterion, ())}
        grouped: dict[Any, dict[str, Any]] = {}
        for monitor in self.sim.monitors.values():
            if types and monitor["type"] not in types:
                continue
            if component_variable and not any(
                _component_matches(cv["component"], monitor["component"])
                and _variable_matches(cv.get("variable"), monitor["variable"])
                for cv in component_variable
            ):
                continue
            key = DeviceModelSim.key(monitor["component"], monitor["variable"])
            entry = grouped.setdefault(
                key, {"component": monitor["component"], "variable": monitor["variable"], "variable_monitoring": []}
            )
            entry["variable_monitoring"].append(
                {k: monitor[k] for k in ("id", "value", "type", "severity")}
                | {"transaction": bool(monitor.get("transaction", False))}
            )
        if not grouped:
            return self._result("GetMonitoringReport", status="EmptyResultSet")
        monitors = list(grouped.values())
        size = self._items_per_message()
        self.then(lambda: self.notify_monitoring_report(request_id, monitors, size))
        return self._result("GetMonitoringReport", status="Accepted")

    # ---- display messages -----------------------------------------------------------------

    def _transaction_known(self, transaction_id: str) -> bool:
        return any(evse.transaction_id == transaction_id for evse in self.sim.evses.values())

    @on("SetDisplayMessage")
    def on_set_display_message(self, message: dict[str, Any], **kwargs: Any) -> Any:
        if message["message"]["format"] not in _DISPLAY_FORMATS:
            return self._result("SetDisplayMessage", status="NotSupportedMessageFormat")
        transaction_id = message.get("transaction_id")
        if transaction_id is not None and not self._transaction_known(transaction_id):
            return self._result("SetDisplayMessage", status="UnknownTransaction")
        self.sim.display_messages[message["id"]] = message
        return self._result("SetDisplayMessage", status="Accepted")

    @on("GetDisplayMessages")
    def on_get_display_messages(
        self,
        request_id: int,
        id: list[int] | None = None,
        priority: str | None = None,
        state: str | None = None,
        **kwargs: Any,
    ) -> Any:
        found = [
            message
            for message in self.sim.display_messages.values()
            if (not id or message["id"] in id)
            and (priority is None or message["priority"] == priority)
            and (state is None or message.get("state") == state)
        ]
        if not found:
            return self._result("GetDisplayMessages", status="Unknown")
        self.then(lambda: self.notify_display_messages(request_id, found))
        return self._result("GetDisplayMessages", status="Accepted")

    @on("ClearDisplayMessage")
    def on_clear_display_message(self, id: int, **kwargs: Any) -> Any:
        known = self.sim.display_messages.pop(id, None) is not None
        return self._result("ClearDisplayMessage", status="Accepted" if known else "Unknown")

    # ---- customer information -------------------------------------------------------------

    @on("CustomerInformation")
    def on_customer_information(
        self,
        request_id: int,
        report: bool,
        clear: bool,
        customer_identifier: str | None = None,
        id_token: dict[str, Any] | None = None,
        customer_certificate: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if customer_identifier is None and id_token is None and customer_certificate is None:
            return self._result("CustomerInformation", status="Invalid")
        token = id_token["id_token"] if id_token is not None else None
        lines = []
        if report:
            if token is not None and token in self.sim.local_list:
                lines.append(f"idToken {token}: local list, {self.sim.local_list[token]['status']}")
            for evse in self.sim.evses.values():
                if token is not None and (evse.id_token or {}).get("id_token") == token:
                    lines.append(f"idToken {token}: transaction {evse.transaction_id} on EVSE {evse.evse_id}")
            if customer_identifier is not None:
                lines.append(f"customer {customer_identifier}: no data")
            if not lines:
                lines.append("No data")
        if clear:
            if token is not None:
                self.sim.local_list.pop(token, None)
            lines.append("Cleared")
        self.then(lambda: self.notify_customer_information(request_id, "; ".join(lines)[:512]))
        return self._result("CustomerInformation", status="Accepted")

    # ---- security -------------------------------------------------------------------------

    @on("CertificateSigned")
    def on_certificate_signed(self, certificate_chain: str, certificate_type: str | None = None, **kwargs: Any) -> Any:
        if PEM_CERTIFICATE not in certificate_chain:
            return self._result("CertificateSigned", status="Rejected", status_info=status_info("InvalidCertificate"))
        chains = self._extra.setdefault("certificate_chains", {})
        chains[certificate_type or "ChargingStationCertificate"] = certificate_chain
        self.sim.csr = None
        return self._result("CertificateSigned", status="Accepted")

    @on("InstallCertificate")
    def on_install_certificate(self, certificate_type: str, certificate: str, **kwargs: Any) -> Any:
        if PEM_CERTIFICATE not in certificate:
            return self._result("InstallCertificate", status="Rejected", status_info=status_info("InvalidCertificate"))
        installed = self.sim.certificates.setdefault(certificate_type, [])
        serial = sum(len(certs) for certs in self.sim.certificates.values()) + 1
        installed.append({"certificate": certificate, "hash": certificate_hash(certificate, serial)})
        return self._result("InstallCertificate", status="Accepted")

    @on("GetInstalledCertificateIds")
    def on_get_installed_certificate_ids(self, certificate_type: list[str] | None = None, **kwargs: Any) -> Any:
        chains = [
            {"certificate_type": kind, "certificate_hash_data": entry["hash"]}
            for kind, entries in self.sim.certificates.items()
            if not certificate_type or kind in certificate_type
            for entry in entries
        ]
        if not chains:
            return self._result("GetInstalledCertificateIds", status="NotFound")
        return self._result("GetInstalledCertificateIds", status="Accepted", certificate_hash_data_chain=chains)

    @on("DeleteCertificate")
    def on_delete_certificate(self, certificate_hash_data: dict[str, Any], **kwargs: Any) -> Any:
        for entries in self.sim.certificates.values():
            for entry in entries:
                if entry["hash"] == certificate_hash_data:
                    entries.remove(entry)
                    return self._result("DeleteCertificate", status="Accepted")
        return self._result("DeleteCertificate", status="NotFound")

    @on("SetNetworkProfile")
    def on_set_network_profile(self, configuration_slot: int, connection_data: dict[str, Any], **kwargs: Any) -> Any:
        current = int(self.sim.device_model.value("SecurityCtrlr", "SecurityProfile") or 0)
        if configuration_slot not in _NETWORK_SLOTS:
            return self._result("SetNetworkProfile", status="Rejected", status_info=status_info("InvalidSlot"))
        if connection_data["security_profile"] < current:
            return self._result("SetNetworkProfile", status="Rejected", status_info=status_info("SecurityDowngrade"))
        if not str(connection_data["ocpp_csms_url"]).startswith(("ws://", "wss://")):
            return self._result("SetNetworkProfile", status="Rejected", status_info=status_info("InvalidURL"))
        self._extra.setdefault("network_profiles", {})[configuration_slot] = connection_data
        return self._result("SetNetworkProfile", status="Accepted")

    # ---- data transfer --------------------------------------------------------------------

    @on("DataTransfer")
    def on_data_transfer(self, vendor_id: str, message_id: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if vendor_id != SIM_VENDOR_ID:
            return self._result("DataTransfer", status="UnknownVendorId")
        if message_id not in (None, "Echo"):
            return self._result("DataTransfer", status="UnknownMessageId")
        return self._result("DataTransfer", status="Accepted", data=data)
