"""What a bench charger says, per OCPP version: its set-up calls, its meter message, its answers.

The load generator (`bench.load`) owns the sockets and the timing; this module only builds
payloads, so the same charger can speak 1.6J (MeterValues) or 2.0.1 (TransactionEvent Updated).
Both carry the same reading: a 3-phase 11 kW charge, 10 sampled values, schema-valid, whose
power, currents and voltages move a little from one reading to the next, as a real charge's do.
"""

from __future__ import annotations

import time
from typing import Any

VERSIONS = ("1.6", "2.0.1")
_VOLTAGES = [229.0 + i / 10 for i in range(20)]
# a real charge wanders a little from reading to reading: power by a few watts, currents by 0.1 A
_POWERS = [11040 + (i * 7) % 41 - 20 for i in range(20)]
_CURRENTS = [16.0 + (i % 5 - 2) / 10 for i in range(20)]

_last_second = -1
_last_stamp = ""


def timestamp() -> str:
    """The current UTC time as OCPP wants it (formatted at most once a second)."""
    global _last_second, _last_stamp
    now = int(time.time())
    if now != _last_second:
        _last_second, _last_stamp = now, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    return _last_stamp


class ChargerMessages:
    """OCPP 1.6J: BootNotification, StartTransaction, StatusNotification, then MeterValues."""

    subprotocol = "ocpp1.6"
    meter_action = "MeterValues"

    def __init__(self, index: int, energy_wh: float) -> None:
        self.index = index
        self.energy_wh = energy_wh
        self.transaction_id: int | str = 1000 + index

    def setup_calls(self) -> list[tuple[str, dict[str, Any]]]:
        """The first call's answer is the boot; `took_answer` sees each answer in turn."""
        return [
            ("BootNotification", {"chargePointVendor": "Bench", "chargePointModel": "Load-16",
                                  "chargePointSerialNumber": f"BENCH-{self.index}", "firmwareVersion": "1.0.0"}),
            ("StartTransaction", {"connectorId": 1, "idTag": f"TAG{self.index}", "meterStart": int(self.energy_wh),
                                  "timestamp": timestamp()}),
            ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging",
                                    "timestamp": timestamp()}),
        ]  # fmt: skip

    def took_answer(self, action: str, answer: Any) -> None:
        if action == "StartTransaction" and isinstance(answer, dict) and isinstance(answer.get("transactionId"), int):
            self.transaction_id = answer["transactionId"]  # raw-echo answers {}: keep the made-up one

    def meter_payload(self, stamp: str, seq: int) -> dict[str, Any]:
        """The message of one reading; `seq` counts the messages sent."""
        values = [
            {"value": f"{self.energy_wh:.1f}", "context": "Sample.Periodic", "format": "Raw",
             "measurand": "Energy.Active.Import.Register", "location": "Outlet", "unit": "Wh"},
            {"value": str(_POWERS[seq % 20]), "context": "Sample.Periodic", "measurand": "Power.Active.Import",
             "unit": "W"},
        ]  # fmt: skip
        for phase in ("L1", "L2", "L3"):
            values.append({"value": f"{_CURRENTS[seq % 20]:.1f}", "measurand": "Current.Import", "phase": phase,
                           "unit": "A"})  # fmt: skip
        voltage = f"{_VOLTAGES[seq % 20]:.1f}"
        for phase in ("L1-N", "L2-N", "L3-N"):
            values.append({"value": voltage, "measurand": "Voltage", "phase": phase, "unit": "V"})
        values.append({"value": "57", "measurand": "SoC", "location": "EV", "unit": "Percent"})
        values.append({"value": "16", "measurand": "Current.Offered", "unit": "A"})
        meter_value = {"timestamp": stamp, "sampledValue": values}
        return {"connectorId": 1, "transactionId": self.transaction_id, "meterValue": [meter_value]}

    def answer(self, action: str, payload: Any) -> dict[str, Any] | None:
        """The answer to a CALL of the central system's, or None: not implemented."""
        if action == "GetConfiguration":  # a central system may read it after a boot
            return {
                "configurationKey": [
                    {"key": "NumberOfConnectors", "readonly": True, "value": "1"},
                    {"key": "SupportedFeatureProfiles", "readonly": True, "value": "Core"},
                    {"key": "MeterValueSampleInterval", "readonly": False, "value": "1"},
                ]
            }
        return None


