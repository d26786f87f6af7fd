"""The version-neutral `Charger` (features/charger.py) of an OCPP 1.6 charger, on its typed commands."""

from __future__ import annotations

import contextlib
from typing import Any

from ..features.charger import Capabilities, ChargerAnswer, ChargingProfile, LocalListLimits, count, rate_units
from ..features.charger_base import VersionCharger
from ..features.local_list import Entry, entry_decision
from ..features.pricing.notice import CostNotice
from ..model.station import Station
from ..state.authorization import id_tag_info_v16
from ..state.tags import MAX_ID_LENGTH_V16
from .commands import V16Commands
from .pricing import VENDOR_ID, final_cost, running_cost, shows_costs, user_price

METER_INTERVAL_KEY = "MeterValueSampleInterval"
_LOCAL_LIST_PROFILE = "LocalAuthListManagement"


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
    purpose = "ChargePointMaxProfile" if profile.purpose == "ChargingStationMaxProfile" else profile.purpose
    payload: dict[str, Any] = {
        "chargingProfileId": profile.profile_id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": profile.kind,
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

    meter_interval_key = METER_INTERVAL_KEY
    station_capabilities = staticmethod(capabilities)
    station_local_list_limits = staticmethod(local_list_limits)
    profile_payload = staticmethod(profile_payload)
    local_list_entry = staticmethod(local_list_entry)

    async def restart(self, hard: bool = False) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.reset("Hard" if hard else "Soft"))

    async def unlock(self, connector_id: int) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.unlock_connector(connector_id))

    async def change_availability(self, connector_id: int | None, operative: bool) -> ChargerAnswer:
        status = "Operative" if operative else "Inoperative"
        return ChargerAnswer.of(await self._commands.change_availability(connector_id or 0, status))

    async def remote_start(self, id_tag: str, connector_id: int | None = None) -> ChargerAnswer:
        return ChargerAnswer.of(await self._commands.remote_start_transaction(id_tag, connector_id or None))

    async def set_password(self, password: str) -> ChargerAnswer:
        # the 1.6 security whitepaper: AuthorizationKey is set hex-encoded
        return ChargerAnswer.of(await self._commands.change_configuration("AuthorizationKey", password.encode().hex()))

    async def remote_stop(self, transaction_id: str) -> ChargerAnswer:
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
