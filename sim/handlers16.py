"""What the simulated 1.6J charger answers to every central-system operation, and what it sends after.

Handlers get the payload in snake_case (the `ocpp` package converts keys, nested
ones too) and answer like a typical AC wallbox: refusals where a real one
refuses, follow-up messages (status, firmware, diagnostics, logs) after the
answer has gone out (`then`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action, ChargePointStatus

from .core16 import BOOLEAN_KEYS, INTEGER_KEYS, REBOOT_KEYS, ChargerCore, now
from .profiles import Installed, composite, evse_amps, replace_profile, station_max_amps

SIM_VENDOR_ID = "OCPPCore.Sim"
COST_VENDOR_ID = "org.openchargealliance.costmsg"
COST_DISPLAY_KEY = "CustomDisplayCostAndPrice"
# the fields each California Pricing message must have
COST_MESSAGES = {
    "RunningCost": {"transactionId", "timestamp", "meterValue", "cost", "state", "chargingPrice"},
    "FinalCost": {"transactionId", "cost", "priceText"},
    "SetUserPrice": {"idToken", "priceText"},
}
_PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"
_UNAVAILABLE = (ChargePointStatus.unavailable, ChargePointStatus.faulted)


def plain(value: Any) -> Any:
    """The payload with the Decimals the `ocpp` package puts in charging schedules turned into floats."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def certificate_hash(certificate: str, serial: int) -> dict[str, str]:
    """CertificateHashData (snake_case) for a PEM text: made-up but stable hashes."""
    digest = hashlib.sha256(certificate.encode()).hexdigest()
    return {
        "hash_algorithm": "SHA256",
        "issuer_name_hash": digest[:64],
        "issuer_key_hash": digest[::-1][:64],
        "serial_number": f"{serial:x}",
    }


