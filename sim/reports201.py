"""What the simulated 2.0.1 / 2.1 station reports on its own or after a request: the device model
(NotifyReport in parts), events and monitors, firmware / log / security notifications, charging limits,
the EV's charging needs and schedule, charging profiles, reservations, customer data, display messages,
certificate requests, and (2.1) periodic event streams sent as SEND frames.

The station core with these messages; still a mixin before the `ocpp` ChargePoint class.
"""

from __future__ import annotations

import uuid
from typing import Any

from .core201 import StationCore201
from .state201 import now


def _parts(items: list[Any], size: int) -> list[list[Any]]:
    size = max(1, size)
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


class StationReports201(StationCore201):
    """Messages a station sends about itself (keyword arguments in the `ocpp` package's snake_case)."""

    # ---- device model -------------------------------------------------------------------

    async def send_report(
        self, request_id: int, report_base: str = "FullInventory", part_size: int | None = None
    ) -> None:
        """The report a GetBaseReport asked for, as NotifyReport parts (ItemsPerMessage entries each)."""
        entries = self.sim.device_model.report(report_base)
        size = part_size or int(
            self.sim.device_model.value("DeviceDataCtrlr", "ItemsPerMessage", variable_instance="GetReport") or 8
        )
        await self.send_report_entries(request_id, entries, size)

    async def send_report_entries(self, request_id: int, entries: list[dict[str, Any]], part_size: int = 8) -> None:
        parts = _parts(entries, part_size)
        for seq_no, part in enumerate(parts):
            await self.send(
                "NotifyReport",
                request_id=request_id,
                generated_at=now(),
                seq_no=seq_no,
                report_data=part or None,
                tbc=seq_no < len(parts) - 1,
            )

    async def notify_event(
        self,
        component: dict[str, Any],
        variable: dict[str, Any],
        actual_value: str,
        event_id: int = 1,
        trigger: str = "Delta",
        notification_type: str = "HardWiredNotification",
        **fields: Any,
    ) -> Any:
        """NotifyEvent with one event; `fields`: cleared, tech_code, tech_info, transaction_id, cause …"""
        event = {
            "event_id": event_id,
            "timestamp": now(),
            "trigger": trigger,
            "actual_value": actual_value,
            "component": component,
            "variable": variable,
            "event_notification_type": notification_type,
            **fields,
        }
        return await self.send("NotifyEvent", generated_at=now(), seq_no=0, event_data=[event])

    async def notify_monitoring_report(
        self, request_id: int, monitors: list[dict[str, Any]], part_size: int = 8
    ) -> None:
        """NotifyMonitoringReport parts; each monitor entry: {"component", "variable", "variable_monitoring": [...]}."""
        parts = _parts(monitors, part_size)
        for seq_no, part in enumerate(parts):
            await self.send(
                "NotifyMonitoringReport",
                request_id=request_id,
                seq_no=seq_no,
                generated_at=now(),
                monitor=part or None,
                tbc=seq_no < len(parts) - 1,
            )

    # ---- firmware, logs, security --------------------------------------------------------

    async def send_firmware_status(self, status: str, request_id: int | None = None) -> Any:
        return await self.send("FirmwareStatusNotification", status=status, request_id=request_id)

    async def send_log_status(self, status: str, request_id: int | None = None) -> Any:
        return await self.send("LogStatusNotification", status=status, request_id=request_id)

    async def send_publish_firmware_status(
        self, status: str, locations: list[str] | None = None, request_id: int | None = None
    ) -> Any:
        return await self.send(
            "PublishFirmwareStatusNotification", status=status, location=locations, request_id=request_id
        )

    async def send_security_event(self, event_type: str, tech_info: str | None = None) -> Any:
        return await self.send("SecurityEventNotification", type=event_type, timestamp=now(), tech_info=tech_info)

    async def sign_certificate(self, certificate_type: str = "ChargingStationCertificate") -> Any:
        self.sim.csr = f"-----BEGIN CERTIFICATE REQUEST-----\n{uuid.uuid4()}\n-----END CERTIFICATE REQUEST-----"
        return await self.send("SignCertificate", csr=self.sim.csr, certificate_type=certificate_type)

    async def get_15118_ev_certificate(self, action: str = "Install", exi_request: str = "AAECAwQ=") -> Any:
        # the `ocpp` package spells the field differently per version
        version_field = "iso_15118_schema_version" if self._ocpp_version == "2.1" else "iso15118_schema_version"
        fields = {version_field: "urn:iso:15118:2:2013:MsgDef", "action": action, "exi_request": exi_request}
        return await self.send("Get15118EVCertificate", **fields)

    async def get_certificate_status(self, serial_number: str = "01AB") -> Any:
        return await self.send("GetCertificateStatus", ocsp_request_data=ocsp_data(serial_number))

    async def data_transfer(self, vendor_id: str, message_id: str | None = None, data: Any = None) -> Any:
        return await self.send("DataTransfer", vendor_id=vendor_id, message_id=message_id, data=data)

    # ---- smart charging and the EV ----------------------------------------------------------

    async def notify_charging_limit(
        self,
        source: str,
        evse_id: int | None = None,
        grid_critical: bool | None = None,
        schedule: list[dict[str, Any]] | None = None,
    ) -> Any:
        limit: dict[str, Any] = {"charging_limit_source": source}
        if grid_critical is not None:
            limit["is_grid_critical"] = grid_critical
        return await self.send("NotifyChargingLimit", charging_limit=limit, evse_id=evse_id, charging_schedule=schedule)

    async def cleared_charging_limit(self, source: str, evse_id: int | None = None) -> Any:
        return await self.send("ClearedChargingLimit", charging_limit_source=source, evse_id=evse_id)

    async def notify_ev_charging_needs(
        self,
        evse_id: int,
        energy_wh: int,
        departure_time: str | None = None,
        transfer: str = "AC_three_phase",
    ) -> Any:
        needs: dict[str, Any] = {"requested_energy_transfer": transfer}
        if transfer == "DC":
            needs["dc_charging_parameters"] = {
                "ev_max_current": 200,
                "ev_max_voltage": 800,
                "energy_amount": energy_wh,
                "state_of_charge": 40,
            }
        else:
            needs["ac_charging_parameters"] = {
                "energy_amount": energy_wh,
                "ev_min_current": 6,
                "ev_max_current": 16,
                "ev_max_voltage": 400,
            }
        if departure_time is not None:
            needs["departure_time"] = departure_time
        return await self.send("NotifyEVChargingNeeds", charging_needs=needs, evse_id=evse_id)

    async def notify_ev_charging_schedule(self, evse_id: int, limits_w: list[float]) -> Any:
        """NotifyEVChargingSchedule: one period per limit, an hour each."""
        schedule = {
            "id": 1,
            "charging_rate_unit": "W",
            "charging_schedule_period": [
                {"start_period": index * 3600, "limit": limit} for index, limit in enumerate(limits_w)
            ],
        }
        return await self.send("NotifyEVChargingSchedule", time_base=now(), charging_schedule=schedule, evse_id=evse_id)

    async def report_charging_profiles(
        self, request_id: int, evse_id: int, profiles: list[dict[str, Any]], source: str = "CSO", tbc: bool = False
    ) -> Any:
        return await self.send(
            "ReportChargingProfiles",
            request_id=request_id,
            charging_limit_source=source,
            charging_profile=profiles,
            evse_id=evse_id,
            tbc=tbc,
        )

    async def reservation_status_update(self, reservation_id: int, status: str = "Expired") -> Any:
        self.sim.reservations.pop(reservation_id, None)
        for evse in self.sim.evses.values():
            if evse.reservation_id == reservation_id:
                evse.reservation_id = None
        return await self.send(
            "ReservationStatusUpdate", reservation_id=reservation_id, reservation_update_status=status
        )

    # ---- customer data, display messages -------------------------------------------------

    async def notify_customer_information(self, request_id: int, text: str, parts: int = 1) -> None:
        size = max(1, -(-len(text) // parts))
        chunks = [text[i : i + size] for i in range(0, len(text), size)] or [""]
        for seq_no, chunk in enumerate(chunks):
            await self.send(
                "NotifyCustomerInformation",
                data=chunk,
                seq_no=seq_no,
                generated_at=now(),
                request_id=request_id,
                tbc=seq_no < len(chunks) - 1,
            )

    async def notify_display_messages(self, request_id: int, messages: list[dict[str, Any]] | None = None) -> Any:
        """NotifyDisplayMessages with the given MessageInfo entries (default: the station's own)."""
        infos = messages if messages is not None else list(self.sim.display_messages.values())
        return await self.send("NotifyDisplayMessages", request_id=request_id, message_info=infos or None)

    # ---- OCPP 2.1 ----------------------------------------------------------------------------

    async def open_periodic_event_stream(self, stream_id: int, monitor_id: int, interval: int = 10) -> Any:
        return await self.send(
            "OpenPeriodicEventStream",
            constant_stream_data={
                "id": stream_id,
                "params": {"interval": interval},
                "variable_monitoring_id": monitor_id,
            },
        )

    async def send_periodic_event_stream(
        self, stream_id: int, values: list[tuple[float, str]], pending: int = 0
    ) -> None:
        """NotifyPeriodicEventStream as a SEND frame (6): the central system never answers it."""
        payload = {
            "id": stream_id,
            "pending": pending,
            "basetime": now(),
            "data": [{"t": t, "v": v} for t, v in values],
        }
        await self.send_frame([6, str(uuid.uuid4()), "NotifyPeriodicEventStream", payload])


def ocsp_data(serial_number: str = "01AB") -> dict[str, str]:
    """OCSPRequestDataType (snake_case) with made-up hashes."""
    return {
        "hash_algorithm": "SHA256",
        "issuer_name_hash": "a" * 64,
        "issuer_key_hash": "b" * 64,
        "serial_number": serial_number,
        "responder_url": "http://ocsp.example.com",
    }
