"""What the simulated 2.0.1 / 2.1 station answers about charging: smart charging (profiles, the composite
schedule), reservations, the local authorization list, firmware updates and log uploads — with what
follows (ReportChargingProfiles, StatusNotification Reserved, FirmwareStatusNotification up to the reboot
into the new firmware, LogStatusNotification).

A mixin between handlers201_device and handlers201 (which adds transactions, availability, reset and
triggers); handlers get snake_case payloads and answer in the station's own version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from ocpp.routing import on

from .followups import Step
from .handlers201_device import PEM_CERTIFICATE, DeviceHandlers201, status_info
from .state201 import LOCAL_LIST_ITEMS_PER_MESSAGE, LOCAL_LIST_MAX_ENTRIES, EvseSim

_NOT_AVAILABLE = ("Unavailable", "Faulted")
_LOG_LOCATIONS = ("ftp://", "ftps://", "http://", "https://")
# the connector type of every simulated connector
CONNECTOR_TYPE = "cType2"
MAX_STACK_LEVEL = 8
VOLTAGE = 230.0


def _next_version(version: str) -> str:
    """The firmware version an update installs: the last number counted up."""
    head, _, last = version.rpartition(".")
    return f"{head}.{int(last) + 1}" if last.isdigit() and head else f"{version}.1"


class ChargingHandlers201(DeviceHandlers201):
    """Smart charging, reservations, the local list, firmware and logs; the EVSE helpers the handlers share."""

    def _evse_of(self, transaction_id: str) -> EvseSim | None:
        return next((e for e in self.sim.evses.values() if e.transaction_id == transaction_id), None)

    def _usable(self, evse: EvseSim) -> bool:
        return evse.operative and not all(status in _NOT_AVAILABLE for status in evse.connectors.values())

    def _token_fits(self, evse: EvseSim, id_token: dict[str, Any]) -> bool:
        """The EVSE is not reserved, or reserved for this token (or its group)."""
        reservation = self.sim.reservations.get(evse.reservation_id) if evse.reservation_id is not None else None
        if reservation is None:
            return True
        allowed = (reservation["id_token"]["id_token"], (reservation.get("group_id_token") or {}).get("id_token"))
        return id_token["id_token"] in allowed

    def _status_steps(self, evse: EvseSim, status: str, only_from: tuple[str, ...] | None = None) -> list[Step]:
        """StatusNotification for each connector of the EVSE that changes (optionally only from those)."""
        return [
            partial(self.send_status, evse.evse_id, connector_id, status)
            for connector_id, current in evse.connectors.items()
            if current != status and (only_from is None or current in only_from)
        ]

    def _resting_status(self, evse: EvseSim) -> str:
        """An idle EVSE's status: Unavailable (inoperative), Reserved or Available."""
        if not evse.operative:
            return "Unavailable"
        return "Reserved" if evse.reservation_id is not None else "Available"

    # ---- smart charging -------------------------------------------------------------------

    def _install_profile(self, evse_id: int, profile: dict[str, Any]) -> None:
        """A profile replaces one with its id, and one of its EVSE with its purpose and stack level."""
        self.sim.charging_profiles.pop(profile["id"], None)
        slot = (evse_id, profile["charging_profile_purpose"], profile["stack_level"])
        for profile_id, known in list(self.sim.charging_profiles.items()):
            kept = known["profile"]
            if (known["evse_id"], kept["charging_profile_purpose"], kept["stack_level"]) == slot:
                del self.sim.charging_profiles[profile_id]
        self.sim.charging_profiles[profile["id"]] = {"evse_id": evse_id, "profile": profile}

    def _refuse_profile(self, evse_id: int, profile: dict[str, Any]) -> str | None:
        """Why this profile cannot be set (a reason code), or None."""
        purpose = profile["charging_profile_purpose"]
        evse = self.sim.evses.get(evse_id)
        if not self._enabled("SmartChargingCtrlr"):
            return "Disabled"
        if evse_id != 0 and evse is None:
            return "UnknownEvse"
        if purpose == "ChargingStationExternalConstraints":
            return "NotByCSMS"
        if purpose == "ChargingStationMaxProfile" and evse_id != 0:
            return "MaxProfileOnEvse"
        if purpose == "TxProfile":
            if evse is None or evse.transaction_id is None:
                return "NoTransaction"
            if profile.get("transaction_id") not in (None, evse.transaction_id):
                return "UnknownTransaction"
        if profile["stack_level"] > MAX_STACK_LEVEL:
            return "StackLevelTooHigh"
        units = (self.sim.device_model.value("SmartChargingCtrlr", "RateUnit") or self.sim.silent_rate_units).split(",")
        if any(schedule["charging_rate_unit"] not in units for schedule in profile["charging_schedule"]):
            return "UnsupportedRateUnit"
        return self.sim.refuse_profiles

    @on("SetChargingProfile")
    def on_set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], **kwargs: Any) -> Any:
        refused = self._refuse_profile(evse_id, charging_profile)
        if refused is not None:
            return self._result("SetChargingProfile", status="Rejected", status_info=status_info(refused))
        self._install_profile(evse_id, charging_profile)
        self._follow_limits()
        return self._result("SetChargingProfile", status="Accepted")

    def _follow_limits(self) -> None:
        """Once the answer is out: a TransactionEvent for each session whose charging state changes."""
        for evse_id, state in self.obey_profiles():
            self.then(partial(self.update_transaction, evse_id, 0, "ChargingStateChanged", charging_state=state))

    @on("GetChargingProfiles")
    def on_get_charging_profiles(
        self, request_id: int, charging_profile: dict[str, Any], evse_id: int | None = None, **kwargs: Any
    ) -> Any:
        ids = charging_profile.get("charging_profile_id")
        sources = charging_profile.get("charging_limit_source")
        by_evse: dict[int, list[dict[str, Any]]] = {}
        for known in self.sim.charging_profiles.values():
            profile = known["profile"]
            if (
                (evse_id is None or known["evse_id"] == evse_id)
                and (ids is None or profile["id"] in ids)
                and (sources is None or "CSO" in sources)
                and charging_profile.get("charging_profile_purpose") in (None, profile["charging_profile_purpose"])
                and charging_profile.get("stack_level") in (None, profile["stack_level"])
            ):
                by_evse.setdefault(known["evse_id"], []).append(profile)
        if not by_evse:
            return self._result("GetChargingProfiles", status="NoProfiles")
        groups = sorted(by_evse.items())
        self.then(
            *(
                partial(self.report_charging_profiles, request_id, evse, profiles, "CSO", index < len(groups) - 1)
                for index, (evse, profiles) in enumerate(groups)
            )
        )
        return self._result("GetChargingProfiles", status="Accepted")

    @on("ClearChargingProfile")
    def on_clear_charging_profile(
        self,
        charging_profile_id: int | None = None,
        charging_profile_criteria: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        criteria = charging_profile_criteria or {}
        gone = [
            profile_id
            for profile_id, known in self.sim.charging_profiles.items()
            if (charging_profile_id is None or profile_id == charging_profile_id)
            and criteria.get("evse_id") in (None, known["evse_id"])
            and criteria.get("charging_profile_purpose") in (None, known["profile"]["charging_profile_purpose"])
            and criteria.get("stack_level") in (None, known["profile"]["stack_level"])
        ]
        for profile_id in gone:
            del self.sim.charging_profiles[profile_id]
        self._follow_limits()
        return self._result("ClearChargingProfile", status="Accepted" if gone else "Unknown")

    def _limit(self, period: dict[str, Any], unit: str, wanted: str) -> float:
        """A period's limit in the wanted unit (A ↔ W at 230 V per phase)."""
        limit = float(period.get("limit", 0.0))
        phases = int(period.get("number_phases") or 3)
        if unit == wanted:
            return limit
        return limit * VOLTAGE * phases if wanted == "W" else limit / VOLTAGE / phases

    @on("GetCompositeSchedule")
    def on_get_composite_schedule(
        self, duration: int, evse_id: int, charging_rate_unit: str | None = None, **kwargs: Any
    ) -> Any:
        evse = self.sim.evses.get(evse_id)
        if evse_id != 0 and evse is None:
            return self._result("GetCompositeSchedule", status="Rejected", status_info=status_info("UnknownEvse"))
        purposes = (
            ("TxProfile", "TxDefaultProfile") if evse is not None and evse.transaction_id else ("TxDefaultProfile",)
        )
        profiles = [
            k["profile"]
            for k in self.sim.charging_profiles.values()
            if k["evse_id"] in (0, evse_id) and k["profile"]["charging_profile_purpose"] in purposes
        ]
        station_max = [
            k["profile"]
            for k in self.sim.charging_profiles.values()
            if k["profile"]["charging_profile_purpose"] == "ChargingStationMaxProfile"
        ]
        chosen = max(
            profiles, key=lambda p: (p["charging_profile_purpose"] == "TxProfile", p["stack_level"]), default=None
        )
        unit = charging_rate_unit or (chosen["charging_schedule"][0]["charging_rate_unit"] if chosen else "A")
        cap = 16.0 if unit == "A" else 11_000.0  # the EVSE's own maximum
        for profile in station_max:
            schedule = profile["charging_schedule"][0]
            cap = min(cap, self._limit(schedule["charging_schedule_period"][0], schedule["charging_rate_unit"], unit))
        periods = [{"start_period": 0, "limit": cap}]
        if chosen is not None:
            schedule = chosen["charging_schedule"][0]
            periods = [
                {
                    "start_period": p["start_period"],
                    "limit": min(cap, self._limit(p, schedule["charging_rate_unit"], unit)),
                }
                for p in schedule["charging_schedule_period"]
                if p["start_period"] < duration
            ] or periods
        composite = {
            "evse_id": evse_id,
            "duration": duration,
            "schedule_start": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "charging_rate_unit": unit,
            "charging_schedule_period": periods,
        }
        return self._result("GetCompositeSchedule", status="Accepted", schedule=composite)

    # ---- reservation ----------------------------------------------------------------------

    def _reservable(self, evse: EvseSim, reservation_id: int) -> str:
        if evse.transaction_id is not None:
            return "Occupied"
        if all(status == "Faulted" for status in evse.connectors.values()):
            return "Faulted"
        if not self._usable(evse):
            return "Unavailable"
        if evse.reservation_id not in (None, reservation_id):
            return "Occupied"
        return "Accepted"

    @on("ReserveNow")
    def on_reserve_now(
        self,
        id: int,
        expiry_date_time: str,
        id_token: dict[str, Any],
        evse_id: int | None = None,
        connector_type: str | None = None,
        group_id_token: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if not self._enabled("ReservationCtrlr") or connector_type not in (None, CONNECTOR_TYPE):
            return self._result("ReserveNow", status="Rejected")
        evse = self.sim.evses.get(evse_id) if evse_id is not None else None
        if evse_id is not None:
            if evse is None:
                return self._result("ReserveNow", status="Rejected", status_info=status_info("UnknownEvse"))
            status = self._reservable(evse, id)
        else:  # any EVSE: one must stay free for it
            status = (
                "Accepted"
                if any(self._reservable(e, id) == "Accepted" for e in self.sim.evses.values())
                else "Occupied"
            )
        if status != "Accepted":
            return self._result("ReserveNow", status=status)
        for other in self.sim.evses.values():  # the same id again replaces the reservation
            if other.reservation_id == id and other is not evse:
                other.reservation_id = None
                self.then(*self._status_steps(other, "Available", only_from=("Reserved",)))
        self.sim.reservations[id] = {
            "evse_id": evse_id,
            "id_token": id_token,
            "expiry_date_time": expiry_date_time,
            "group_id_token": group_id_token,
        }
        if evse is not None:
            evse.reservation_id = id
            self.then(*self._status_steps(evse, "Reserved", only_from=("Available",)))
        return self._result("ReserveNow", status="Accepted")

    @on("CancelReservation")
    def on_cancel_reservation(self, reservation_id: int, **kwargs: Any) -> Any:
        if self.sim.reservations.pop(reservation_id, None) is None:
            return self._result("CancelReservation", status="Rejected")
        for evse in self.sim.evses.values():
            if evse.reservation_id == reservation_id:
                evse.reservation_id = None
                self.then(*self._status_steps(evse, "Available", only_from=("Reserved",)))
        return self._result("CancelReservation", status="Accepted")

    # ---- authorization --------------------------------------------------------------------

    @on("SendLocalList")
    def on_send_local_list(
        self,
        version_number: int,
        update_type: str,
        local_authorization_list: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> Any:
        if not self._enabled("LocalAuthListCtrlr"):
            return self._result("SendLocalList", status="Failed", status_info=status_info("Disabled"))
        if update_type == "Differential" and version_number <= self.sim.local_list_version:
            return self._result("SendLocalList", status="VersionMismatch")
        if len(local_authorization_list or ()) > LOCAL_LIST_ITEMS_PER_MESSAGE:
            return self._result("SendLocalList", status="Failed", status_info=status_info("TooManyItems"))
        updated = {} if update_type == "Full" else dict(self.sim.local_list)
        for entry in local_authorization_list or ():
            token = entry["id_token"]["id_token"]
            if entry.get("id_token_info") is None:
                updated.pop(token, None)
            else:
                updated[token] = entry["id_token_info"]
        if len(updated) > LOCAL_LIST_MAX_ENTRIES:
            return self._result("SendLocalList", status="Failed", status_info=status_info("ListFull"))
        self.sim.local_list, self.sim.local_list_version = updated, version_number
        return self._result("SendLocalList", status="Accepted")

    @on("GetLocalListVersion")
    def on_get_local_list_version(self, **kwargs: Any) -> Any:
        return self._result("GetLocalListVersion", version_number=self.sim.local_list_version)

    @on("ClearCache")
    def on_clear_cache(self, **kwargs: Any) -> Any:
        self._extra["cache_cleared"] = self._extra.get("cache_cleared", 0) + 1
        return self._result("ClearCache", status="Accepted")

    # ---- firmware and logs ----------------------------------------------------------------

    async def _firmware_step(self, request_id: int, status: str) -> None:
        """One FirmwareStatusNotification of the update `request_id`, unless a newer one replaced it."""
        if self._extra.get("firmware_request") != request_id:
            return
        self._extra["firmware_status"] = (status, request_id)
        if status == "InstallRebooting":
            await self.send_firmware_status(status, request_id)
            await self.reboot("FirmwareUpdate", firmware_version=_next_version(self.sim.firmware_version))
            return
        await self.send_firmware_status(status, request_id)
        if status == "Installed":
            self._extra["firmware_request"] = None
            self._extra["firmware_status"] = ("Idle", None)

    @on("UpdateFirmware")
    def on_update_firmware(
        self, request_id: int, firmware: dict[str, Any], retries: int | None = None, **kwargs: Any
    ) -> Any:
        certificate = firmware.get("signing_certificate")
        if certificate is not None and PEM_CERTIFICATE not in certificate:
            return self._result("UpdateFirmware", status="InvalidCertificate")
        status = "AcceptedCanceled" if self._extra.get("firmware_request") is not None else "Accepted"
        self._extra["firmware_request"] = request_id
        steps = ["Downloading", "Downloaded"]
        if firmware.get("signature") is not None:
            steps.append("SignatureVerified")
        steps += ["Installing", "InstallRebooting", "Installed"]
        self.then(*(partial(self._firmware_step, request_id, step) for step in steps))
        return self._result("UpdateFirmware", status=status)

    async def _log_step(self, request_id: int, status: str) -> None:
        if self._extra.get("log_request") != request_id:
            return
        self._extra["log_status"] = ("Idle", None) if status == "Uploaded" else (status, request_id)
        if status == "Uploaded":
            self._extra["log_request"] = None
        await self.send_log_status(status, request_id)

    @on("GetLog")
    def on_get_log(self, log: dict[str, Any], log_type: str, request_id: int, **kwargs: Any) -> Any:
        if not str(log["remote_location"]).startswith(_LOG_LOCATIONS):
            return self._result("GetLog", status="Rejected", status_info=status_info("InvalidLocation"))
        status = "AcceptedCanceled" if self._extra.get("log_request") is not None else "Accepted"
        self._extra["log_request"] = request_id
        filename = f"{log_type}-{self.id}-{datetime.now(UTC):%Y%m%d%H%M%S}.log"
        self.then(*(partial(self._log_step, request_id, step) for step in ("Uploading", "Uploaded")))
        return self._result("GetLog", status=status, filename=filename)