class SimulatedChargePoint(ChargerCore):
    """Answers every OCPP 1.6J central-system operation (Core, profiles, security whitepaper)."""

    # ---- Core ------------------------------------------------------------------

    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag: str, connector_id: int | None = None, **kwargs: Any) -> Any:
        connector_id = connector_id or 1
        self.remote_starts.append({"id_tag": id_tag, "connector_id": connector_id})
        connector = self.sim.connectors.get(connector_id)
        if connector is None or connector.transaction_id is not None or connector.status in _UNAVAILABLE:
            return call_result.RemoteStartTransaction(status="Rejected")
        if connector.reservation_id is not None:
            reservation = self.sim.reservations.get(connector.reservation_id)
            if reservation is not None and id_tag not in (reservation["id_tag"], reservation.get("parent_id_tag")):
                return call_result.RemoteStartTransaction(status="Rejected")
        self.then(lambda: self.start_transaction(connector_id, id_tag))
        return call_result.RemoteStartTransaction(status="Accepted")

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id: int, **kwargs: Any) -> Any:
        self.remote_stops.append(transaction_id)
        for connector in self.sim.connectors.values():
            if connector.transaction_id == transaction_id:
                self.then(partial(self.stop_transaction, connector.connector_id, reason="Remote"))
                return call_result.RemoteStopTransaction(status="Accepted")
        return call_result.RemoteStopTransaction(status="Rejected")

    @on(Action.reset)
    def on_reset(self, type: str, **kwargs: Any) -> Any:
        reason = "HardReset" if type == "Hard" else "SoftReset"
        for connector in self.sim.connectors.values():
            if connector.transaction_id is not None:
                self.then(partial(self.stop_transaction, connector.connector_id, reason=reason))
        self.then(lambda: self.boot(expect=None), self.send_all_statuses)
        return call_result.Reset(status="Accepted")

    @on(Action.unlock_connector)
    def on_unlock_connector(self, connector_id: int, **kwargs: Any) -> Any:
        connector = self.sim.connectors.get(connector_id)
        if connector is None:
            return call_result.UnlockConnector(status="NotSupported")
        if connector.transaction_id is not None:
            self.then(lambda: self.stop_transaction(connector_id, reason="UnlockCommand"))
        return call_result.UnlockConnector(status="Unlocked")

    @on(Action.change_availability)
    def on_change_availability(self, connector_id: int, type: str, **kwargs: Any) -> Any:
        targets = list(self.sim.connectors.values()) if connector_id == 0 else [self.sim.connectors.get(connector_id)]
        if any(connector is None for connector in targets):
            return call_result.ChangeAvailability(status="Rejected")
        if any(connector.transaction_id is not None for connector in targets if connector is not None):
            return call_result.ChangeAvailability(status="Scheduled")
        status = ChargePointStatus.unavailable if type == "Inoperative" else ChargePointStatus.available
        for connector in targets:
            if connector is not None and connector.status != status:
                self.then(partial(self.send_status, connector.connector_id, status))
        return call_result.ChangeAvailability(status="Accepted")

    @on(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None, **kwargs: Any) -> Any:
        configuration = self.sim.configuration
        wanted = key or list(configuration)
        known = [
            {"key": name, "readonly": configuration[name].readonly, "value": configuration[name].value}
            for name in wanted
            if name in configuration
        ]
        unknown = [name for name in wanted if name not in configuration]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @on(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str, **kwargs: Any) -> Any:
        entry = self.sim.configuration.get(key)
        if entry is None:
            return call_result.ChangeConfiguration(status="NotSupported")
        if entry.readonly:
            return call_result.ChangeConfiguration(status="Rejected")
        if key in INTEGER_KEYS and not value.strip().isdigit():
            return call_result.ChangeConfiguration(status="Rejected")
        if key in BOOLEAN_KEYS and value.strip().lower() not in ("true", "false"):
            return call_result.ChangeConfiguration(status="Rejected")
        entry.value = value
        return call_result.ChangeConfiguration(status="RebootRequired" if key in REBOOT_KEYS else "Accepted")

    @on(Action.clear_cache)
    def on_clear_cache(self, **kwargs: Any) -> Any:
        return call_result.ClearCache(status="Accepted")

    @on(Action.data_transfer)
    def on_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: str | None = None, **kwargs: Any
    ) -> Any:
        self.data_transfers.append({"vendor_id": vendor_id, "message_id": message_id, "data": data})
        if vendor_id == COST_VENDOR_ID and self._config_true(COST_DISPLAY_KEY):
            return self._cost_message(message_id, data)
        if vendor_id != SIM_VENDOR_ID:
            return call_result.DataTransfer(status="UnknownVendorId")
        if message_id not in (None, "Echo"):
            return call_result.DataTransfer(status="UnknownMessageId")
        return call_result.DataTransfer(status="Accepted", data=data)

    def _cost_message(self, message_id: str | None, data: str | None) -> Any:
        """California Pricing (OCA whitepaper): RunningCost, FinalCost, SetUserPrice, their data a JSON text."""
        if message_id not in COST_MESSAGES:
            return call_result.DataTransfer(status="UnknownMessageId")
        try:
            content = json.loads(data or "")
        except ValueError:
            return call_result.DataTransfer(status="Rejected")
        if not isinstance(content, dict) or not COST_MESSAGES[message_id] <= set(content):
            return call_result.DataTransfer(status="Rejected")
        self.cost_messages.append((message_id, content))
        return call_result.DataTransfer(status="Accepted")

    # ---- Reservation -------------------------------------------------------------

    @on(Action.reserve_now)
    def on_reserve_now(
        self,
        connector_id: int,
        expiry_date: str,
        id_tag: str,
        reservation_id: int,
        parent_id_tag: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if connector_id == 0 and self.sim.configuration["ReserveConnectorZeroSupported"].value != "true":
            return call_result.ReserveNow(status="Rejected")
        connector = self.sim.connectors.get(connector_id)
        if connector is None:
            return call_result.ReserveNow(status="Rejected")
        if connector.transaction_id is not None:
            return call_result.ReserveNow(status="Occupied")
        if connector.status in _UNAVAILABLE:
            return call_result.ReserveNow(status="Faulted" if connector.status == "Faulted" else "Unavailable")
        if connector.reservation_id not in (None, reservation_id):
            return call_result.ReserveNow(status="Occupied")
        self.sim.reservations[reservation_id] = {
            "connector_id": connector_id,
            "id_tag": id_tag,
            "expiry_date": expiry_date,
            "parent_id_tag": parent_id_tag,
        }
        connector.reservation_id = reservation_id
        self.then(lambda: self.send_status(connector_id, ChargePointStatus.reserved))
        return call_result.ReserveNow(status="Accepted")

    @on(Action.cancel_reservation)
    def on_cancel_reservation(self, reservation_id: int, **kwargs: Any) -> Any:
        reservation = self.sim.reservations.pop(reservation_id, None)
        if reservation is None:
            return call_result.CancelReservation(status="Rejected")
        connector_id = reservation["connector_id"]
        connector = self.sim.connectors[connector_id]
        connector.reservation_id = None
        if connector.status == ChargePointStatus.reserved:
            self.then(lambda: self.send_status(connector_id, ChargePointStatus.available))
        return call_result.CancelReservation(status="Accepted")

    # ---- Local authorization list ------------------------------------------------

    @on(Action.get_local_list_version)
    def on_get_local_list_version(self, **kwargs: Any) -> Any:
        return call_result.GetLocalListVersion(list_version=self.sim.local_list_version)

    @on(Action.send_local_list)
    def on_send_local_list(
        self,
        list_version: int,
        update_type: str,
        local_authorization_list: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> Any:
        if self.sim.configuration["LocalAuthListEnabled"].value != "true":
            return call_result.SendLocalList(status="NotSupported")
        entries = local_authorization_list or []
        if len(entries) > int(self.sim.configuration["SendLocalListMaxLength"].value or 0):
            return call_result.SendLocalList(status="Failed")
        if update_type == "Differential" and list_version <= self.sim.local_list_version:
            return call_result.SendLocalList(status="VersionMismatch")
        updated = {} if update_type == "Full" else dict(self.sim.local_list)
        for entry in entries:
            if entry.get("id_tag_info") is None:
                updated.pop(entry["id_tag"], None)
            else:
                updated[entry["id_tag"]] = entry["id_tag_info"]
        if len(updated) > int(self.sim.configuration["LocalAuthListMaxLength"].value or 0):
            return call_result.SendLocalList(status="Failed")
        self.sim.local_list, self.sim.local_list_version = updated, list_version
        return call_result.SendLocalList(status="Accepted")

    # ---- Remote trigger ----------------------------------------------------------

    def _triggered(self, requested: str, connector_id: int | None, extended: bool) -> bool:
        """Queue the requested message; False when the charger cannot send it."""
        if connector_id is not None and connector_id != 0 and connector_id not in self.sim.connectors:
            return False
        connectors = [connector_id] if connector_id else list(self.sim.connectors)
        if requested == "BootNotification":
            self.then(lambda: self.boot(expect=None))
        elif requested == "Heartbeat":
            self.then(self.heartbeat)
        elif requested == "StatusNotification":
            if connector_id is None:
                self.then(self.send_all_statuses)
            else:
                status = self.sim.connectors[connector_id].status if connector_id else ChargePointStatus.available
                self.then(lambda: self.send_status(connector_id, status))
        elif requested == "MeterValues":
            self.then(*(self._meter_values_now(c) for c in connectors))
        elif requested == "FirmwareStatusNotification":
            self.then(
                lambda: self.send_signed_firmware_status("Idle", 0) if extended else self.send_firmware_status("Idle")
            )
        elif requested == "DiagnosticsStatusNotification":
            self.then(lambda: self.send_diagnostics_status("Idle"))
        elif requested == "LogStatusNotification":
            self.then(lambda: self.send_log_status("Idle", 0))
        elif requested == "SignChargePointCertificate":
            self.then(self.sign_certificate)
        else:
            return False
        return True

    def _meter_values_now(self, connector_id: int) -> Any:
        return lambda: self.send_meter_values(connector_id, seconds=0.0)

    @on(Action.trigger_message)
    def on_trigger_message(self, requested_message: str, connector_id: int | None = None, **kwargs: Any) -> Any:
        accepted = self._triggered(requested_message, connector_id, extended=False)
        return call_result.TriggerMessage(status="Accepted" if accepted else "Rejected")

    @on(Action.extended_trigger_message)
    def on_extended_trigger_message(
        self, requested_message: str, connector_id: int | None = None, **kwargs: Any
    ) -> Any:
        accepted = self._triggered(requested_message, connector_id, extended=True)
        return call_result.ExtendedTriggerMessage(status="Accepted" if accepted else "Rejected")

    # ---- Firmware management -----------------------------------------------------

    @on(Action.update_firmware)
    def on_update_firmware(self, location: str, retrieve_date: str, **kwargs: Any) -> Any:
        async def installed() -> None:
            self.sim.firmware_version = "1.1.0"
            await self.send_firmware_status("Installed")

        self.then(
            lambda: self.send_firmware_status("Downloading"),
            lambda: self.send_firmware_status("Downloaded"),
            lambda: self.send_firmware_status("Installing"),
            installed,
        )
        return call_result.UpdateFirmware()

    @on(Action.get_diagnostics)
    def on_get_diagnostics(self, location: str, **kwargs: Any) -> Any:
        file_name = f"diagnostics-{self.id}-{datetime.now(UTC):%Y%m%d%H%M%S}.zip"
        self.then(lambda: self.send_diagnostics_status("Uploading"), lambda: self.send_diagnostics_status("Uploaded"))
        return call_result.GetDiagnostics(file_name=file_name)

    # ---- Smart charging ----------------------------------------------------------

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id: int, cs_charging_profiles: dict[str, Any], **kwargs: Any) -> Any:
        profile = plain(cs_charging_profiles)  # the limits arrive as Decimal
        max_level = int(self.sim.configuration["ChargeProfileMaxStackLevel"].value or 0)
        allowed = {"Current": "A", "Power": "W"}
        stated = self.sim.configuration.get("ChargingScheduleAllowedChargingRateUnit")
        names = stated.value if stated is not None and stated.value else self.sim.silent_rate_units
        units = {allowed.get(u, u) for u in names.split(",")}
        connector = self.sim.connectors.get(connector_id)
        purpose = profile["charging_profile_purpose"]
        if self.sim.refuse_profiles is not None:
            return call_result.SetChargingProfile(status=self.sim.refuse_profiles)
        if connector_id != 0 and connector is None:
            return call_result.SetChargingProfile(status="Rejected")
        if profile["stack_level"] > max_level or profile["charging_schedule"]["charging_rate_unit"] not in units:
            return call_result.SetChargingProfile(status="Rejected")
        if purpose == "ChargePointMaxProfile" and connector_id != 0:
            return call_result.SetChargingProfile(status="Rejected")
        if purpose == "TxProfile" and (
            connector is None
            or connector.session_start is None  # no session, nor one starting (its answer just arrived)
            or (
                profile.get("transaction_id") not in (None, connector.transaction_id)
                and connector.transaction_id is not None
            )
        ):
            return call_result.SetChargingProfile(status="Rejected")
        installed = {k: Installed(v["connector_id"], v["profile"]) for k, v in self.sim.charging_profiles.items()}
        replace_profile(installed, connector_id, profile)
        self.sim.charging_profiles = {k: {"connector_id": v.where, "profile": v.profile} for k, v in installed.items()}
        self._follow_limits()
        return call_result.SetChargingProfile(status="Accepted")

    def _follow_limits(self) -> None:
        """Once the answer is out: the statuses that change with the limits now in force."""
        for connector_id, status in self.obey_profiles():
            self.then(partial(self.send_status, connector_id, status))

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(
        self,
        id: int | None = None,
        connector_id: int | None = None,
        charging_profile_purpose: str | None = None,
        stack_level: int | None = None,
        **kwargs: Any,
    ) -> Any:
        cleared = [
            profile_id
            for profile_id, installed in self.sim.charging_profiles.items()
            if (id is None or profile_id == id)
            and (connector_id is None or installed["connector_id"] == connector_id)
            and (
                charging_profile_purpose is None
                or installed["profile"]["charging_profile_purpose"] == charging_profile_purpose
            )
            and (stack_level is None or installed["profile"]["stack_level"] == stack_level)
        ]
        for profile_id in cleared:
            del self.sim.charging_profiles[profile_id]
        self._follow_limits()
        return call_result.ClearChargingProfile(status="Accepted" if cleared else "Unknown")

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(
        self, connector_id: int, duration: int, charging_rate_unit: str | None = None, **kwargs: Any
    ) -> Any:
        """The limit in force now (what the charger obeys), as one period, in the unit asked for (else A)."""
        if connector_id != 0 and connector_id not in self.sim.connectors:
            return call_result.GetCompositeSchedule(status="Rejected")
        installed = [i for i in self.installed_profiles() if i.where in (0, connector_id)]
        if not installed:
            return call_result.GetCompositeSchedule(status="Rejected")
        moment = datetime.now(UTC)
        cap = station_max_amps(installed, moment)
        connector = self.sim.connectors.get(connector_id)
        if connector is None:
            amps = cap
        elif connector.transaction_id is not None:
            self.obey_profiles()
            amps = connector.offered_amps
        else:
            amps = min(cap, evse_amps(installed, connector_id, None, None, moment))
        schedule = composite(amps, charging_rate_unit or "A", duration)
        if self.sim.composite_no_limit is not None:
            schedule["charging_schedule_period"][0]["limit"] = self.sim.composite_no_limit
        return call_result.GetCompositeSchedule(
            status="Accepted",
            connector_id=connector_id,
            schedule_start=now(),
            charging_schedule=schedule,
        )

    # ---- Security whitepaper -----------------------------------------------------

    @on(Action.get_log)
    def on_get_log(self, log_type: str, request_id: int, log: dict[str, Any], **kwargs: Any) -> Any:
        self.then(
            lambda: self.send_log_status("Uploading", request_id),
            lambda: self.send_log_status("Uploaded", request_id),
        )
        return call_result.GetLog(status="Accepted", filename=f"{log_type.lower()}-{self.id}-{request_id}.log")

    @on(Action.signed_update_firmware)
    def on_signed_update_firmware(self, request_id: int, firmware: dict[str, Any], **kwargs: Any) -> Any:
        if not firmware["signing_certificate"].startswith(_PEM_CERTIFICATE):
            return call_result.SignedUpdateFirmware(status="InvalidCertificate")

        async def installed() -> None:
            self.sim.firmware_version = "1.1.0"
            await self.send_signed_firmware_status("Installed", request_id)

        self.then(
            *(
                partial(self.send_signed_firmware_status, status, request_id)
                for status in ("Downloading", "Downloaded", "SignatureVerified", "Installing")
            ),
            installed,
        )
        return call_result.SignedUpdateFirmware(status="Accepted")

    @on(Action.install_certificate)
    def on_install_certificate(self, certificate_type: str, certificate: str, **kwargs: Any) -> Any:
        if not certificate.startswith(_PEM_CERTIFICATE):
            return call_result.InstallCertificate(status="Rejected")
        installed = self.sim.certificates.setdefault(certificate_type, [])
        serial = sum(len(certs) for certs in self.sim.certificates.values())
        installed.append({"certificate": certificate, "hash": certificate_hash(certificate, serial)})
        return call_result.InstallCertificate(status="Accepted")

    @on(Action.get_installed_certificate_ids)
    def on_get_installed_certificate_ids(self, certificate_type: str, **kwargs: Any) -> Any:
        installed = self.sim.certificates.get(certificate_type)
        if not installed:
            return call_result.GetInstalledCertificateIds(status="NotFound")
        return call_result.GetInstalledCertificateIds(
            status="Accepted", certificate_hash_data=[dict(entry["hash"]) for entry in installed]
        )

    @on(Action.delete_certificate)
    def on_delete_certificate(self, certificate_hash_data: dict[str, Any], **kwargs: Any) -> Any:
        for installed in self.sim.certificates.values():
            for entry in installed:
                if entry["hash"] == certificate_hash_data:
                    installed.remove(entry)
                    return call_result.DeleteCertificate(status="Accepted")
        return call_result.DeleteCertificate(status="NotFound")

    @on(Action.certificate_signed)
    def on_certificate_signed(self, certificate_chain: str, **kwargs: Any) -> Any:
        if not certificate_chain.startswith(_PEM_CERTIFICATE):
            return call_result.CertificateSigned(status="Rejected")
        self.sim.certificate_chain = certificate_chain
        return call_result.CertificateSigned(status="Accepted")
