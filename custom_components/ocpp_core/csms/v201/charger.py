"""The version-neutral `Charger` (features/charger.py) of an OCPP 2.0.1 / 2.1 station, on its typed commands.

A neutral connector number is the station's EVSE (`Station.connectors` are the EVSEs, each with
`connector_statuses`); 0 or None is the whole station.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..features.charger import Capabilities, ChargerAnswer, ChargingProfile, LocalListLimits, count, rate_units
from ..features.charger_base import VersionCharger, VersionForms, profile_fields
from ..features.charger_requests import FirmwareUpdate, RemoteStart
from ..features.local_list import TOKEN_TYPE_V2, Entry, entry_decision
from ..features.pricing.notice import CostNotice
from ..model.station import Connector, Reservation, Station
from ..rpc.values import text_int
from ..state.authorization import id_token_info_v2
from .commands import V201Commands

# 1.6's spelling of profile purposes and certificate types, in 2.x's
_OWN_NAMES = {
    "ChargePointMaxProfile": "ChargingStationMaxProfile",
    "CentralSystemRootCertificate": "CSMSRootCertificate",
}
_REMOTE_TOKEN_TYPE = "Central"
METER_INTERVAL_COMPONENT, METER_INTERVAL_VARIABLE = "SampledDataCtrlr", "TxUpdatedInterval"
_LOCAL_LIST_CTRLR = "LocalAuthListCtrlr"
METER_INTERVAL_KEY = f"{METER_INTERVAL_COMPONENT}.{METER_INTERVAL_VARIABLE}"
_METER_INTERVAL = {"component": {"name": METER_INTERVAL_COMPONENT}, "variable": {"name": METER_INTERVAL_VARIABLE}}


def local_list_entry(entry: Entry) -> dict[str, Any]:
    """A neutral local-list entry as a 2.x AuthorizationData."""
    token = {"idToken": entry["id_tag"], "type": TOKEN_TYPE_V2}
    if entry.get("remove"):
        return {"idToken": token}
    return {"idToken": token, "idTokenInfo": id_token_info_v2(entry_decision(entry))}


def given_local_list_entry(entry: dict[str, Any], token_type: str) -> dict[str, Any]:
    """A local list entry as a user wrote it in 2.x's form: as given, or made from 1.6's {idTag, idTagInfo}."""
    if "idTag" not in entry:
        return entry
    converted: dict[str, Any] = {"idToken": {"idToken": entry["idTag"], "type": token_type}}
    info = entry.get("idTagInfo")
    if isinstance(info, dict):
        token_info: dict[str, Any] = {"status": info.get("status")}
        if "expiryDate" in info:
            token_info["cacheExpiryDateTime"] = info["expiryDate"]
        if "parentIdTag" in info:
            token_info["groupIdToken"] = {"idToken": info["parentIdTag"], "type": _REMOTE_TOKEN_TYPE}
        converted["idTokenInfo"] = token_info
    return converted


def evse_connector(evse: Connector | None) -> int:
    """The connector of an EVSE to act on: the one in use, else the first one known, else 1."""
    if evse is None or not evse.connector_statuses:
        return 1
    in_use = [number for number, status in sorted(evse.connector_statuses.items()) if status == "Occupied"]
    return in_use[0] if in_use else min(evse.connector_statuses)


def capabilities(station: Station) -> Capabilities:
    """SmartChargingCtrlr.RateUnit and .ProfileStackLevel; SupplyPhases: the fewest of its EVSEs', else the
    station's (a one-phase EVSE on a three-phase supply is one phase)."""
    if station.v2 is None:
        return Capabilities(max_profile_purpose="ChargingStationMaxProfile")
    model = station.v2.device_model
    raw_units = model.value("SmartChargingCtrlr", "RateUnit")
    names = [part.strip() for part in raw_units.replace(";", ",").split(",")] if raw_units else []
    return Capabilities(
        rate_units=rate_units(names),
        max_stack_level=text_int(model.value("SmartChargingCtrlr", "ProfileStackLevel")),
        phases=_supply_phases(station),
        max_profile_purpose="ChargingStationMaxProfile",
        read_follows_boot=len(model) == 0,
    )