class StationMessages(ChargerMessages):
    """OCPP 2.0.1: BootNotification, StatusNotification, TransactionEvent Started, then Updated."""

    subprotocol = "ocpp2.0.1"
    meter_action = "TransactionEvent"

    def __init__(self, index: int, energy_wh: float) -> None:
        super().__init__(index, energy_wh)
        self.transaction_id = f"bench-tx-{index}"
        self._seq_no = 0

    def _event(self, event_type: str, trigger: str, stamp: str, meter: list[dict[str, Any]]) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "eventType": event_type,
            "timestamp": stamp,
            "triggerReason": trigger,
            "seqNo": self._seq_no,
            "transactionInfo": {"transactionId": self.transaction_id, "chargingState": "Charging"},
            "meterValue": meter,
        }
        self._seq_no += 1
        return payload

    def setup_calls(self) -> list[tuple[str, dict[str, Any]]]:
        started = self._event("Started", "Authorized", timestamp(), self._reading(timestamp(), 0, "Transaction.Begin"))
        started["evse"] = {"id": 1, "connectorId": 1}
        started["idToken"] = {"idToken": f"TAG{self.index}", "type": "ISO14443"}
        return [
            ("BootNotification", {"reason": "PowerUp", "chargingStation": {
                "vendorName": "Bench", "model": "Load-201", "serialNumber": f"BENCH-{self.index}",
                "firmwareVersion": "1.0.0"}}),
            ("StatusNotification", {"timestamp": timestamp(), "connectorStatus": "Occupied", "evseId": 1,
                                    "connectorId": 1}),
            ("TransactionEvent", started),
        ]  # fmt: skip

    def took_answer(self, action: str, answer: Any) -> None:
        """The transaction id is the station's own in 2.x: nothing to take."""

    def _reading(self, stamp: str, seq: int, context: str) -> list[dict[str, Any]]:
        values: list[dict[str, Any]] = [
            {"value": round(self.energy_wh, 1), "context": context, "measurand": "Energy.Active.Import.Register",
             "location": "Outlet", "unitOfMeasure": {"unit": "Wh"}},
            {"value": _POWERS[seq % 20], "context": context, "measurand": "Power.Active.Import",
             "unitOfMeasure": {"unit": "W"}},
        ]  # fmt: skip
        for phase in ("L1", "L2", "L3"):
            values.append({"value": _CURRENTS[seq % 20], "measurand": "Current.Import", "phase": phase,
                           "context": context})  # fmt: skip
        voltage = _VOLTAGES[seq % 20]
        for phase in ("L1-N", "L2-N", "L3-N"):
            values.append({"value": voltage, "measurand": "Voltage", "phase": phase, "context": context})
        values.append({"value": 57, "measurand": "SoC", "location": "EV", "context": context})
        values.append({"value": 16, "measurand": "Current.Offered", "context": context})
        return [{"timestamp": stamp, "sampledValue": values}]

    def meter_payload(self, stamp: str, seq: int) -> dict[str, Any]:
        return self._event("Updated", "MeterValuePeriodic", stamp, self._reading(stamp, seq, "Sample.Periodic"))

    def answer(self, action: str, payload: Any) -> dict[str, Any] | None:
        """What the central system asks after a boot, answered as a station with no device model would."""
        if action == "GetBaseReport":
            return {"status": "NotSupported"}  # no inventory: not asked again for this firmware
        if action in ("GetVariables", "SetVariables"):
            kind = action[:3].lower()  # getVariableData → getVariableResult, setVariableData → setVariableResult
            wanted = payload.get(f"{kind}VariableData", []) if isinstance(payload, dict) else []
            return {f"{kind}VariableResult": [_unknown_variable(item) for item in wanted]}
        return None


def _unknown_variable(item: dict[str, Any]) -> dict[str, Any]:
    """The answer about one variable of a station that knows none."""
    return {
        "attributeStatus": "UnknownVariable",
        "component": item.get("component", {"name": "?"}),
        "variable": item.get("variable", {"name": "?"}),
    }


def messages_for(version: str, index: int, energy_wh: float) -> ChargerMessages:
    if version == "2.0.1":
        return StationMessages(index, energy_wh)
    return ChargerMessages(index, energy_wh)
