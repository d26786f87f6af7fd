"""The version-neutral `Charger` (features/charger.py) of an OCPP 1.6 charger, on its typed commands."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from typing import Any

from ..features.charger import Capabilities, ChargerAnswer, ChargingProfile, LocalListLimits, count, rate_units
from ..features.charger_base import VersionCharger, VersionForms, profile_fields
from ..features.charger_commands import InvalidArgument, UnsupportedVersion
from ..features.charger_requests import FirmwareUpdate, LogUpload, RemoteStart, check_signed_fields
from ..features.local_list import Entry, entry_decision
from ..features.pricing.notice import CostNotice
from ..model.station import Reservation, Station
from ..state.authorization import id_tag_info_v16
from ..state.tags import MAX_ID_LENGTH_V16
from .commands import V16Commands
from .pricing import VENDOR_ID, final_cost, running_cost, shows_costs, user_price

METER_INTERVAL_KEY = "MeterValueSampleInterval"
_LOCAL_LIST_PROFILE = "LocalAuthListManagement"
# 2.x's spelling of profile purposes and certificate types, in 1.6's
_OWN_NAMES = {
    "ChargingStationMaxProfile": "ChargePointMaxProfile",
    "CSMSRootCertificate": "CentralSystemRootCertificate",
}
# the messages of the security extension's ExtendedTriggerMessage (TriggerMessage has the others)
EXTENDED_TRIGGER_MESSAGES = frozenset({"LogStatusNotification", "SignChargePointCertificate"})


def local_list_entry(entry: Entry) -> dict[str, Any]:
    """A neutral local-list entry as a 1.6 AuthorizationData."""
    if entry.get("remove"):
        return {"idTag": entry["id_tag"]}
    return {"idTag": entry["id_tag"], "idTagInfo": id_tag_info_v16(entry_decision(entry))}


def capabilities(station: Station) -> Capabilities:
    """ChargingScheduleAllowedChargingRateUnit, ChargeProfileMaxStackLevel; 1.6 states no phases."""
    return Capabilities(
        rate_units=rate_units(list(station.charging_schedule_allowed_charging_rate_unit)),
        max_stack_level=station.charge_profile_max_stack_level,
        max_profile_purpose="ChargePointMaxProfile",
    )


def profile_payload(profile: ChargingProfile) -> dict[str, Any]:
    """A neutral profile as a 1.6 csChargingProfiles."""
    payload: dict[str, Any] = {
        "chargingProfileId": profile.profile_id,
        **profile_fields(profile, "ChargePointMaxProfile"),
        "chargingSchedule": dict(profile.schedule),
    }
    if profile.transaction_id is not None:
        with contextlib.suppress(ValueError):  # a 1.6 transaction id is an integer
            payload["transactionId"] = int(profile.transaction_id)
    return payload


def local_list_limits(station: Station) -> LocalListLimits:
    """The LocalAuthListManagement profile, LocalAuthListEnabled, LocalAuthListMaxLength, SendLocalListMaxLength."""
    if not station.supports(_LOCAL_LIST_PROFILE):
        return LocalListLimits(refused=f"no {_LOCAL_LIST_PROFILE} feature profile")
    if station.local_auth_list_enabled is False:
        return LocalListLimits(refused="LocalAuthListEnabled is false")
    per_message = station.configuration.get("SendLocalListMaxLength", {}).get("value")
    return LocalListLimits(
        max_length=station.local_auth_list_max_length, per_message=count(per_message), max_id_length=MAX_ID_LENGTH_V16
    )


class V16Charger(VersionCharger[V16Commands]):
    """Connectors are 1.6 connectors; 0 is the whole charger."""

    forms = VersionForms(METER_INTERVAL_KEY, capabilities, local_list_limits, profile_payload, local_list_entry)

    @staticmethod
    def given_local_list_entry(entry: dict[str, Any], token_type: str) -> dict[str, Any]:
        if "idTag" not in entry:
            raise InvalidArgument("OCPP 1.6 list entries are {idTag, idTagInfo}")
        return entry

    @staticmethod
    def own_name(name: str) -> str:
        return _OWN_NAMES.get(name, name)

    async def restart(self, hard: bool = False, *, evse_id: int | None = None, on_idle: bool = False) -> ChargerAnswer:
        if on_idle:
            raise UnsupportedVersion(f"{self._station_id}: OCPP 1.6 has no OnIdle reset")
        return ChargerAnswer.of(await self._commands.reset("Hard" if hard else "Soft"))

    async def unlock(self, connector_id: int, evse_connector_id: int | None = None) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.unlock_connector(connector_id))

    async def change_availability(
        self, connector_id: int | None, operative: bool, evse_connector_id: int | None = None
    ) -> ChargerAnswer:
        status = "Operative" if operative else "Inoperative"
        return ChargerAnswer.of(await self._commands.change_availability(connector_id or 0, status))

    async def remote_start(self, request: RemoteStart) -> ChargerAnswer:
        r = request
        answer = await self._commands.remote_start_transaction(r.id_tag, r.connector_id or None, r.charging_profile)
        return ChargerAnswer.of(answer)

    async def set_password(self, password: str) -> ChargerAnswer:
        # the 1.6 security whitepaper: AuthorizationKey is set hex-encoded
        return ChargerAnswer.of(await self._commands.change_configuration("AuthorizationKey", password.encode().hex()))

    async def remote_stop(self, transaction_id: str) -> ChargerAnswer:
        if not transaction_id.isdigit():
            raise InvalidArgument("transaction_id: an OCPP 1.6 transaction id is a number")
        return ChargerAnswer.of(await self._commands.remote_stop_transaction(int(transaction_id)))

    async def local_list_version(self) -> ChargerAnswer:
        answer = await self._commands.get_local_list_version()
        version = answer.get("listVersion")
        return ChargerAnswer.of(answer, version if isinstance(version, int) else None)

    async def meter_interval(self) -> ChargerAnswer:
        """As read with the configuration after every accepted boot (no call)."""
        station = self._state.stations.get(self._station_id)
        value = station.meter_value_sample_interval if station is not None else None
        return ChargerAnswer(None, {}, value)

    async def set_meter_interval(self, seconds: int) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.change_configuration(METER_INTERVAL_KEY, str(seconds)))

    # ---- the services' other commands (features/charger_commands.py) -----------------

    async def trigger_message(
        self, message: str, connector_id: int | None = None, evse_connector_id: int | None = None
    ) -> ChargerAnswer:
        if message in EXTENDED_TRIGGER_MESSAGES:
            return ChargerAnswer.of(await self._commands.extended_trigger_message(message, connector_id))
        return ChargerAnswer.of(await self._commands.trigger_message(message, connector_id))

    async def data_transfer(self, vendor_id: str, message_id: str | None = None, data: object = None) -> ChargerAnswer:
        # 1.6's data is a text: anything else as its compact JSON (as the HA service writes it)
        text = data if data is None or isinstance(data, str) else json.dumps(data, separators=(",", ":"))
        return ChargerAnswer.of(await self._commands.data_transfer(vendor_id, message_id, text))

    async def reserve_now(self, reservation: Reservation, id_token_type: str | None = None) -> ChargerAnswer:
        r = reservation
        answer = await self._commands.reserve_now(
            r.connector_id, r.expiry_date, r.id_tag, r.reservation_id, r.parent_id_tag
        )
        return ChargerAnswer.of(answer)

    async def get_installed_certificate_ids(self, certificate_type: str) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_installed_certificate_ids(self.own_name(certificate_type)))

    async def update_firmware(self, update: FirmwareUpdate) -> ChargerAnswer:
        """UpdateFirmware, or SignedUpdateFirmware (the security extension) when signed."""
        u = update
        check_signed_fields(u)
        if u.signature is None:
            answer = await self._commands.update_firmware(u.location, u.retrieve, u.retries, u.retry_interval)
            return ChargerAnswer.of(answer)
        request_id = self._state.store.allocate_id("request") if u.request_id is None else u.request_id
        answer = await self._commands.signed_update_firmware(replace(u, request_id=request_id))
        return ChargerAnswer.of(answer, request_id)

    async def get_configuration(self, keys: list[str] | None = None) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_configuration(keys))

    async def change_configuration(self, key: str, value: str) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.change_configuration(key, value))

    async def get_diagnostics(self, upload: LogUpload) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.get_diagnostics(upload))

    @property
    def shows_costs(self) -> bool:
        station = self._state.stations.get(self._station_id)
        return station is not None and shows_costs(station)

    async def show_cost(self, notice: CostNotice) -> ChargerAnswer | None:
        message_id, data = final_cost(notice) if notice.final else running_cost(notice)
        return ChargerAnswer.of(await self._commands.data_transfer(VENDOR_ID, message_id, data))

    async def show_user_price(self, id_tag: str, notice: CostNotice) -> ChargerAnswer | None:
        message_id, data = user_price(id_tag, notice)
        return ChargerAnswer.of(await self._commands.data_transfer(VENDOR_ID, message_id, data))