def _supply_phases(station: Station) -> int | None:
    assert station.v2 is not None
    model = station.v2.device_model
    # looked up per known EVSE (the limit numbers ask on every meter value: no scan of the whole model)
    raws = (
        [model.value("EVSE", "SupplyPhases", evse_id=evse_id) for evse_id in station.connectors]
        if station.connectors
        else [v.value for v in model if v.component.get("name") == "EVSE" and v.variable.get("name") == "SupplyPhases"]
    )
    reported = [int(raw) for raw in ((r or "").strip() for r in raws) if raw in ("1", "3")]
    if reported:
        return min(reported)
    station_wide = (model.value("ChargingStation", "SupplyPhases") or "").strip()
    return int(station_wide) if station_wide in ("1", "3") else None


def profile_payload(profile: ChargingProfile) -> dict[str, Any]:
    """A neutral profile as a 2.x chargingProfile (its one schedule has the profile's id)."""
    payload: dict[str, Any] = {
        "id": profile.profile_id,
        **profile_fields(profile, "ChargingStationMaxProfile"),
        "chargingSchedule": [{"id": profile.profile_id, **profile.schedule}],
    }
    if profile.transaction_id is not None:
        payload["transactionId"] = profile.transaction_id
    return payload


def local_list_limits(station: Station) -> LocalListLimits:
    """LocalAuthListCtrlr: Enabled / Available (false: none), Entries' maxLimit, ItemsPerMessage."""
    model = station.v2.device_model if station.v2 is not None else None
    if model is None:
        return LocalListLimits()
    for variable in ("Enabled", "Available"):
        value = model.value(_LOCAL_LIST_CTRLR, variable)
        if value is not None and value.strip().lower() == "false":
            return LocalListLimits(refused=f"{_LOCAL_LIST_CTRLR}.{variable} is false")
    entries = model.get(_LOCAL_LIST_CTRLR, "Entries")
    max_limit = (entries.characteristics or {}).get("maxLimit") if entries is not None else None
    return LocalListLimits(
        max_length=count(max_limit), per_message=count(model.value(_LOCAL_LIST_CTRLR, "ItemsPerMessage"))
    )


