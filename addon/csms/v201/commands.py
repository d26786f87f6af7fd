"""OCPP 2.0.1 / 2.1: every central-system → charging-station operation as a typed async call.

Each method builds the payload from Python values (datetimes become OCPP
timestamps, also inside the dicts given), sends it — checked against the
station's schema first, so a mistake raises InvalidCall and nothing is sent
(see RpcEndpoint.call) — and returns the station's answer as sent (camelCase
keys).  Complex structures (charging profiles, network profiles, display
messages, monitors, device-model entries) are passed as dicts in OCPP's
camelCase; `component()`, `variable()` and `id_token_of()` build the common ones.
Request ids are the caller's to allocate.  What an answer means for the domain
model is recorded at the call layer (answers.py).

2.1 adds fields and enum values to several actions (Reset ImmediateAndResume,
TriggerMessage customTrigger, CertificateSigned requestId …); they are offered
here as optional arguments, and the schema check refuses them on 2.0.1.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..features.charger_requests import FirmwareUpdate, ProfileCriteria
from ..features.security_commands import VersionCommands
from ..rpc.endpoint import Payload
from ..rpc.payload import payload as _payload
from ..rpc.types import InvalidCall

# an idToken as a plain string (typed by `id_token_type`) or as a complete IdTokenType dict
IdToken = str | dict[str, Any]


def id_token_of(token: IdToken, token_type: str = "Central") -> dict[str, Any]:
    """IdTokenType: a plain token with its type (Central, ISO14443, eMAID …), or the dict as given."""
    if isinstance(token, dict):
        return token
    return {"idToken": token, "type": token_type}


def evse(evse_id: int, connector_id: int | None = None) -> dict[str, Any]:
    """EVSEType: an EVSE, or one connector of it."""
    return _payload(id=evse_id, connectorId=connector_id)


def component(
    name: str, instance: str | None = None, evse_id: int | None = None, connector_id: int | None = None
) -> dict[str, Any]:
    """ComponentType: a device-model component, optionally of one EVSE (or connector)."""
    if evse_id is None and connector_id is not None:
        raise ValueError("a component's connector needs its evse_id")
    return _payload(name=name, instance=instance, evse=evse(evse_id, connector_id) if evse_id is not None else None)


def variable(name: str, instance: str | None = None) -> dict[str, Any]:
    """VariableType: a variable of a component."""
    return _payload(name=name, instance=instance)


def _optional_token(token: IdToken | None, token_type: str) -> dict[str, Any] | None:
    return None if token is None else id_token_of(token, token_type)


class V201Commands(VersionCommands):
    """Provisioning, authorization, availability, transactions, device model, monitoring, smart charging,
    reservation, local list, firmware, diagnostics, display messages, customer data, security, data transfer
    and tariff operations of OCPP 2.0.1 (and 2.1, which keeps their names)."""

    evse_key = "evseId"

    # ---- transactions ---------------------------------------------------------

    async def request_start_transaction(
        self,
        id_token: IdToken,
        remote_start_id: int,
        evse_id: int | None = None,
        charging_profile: dict[str, Any] | None = None,
        group_id_token: IdToken | None = None,
        id_token_type: str = "Central",
    ) -> Payload:
        return await self._call(
            "RequestStartTransaction",
            _payload(
                idToken=_optional_token(id_token, id_token_type),
                remoteStartId=remote_start_id,
                evseId=evse_id,
                chargingProfile=charging_profile,
                groupIdToken=_optional_token(group_id_token, id_token_type),
            ),
        )

    async def request_stop_transaction(self, transaction_id: str) -> Payload:
        return await self._call("RequestStopTransaction", _payload(transactionId=transaction_id))

    async def get_transaction_status(self, transaction_id: str | None = None) -> Payload:
        return await self._call("GetTransactionStatus", _payload(transactionId=transaction_id))

    async def cost_updated(self, total_cost: float, transaction_id: str) -> Payload:
        return await self._call("CostUpdated", _payload(totalCost=total_cost, transactionId=transaction_id))

    # ---- availability ---------------------------------------------------------

    async def reset(self, reset_type: str = "Immediate", evse_id: int | None = None) -> Payload:
        """Immediate or OnIdle (2.1 also ImmediateAndResume); the whole station, or one EVSE."""
        return await self._call("Reset", _payload(type=reset_type, evseId=evse_id))

    async def unlock_connector(self, evse_id: int, connector_id: int) -> Payload:
        return await self._call("UnlockConnector", _payload(evseId=evse_id, connectorId=connector_id))

    async def change_availability(
        self, operational_status: str, evse_id: int | None = None, connector_id: int | None = None
    ) -> Payload:
        """Operative / Inoperative: the station (no evse_id), one EVSE, or one connector of an EVSE."""
        if evse_id is None and connector_id is not None:
            raise InvalidCall("ChangeAvailability", "a connector_id needs its evse_id")
        target = evse(evse_id, connector_id) if evse_id is not None else None
        return await self._call("ChangeAvailability", _payload(operationalStatus=operational_status, evse=target))

    # ---- device model ---------------------------------------------------------

    async def get_variables(self, get_variable_data: list[dict[str, Any]]) -> Payload:
        """Each entry: {"component": component(...), "variable": variable(...), "attributeType"?: "Actual"}."""
        return await self._call("GetVariables", _payload(getVariableData=get_variable_data))

    async def set_variables(self, set_variable_data: list[dict[str, Any]]) -> Payload:
        """Each entry: {"component", "variable", "attributeValue": str, "attributeType"?}."""
        return await self._call("SetVariables", _payload(setVariableData=set_variable_data))

    async def get_base_report(self, request_id: int, report_base: str = "FullInventory") -> Payload:
        """ConfigurationInventory, FullInventory or SummaryInventory; the report follows as NotifyReport."""
        return await self._call("GetBaseReport", _payload(requestId=request_id, reportBase=report_base))

    async def get_report(
        self,
        request_id: int,
        component_variable: list[dict[str, Any]] | None = None,
        component_criteria: list[str] | None = None,
    ) -> Payload:
        """component_variable: [{"component", "variable"?}]; component_criteria: Active, Available, Enabled, Problem."""
        return await self._call(
            "GetReport",
            _payload(
                requestId=request_id,
                componentVariable=component_variable or None,
                componentCriteria=component_criteria or None,
            ),
        )

    # ---- monitoring -----------------------------------------------------------

    async def set_variable_monitoring(self, set_monitoring_data: list[dict[str, Any]]) -> Payload:
        """Each entry: {"id"?, "transaction"?, "value", "type", "severity", "component", "variable"}."""
        return await self._call("SetVariableMonitoring", _payload(setMonitoringData=set_monitoring_data))

    async def clear_variable_monitoring(self, monitor_ids: list[int]) -> Payload:
        return await self._call("ClearVariableMonitoring", _payload(id=monitor_ids))

    async def set_monitoring_base(self, monitoring_base: str) -> Payload:
        """All, FactoryDefault or HardWiredOnly."""
        return await self._call("SetMonitoringBase", _payload(monitoringBase=monitoring_base))

    async def set_monitoring_level(self, severity: int) -> Payload:
        return await self._call("SetMonitoringLevel", _payload(severity=severity))

    async def get_monitoring_report(
        self,
        request_id: int,
        component_variable: list[dict[str, Any]] | None = None,
        monitoring_criteria: list[str] | None = None,
    ) -> Payload:
        """The monitors follow as NotifyMonitoringReport."""
        return await self._call(
            "GetMonitoringReport",
            _payload(
                requestId=request_id,
                componentVariable=component_variable or None,
                monitoringCriteria=monitoring_criteria or None,
            ),
        )

    # ---- remote trigger -------------------------------------------------------

    async def trigger_message(
        self,
        requested_message: str,
        evse_id: int | None = None,
        connector_id: int | None = None,
        custom_trigger: str | None = None,
    ) -> Payload:
        """The station sends `requested_message` (of one EVSE / connector, when given); custom_trigger: 2.1."""
        if evse_id is None and connector_id is not None:
            raise InvalidCall("TriggerMessage", "a connector_id needs its evse_id")
        target = evse(evse_id, connector_id) if evse_id is not None else None
        return await self._call(
            "TriggerMessage", _payload(requestedMessage=requested_message, evse=target, customTrigger=custom_trigger)
        )

    # ---- smart charging -------------------------------------------------------

    async def set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any]) -> Payload:
        """evse_id 0: the station (ChargingStationMaxProfile, TxDefaultProfile for all EVSEs)."""
        return await self._call("SetChargingProfile", _payload(evseId=evse_id, chargingProfile=charging_profile))

    async def get_charging_profiles(
        self,
        request_id: int,
        evse_id: int | None = None,
        charging_profile_purpose: str | None = None,
        stack_level: int | None = None,
        charging_profile_ids: list[int] | None = None,
        charging_limit_sources: list[str] | None = None,
    ) -> Payload:
        """The profiles follow as ReportChargingProfiles."""
        criterion = _payload(
            chargingProfilePurpose=charging_profile_purpose,
            stackLevel=stack_level,
            chargingProfileId=charging_profile_ids or None,
            chargingLimitSource=charging_limit_sources or None,
        )
        return await self._call(
            "GetChargingProfiles", _payload(requestId=request_id, evseId=evse_id, chargingProfile=criterion)
        )

    async def clear_charging_profile(self, criteria: ProfileCriteria) -> Payload:
        c = criteria
        matching = _payload(evseId=c.evse_id, chargingProfilePurpose=c.purpose, stackLevel=c.stack_level)
        return await self._call(
            "ClearChargingProfile", _payload(chargingProfileId=c.profile_id, chargingProfileCriteria=matching or None)
        )

    # ---- reservation ----------------------------------------------------------

    async def reserve_now(
        self,
        reservation_id: int,
        expiry_date_time: datetime,
        id_token: IdToken,
        evse_id: int | None = None,
        connector_type: str | None = None,
        group_id_token: IdToken | None = None,
        id_token_type: str = "Central",
    ) -> Payload:
        """No evse_id: any EVSE of the station (of `connector_type`, when given)."""
        return await self._call(
            "ReserveNow",
            _payload(
                id=reservation_id,
                expiryDateTime=expiry_date_time,
                idToken=_optional_token(id_token, id_token_type),
                evseId=evse_id,
                connectorType=connector_type,
                groupIdToken=_optional_token(group_id_token, id_token_type),
            ),
        )

    # ---- authorization --------------------------------------------------------

    async def send_local_list(
        self, version_number: int, update_type: str, local_authorization_list: list[dict[str, Any]] | None = None
    ) -> Payload:
        """Full or Differential; entries {"idToken": id_token_of(...), "idTokenInfo"?: {...}} (no info: remove)."""
        return await self._call(
            "SendLocalList",
            _payload(
                versionNumber=version_number,
                updateType=update_type,
                localAuthorizationList=local_authorization_list or None,
            ),
        )

    # ---- firmware and diagnostics ---------------------------------------------

    async def update_firmware(self, update: FirmwareUpdate) -> Payload:
        """Its request id is required; the progress follows as FirmwareStatusNotifications carrying it."""
        return await self._send_firmware("UpdateFirmware", update)

    async def customer_information(
        self,
        request_id: int,
        report: bool,
        clear: bool,
        customer_identifier: str | None = None,
        id_token: IdToken | None = None,
        customer_certificate: dict[str, Any] | None = None,
        id_token_type: str = "Central",
    ) -> Payload:
        """Report and/or clear what the station keeps about a customer (NotifyCustomerInformation follows)."""
        return await self._call(
            "CustomerInformation",
            _payload(
                requestId=request_id,
                report=report,
                clear=clear,
                customerIdentifier=customer_identifier,
                idToken=_optional_token(id_token, id_token_type),
                customerCertificate=customer_certificate,
            ),
        )

    # ---- display messages -----------------------------------------------------

    async def set_display_message(self, message: dict[str, Any]) -> Payload:
        """message: MessageInfoType {"id", "priority", "message": {"format", "content", "language"?}, "state"? …}."""
        return await self._call("SetDisplayMessage", _payload(message=message))

    async def get_display_messages(
        self,
        request_id: int,
        message_ids: list[int] | None = None,
        priority: str | None = None,
        state: str | None = None,
    ) -> Payload:
        """The messages follow as NotifyDisplayMessages."""
        return await self._call(
            "GetDisplayMessages",
            _payload(requestId=request_id, id=message_ids or None, priority=priority, state=state),
        )

    async def clear_display_message(self, message_id: int) -> Payload:
        return await self._call("ClearDisplayMessage", _payload(id=message_id))

    # ---- security -------------------------------------------------------------

    async def certificate_signed(
        self, certificate_chain: str, certificate_type: str | None = None, request_id: int | None = None
    ) -> Payload:
        """The signed certificate (chain, PEM) for the station's CSR; request_id: 2.1."""
        return await self._call(
            "CertificateSigned",
            _payload(certificateChain=certificate_chain, certificateType=certificate_type, requestId=request_id),
        )

    async def get_installed_certificate_ids(self, certificate_types: list[str] | None = None) -> Payload:
        return await self._call("GetInstalledCertificateIds", _payload(certificateType=certificate_types or None))

    async def set_network_profile(self, configuration_slot: int, connection_data: dict[str, Any]) -> Payload:
        """connection_data: NetworkConnectionProfileType {"ocppVersion", "ocppTransport", "ocppCsmsUrl", …}."""
        return await self._call(
            "SetNetworkProfile", _payload(configurationSlot=configuration_slot, connectionData=connection_data)
        )

    # ---- data transfer --------------------------------------------------------

    async def data_transfer(self, vendor_id: str, message_id: str | None = None, data: Any = None) -> Payload:
        """data: any JSON value in 2.x."""
        return await self._call("DataTransfer", _payload(vendorId=vendor_id, messageId=message_id, data=data))