class V201Charger(VersionCharger[V201Commands]):
    """The neutral commands in their 2.x form."""

    forms = VersionForms(METER_INTERVAL_KEY, capabilities, local_list_limits, profile_payload, local_list_entry)
    given_local_list_entry = staticmethod(given_local_list_entry)

    @staticmethod
    def own_name(name: str) -> str:
        return _OWN_NAMES.get(name, name)

    async def restart(self, hard: bool = False, *, evse_id: int | None = None, on_idle: bool = False) -> ChargerAnswer:
        # Immediate ends the sessions first, as 1.6 Soft does; 2.x has no harder reset
        return ChargerAnswer.of(await self._commands.reset("OnIdle" if on_idle else "Immediate", evse_id))

    async def unlock(self, connector_id: int, evse_connector_id: int | None = None) -> ChargerAnswer:
        if evse_connector_id is None:
            station = self._state.stations.get(self._station_id)
            evse_connector_id = evse_connector(station.connectors.get(connector_id) if station is not None else None)
        return ChargerAnswer.of(await self._commands.unlock_connector(connector_id, evse_connector_id))

    async def change_availability(
        self, connector_id: int | None, operative: bool, evse_connector_id: int | None = None
    ) -> ChargerAnswer:
        status = "Operative" if operative else "Inoperative"
        answer = await self._commands.change_availability(status, connector_id or None, evse_connector_id)
        return ChargerAnswer.of(answer)

    async def remote_start(self, request: RemoteStart) -> ChargerAnswer:
        """RequestStartTransaction: the token (a Central one unless told), on that EVSE (None: the station
        chooses); `value` is its remoteStartId."""
        remote_start_id = self._state.store.allocate_id("remote_start")
        r = request
        answer = await self._commands.request_start_transaction(
            r.id_tag,
            remote_start_id,
            evse_id=r.connector_id or None,
            charging_profile=r.charging_profile,
            id_token_type=r.id_token_type or _REMOTE_TOKEN_TYPE,
        )
        return ChargerAnswer.of(answer, remote_start_id)

    async def set_password(self, password: str) -> ChargerAnswer:
        """SetVariables SecurityCtrlr.BasicAuthPassword; `status` is the attribute's status."""
        target = {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}
        answer = await self._commands.set_variables([{"attributeValue": password, **target}])
        status = _first(answer.get("setVariableResult")).get("attributeStatus")
        return ChargerAnswer(None if status is None else str(status), answer)

    async def remote_stop(self, transaction_id: str) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.request_stop_transaction(transaction_id))

    async def local_list_version(self) -> ChargerAnswer:
        answer = await self._commands.get_local_list_version()
        version = answer.get("versionNumber")
        return ChargerAnswer.of(answer, version if isinstance(version, int) else None)

    async def meter_interval(self) -> ChargerAnswer:
        """GetVariables SampledDataCtrlr.TxUpdatedInterval; `status` is the attribute's status."""
        answer = await self._commands.get_variables([_METER_INTERVAL])
        result = _first(answer.get("getVariableResult"))
        status = result.get("attributeStatus")
        value = _as_int(result.get("attributeValue")) if status == "Accepted" else None
        return ChargerAnswer(None if status is None else str(status), answer, value)

    async def set_meter_interval(self, seconds: int) -> ChargerAnswer:
        """SetVariables; `status` is the attribute's status (Accepted, RebootRequired, Rejected …)."""
        answer = await self._commands.set_variables([{**_METER_INTERVAL, "attributeValue": str(seconds)}])
        status = _first(answer.get("setVariableResult")).get("attributeStatus")
        return ChargerAnswer(None if status is None else str(status), answer)

    # ---- the services' other commands (features/charger_commands.py) -----------------

    async def trigger_message(
        self, message: str, connector_id: int | None = None, evse_connector_id: int | None = None
    ) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.trigger_message(message, connector_id or None, evse_connector_id))

    async def data_transfer(self, vendor_id: str, message_id: str | None = None, data: object = None) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.data_transfer(vendor_id, message_id, data))

    async def reserve_now(self, reservation: Reservation, id_token_type: str | None = None) -> ChargerAnswer:
        r = reservation
        answer = await self._commands.reserve_now(
            r.reservation_id,
            r.expiry_date,
            r.id_tag,
            evse_id=r.connector_id or None,  # 0: any EVSE
            group_id_token=None
            if r.parent_id_tag is None
            else {"idToken": r.parent_id_tag, "type": _REMOTE_TOKEN_TYPE},
            id_token_type=id_token_type or _REMOTE_TOKEN_TYPE,
        )
        return ChargerAnswer.of(answer)

    async def get_installed_certificate_ids(self, certificate_type: str) -> ChargerAnswer:
        answer = await self._commands.get_installed_certificate_ids([self.own_name(certificate_type)])
        return ChargerAnswer.of(answer)

    async def update_firmware(self, update: FirmwareUpdate) -> ChargerAnswer:
        request_id = self._state.store.allocate_id("request") if update.request_id is None else update.request_id
        answer = await self._commands.update_firmware(replace(update, request_id=request_id))
        return ChargerAnswer.of(answer, request_id)

    async def get_variables(self, entries: list[dict[str, Any]]) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_variables(entries))

    async def set_variables(self, entries: list[dict[str, Any]]) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.set_variables(entries))

    async def get_base_report(self, request_id: int, report_base: str) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_base_report(request_id, report_base), request_id)

    async def get_transaction_status(self, transaction_id: str | None = None) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_transaction_status(transaction_id))

    async def set_display_message(self, message: dict[str, Any]) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.set_display_message(message))

    async def clear_display_message(self, message_id: int) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.clear_display_message(message_id))

    @property
    def shows_costs(self) -> bool:
        """Unless TariffCostCtrlr.Enabled[Cost] is reported false (CostUpdated is core to 2.x's cost block)."""
        station = self._state.stations.get(self._station_id)
        if station is None or station.v2 is None:
            return True
        enabled = station.v2.device_model.value("TariffCostCtrlr", "Enabled", variable_instance="Cost")
        return enabled is None or enabled.strip().lower() != "false"

    async def show_cost(self, notice: CostNotice) -> ChargerAnswer | None:
        if notice.final:
            return None  # the final cost goes in the TransactionEventResponse of its Ended event
        return ChargerAnswer.of(await self._commands.cost_updated(float(notice.cost), notice.transaction_id))

    async def show_user_price(self, id_tag: str, notice: CostNotice) -> ChargerAnswer | None:
        return None


def _first(results: Any) -> dict[str, Any]:
    return results[0] if isinstance(results, list) and results and isinstance(results[0], dict) else {}


def _as_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None
