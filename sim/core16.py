"""The simulated 1.6J charger's state and everything it sends on its own (see handlers16 for what it answers)."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ocpp.v16 import ChargePoint, call
from ocpp.v16.enums import ChargePointStatus, Measurand, Phase, RegistrationStatus, UnitOfMeasure

from .followups import FollowUps
from .profiles import Installed, drop_session_profiles, obey

_LOGGER = logging.getLogger(__name__)

FEATURE_PROFILES = "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"
# keys ChangeConfiguration checks the value of, and those that need a reboot to apply
INTEGER_KEYS = frozenset(
    {"HeartbeatInterval", "MeterValueSampleInterval", "ConnectionTimeOut", "WebSocketPingInterval", "SecurityProfile"}
)
BOOLEAN_KEYS = frozenset(
    {
        "LocalAuthListEnabled",
        "AuthorizeRemoteTxRequests",
        "StopTransactionOnEVSideDisconnect",
        "StopTransactionOnInvalidId",
    }
)
REBOOT_KEYS = frozenset({"WebSocketPingInterval", "SecurityProfile"})


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class ConfigKey:
    value: str | None
    readonly: bool = False


def default_configuration(connectors: int) -> dict[str, ConfigKey]:
    """What a typical AC wallbox reports to GetConfiguration."""
    return {
        "NumberOfConnectors": ConfigKey(str(connectors), readonly=True),
        "SupportedFeatureProfiles": ConfigKey(FEATURE_PROFILES, readonly=True),
        "MeterValuesSampledData": ConfigKey("Energy.Active.Import.Register,Power.Active.Import,Current.Import,SoC"),
        "MeterValueSampleInterval": ConfigKey("60"),
        "HeartbeatInterval": ConfigKey("300"),
        "ConnectionTimeOut": ConfigKey("60"),
        "AuthorizeRemoteTxRequests": ConfigKey("false"),
        "StopTransactionOnEVSideDisconnect": ConfigKey("true"),
        # off here (real chargers mostly have it on) so tests of other things may start with any tag
        "StopTransactionOnInvalidId": ConfigKey("false"),
        "WebSocketPingInterval": ConfigKey("60"),
        "ChargeProfileMaxStackLevel": ConfigKey("8", readonly=True),
        "ChargingScheduleAllowedChargingRateUnit": ConfigKey("Current,Power", readonly=True),
        "ChargingScheduleMaxPeriods": ConfigKey("24", readonly=True),
        "MaxChargingProfilesInstalled": ConfigKey("10", readonly=True),
        "LocalAuthListEnabled": ConfigKey("true"),
        "LocalAuthListMaxLength": ConfigKey("100", readonly=True),
        "SendLocalListMaxLength": ConfigKey("100", readonly=True),
        "ReserveConnectorZeroSupported": ConfigKey("false", readonly=True),
        "GetConfigurationMaxKeys": ConfigKey("50", readonly=True),
        "SecurityProfile": ConfigKey("0"),
    }


@dataclass
class ConnectorSim:
    connector_id: int
    status: str = ChargePointStatus.available
    energy_wh: float = 0.0
    power_w: float = 0.0
    transaction_id: int | None = None
    reservation_id: int | None = None
    ev_max_w: float = 11_000.0  # what the EV would take; the charging profiles may allow less
    offered_amps: float = 16.0  # the current per phase the charging profiles allow it now
    session_start: datetime | None = None


@dataclass
class SimState:
    connectors: dict[int, ConnectorSim] = field(default_factory=dict)
    configuration: dict[str, ConfigKey] = field(default_factory=dict)
    firmware_version: str = "1.0.0"
    local_list_version: int = 0
    local_list: dict[str, dict[str, Any]] = field(default_factory=dict)
    # reservation id -> {"connector_id", "id_tag", "expiry_date", "parent_id_tag"}
    reservations: dict[int, dict[str, Any]] = field(default_factory=dict)
    # charging profile id -> {"connector_id", "profile"} (the profile with snake_case keys, as received)
    charging_profiles: dict[int, dict[str, Any]] = field(default_factory=dict)
    # certificate type -> [{"certificate", "hash"}] (hash: CertificateHashData, snake_case)
    certificates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    certificate_chain: str | None = None
    csr: str | None = None
    # tests: SetChargingProfile is answered with this status (e.g. "Rejected") instead of being obeyed
    refuse_profiles: str | None = None
    # tests: its composite schedule says "no limit" with this limit (MicroOcpp 1.6 answers -1) instead of the one in force
    composite_no_limit: float | None = None
    # the rate units it takes when its configuration names none (no ChargingScheduleAllowedChargingRateUnit)
    silent_rate_units: str = "Current,Power"


class ChargerCore(FollowUps, ChargePoint):  # type: ignore[misc]
    """A 1.6J charge point's own messages, its state, and ordered follow-up messages (FollowUps)."""

    def __init__(self, cp_id: str, connection: Any, connectors: int = 1, **kwargs: Any) -> None:
        super().__init__(cp_id, connection, **kwargs)
        self.sim = SimState(
            {i: ConnectorSim(i, energy_wh=1_000_000.0 * i) for i in range(1, connectors + 1)},
            default_configuration(connectors),
        )
        self.remote_starts: list[dict[str, Any]] = []
        self.remote_stops: list[int] = []
        self.last_id_tag_info: dict[str, Any] = {}  # the central system's answer to the last StartTransaction
        self.registration_status: str | None = None
        self.heartbeat_interval: int | None = None
        # every DataTransfer the central system sent ({"vendor_id", "message_id", "data"}), and the California
        # Pricing ones taken (messageId, data read): only once it advertises them (advertise_cost_display)
        self.data_transfers: list[dict[str, Any]] = []
        self.cost_messages: list[tuple[str, dict[str, Any]]] = []

    # ---- what the charger sends ---------------------------------------------

    async def boot(
        self, vendor: str = "OCPP Core", model: str = "Simulator 16", expect: str | None = RegistrationStatus.accepted
    ) -> Any:
        """BootNotification; asserts the answer is `expect` (None: any answer)."""
        response = await self.call(
            call.BootNotification(
                charge_point_vendor=vendor,
                charge_point_model=model,
                charge_point_serial_number=f"SIM-{self.id}",
                firmware_version=self.sim.firmware_version,
            )
        )
        self.registration_status = response.status
        self.heartbeat_interval = response.interval
        if expect is not None:
            assert response.status == expect, response
        return response

    async def heartbeat(self) -> Any:
        return await self.call(call.Heartbeat())

    async def send_status(
        self,
        connector_id: int,
        status: str,
        error_code: str = "NoError",
        info: str | None = None,
        vendor_error_code: str | None = None,
    ) -> None:
        if connector_id in self.sim.connectors:
            self.sim.connectors[connector_id].status = status
        await self.call(
            call.StatusNotification(
                connector_id=connector_id,
                error_code=error_code,
                status=status,
                timestamp=now(),
                info=info,
                vendor_error_code=vendor_error_code,
            )
        )

    def advertise_cost_display(self) -> None:
        """Say it shows costs and prices (California Pricing: CustomDisplayCostAndPrice true); read by the
        central system with the configuration after the next boot."""
        self.sim.configuration["CustomDisplayCostAndPrice"] = ConfigKey("true", readonly=True)

    def _config_true(self, key: str) -> bool:
        entry = self.sim.configuration.get(key)
        return entry is not None and str(entry.value).lower() == "true"

    async def authorize(self, id_tag: str) -> Any:
        return await self.call(call.Authorize(id_tag=id_tag))

    async def start_transaction(self, connector_id: int, id_tag: str) -> int:
        connector = self.sim.connectors[connector_id]
        reservation_id = connector.reservation_id
        if reservation_id is not None:
            self.sim.reservations.pop(reservation_id, None)
            connector.reservation_id = None
        connector.session_start = datetime.now(UTC)  # starting: a TxProfile may come right after the answer
        response = await self.call(
            call.StartTransaction(
                connector_id=connector_id,
                id_tag=id_tag,
                meter_start=int(connector.energy_wh),
                timestamp=now(),
                reservation_id=reservation_id,
            )
        )
        connector.transaction_id = int(response.transaction_id)
        self.last_id_tag_info = dict(response.id_tag_info)
        if response.id_tag_info.get("status") != "Accepted" and self._config_true("StopTransactionOnInvalidId"):
            await self.stop_transaction(connector_id, "DeAuthorized")
            return int(response.transaction_id)
        connector.session_start = datetime.now(UTC)
        self.obey_profiles()
        charging = connector.power_w > 0
        await self.send_status(
            connector_id, ChargePointStatus.charging if charging else ChargePointStatus.suspended_evse
        )
        return connector.transaction_id

    async def stop_transaction(self, connector_id: int, reason: str = "Local", id_tag: str | None = None) -> None:
        """End the session (`id_tag`: the tag presented to end it; the answer's idTagInfo: last_id_tag_info)."""
        connector = self.sim.connectors[connector_id]
        assert connector.transaction_id is not None
        response = await self.call(
            call.StopTransaction(
                meter_stop=int(connector.energy_wh),
                timestamp=now(),
                transaction_id=connector.transaction_id,
                reason=reason,
                id_tag=id_tag,
            )
        )
        if id_tag is not None:
            self.last_id_tag_info = dict(response.id_tag_info or {})
        ended = connector.transaction_id
        connector.transaction_id = None
        connector.power_w = 0.0
        connector.session_start = None
        drop_session_profiles(self.sim.charging_profiles, "connector_id", connector_id, ended)
        await self.send_status(connector_id, ChargePointStatus.finishing)
        await self.send_status(connector_id, ChargePointStatus.available)

    async def send_meter_values(self, connector_id: int, seconds: float = 10.0) -> None:
        connector = self.sim.connectors[connector_id]
        connector.energy_wh += connector.power_w * seconds / 3600.0
        amps = connector.power_w / 230.0 / 3.0
        sampled: list[dict[str, Any]] = [
            {
                "value": f"{connector.energy_wh:.1f}",
                "measurand": Measurand.energy_active_import_register,
                "unit": UnitOfMeasure.wh,
                "context": "Sample.Periodic",
            },
            {
                "value": f"{connector.power_w / 1000.0:.3f}",
                "measurand": Measurand.power_active_import,
                "unit": UnitOfMeasure.kw,
            },
            {"value": f"{connector.offered_amps:g}", "measurand": Measurand.current_offered, "unit": UnitOfMeasure.a},
            {"value": "57", "measurand": Measurand.soc, "unit": UnitOfMeasure.percent, "location": "EV"},
        ]
        for phase, volt_phase in ((Phase.l1, Phase.l1_n), (Phase.l2, Phase.l2_n), (Phase.l3, Phase.l3_n)):
            sampled.append(
                {"value": f"{amps:.2f}", "measurand": Measurand.current_import, "unit": UnitOfMeasure.a, "phase": phase}
            )
            sampled.append(
                {
                    "value": f"{229 + random.random() * 2:.1f}",
                    "measurand": Measurand.voltage,
                    "unit": UnitOfMeasure.v,
                    "phase": volt_phase,
                }
            )
        await self.call(
            call.MeterValues(
                connector_id=connector_id,
                transaction_id=connector.transaction_id,
                meter_value=[{"timestamp": now(), "sampled_value": sampled}],
            )
        )

    # ---- obeying the charging profiles ------------------------------------------

    def installed_profiles(self) -> list[Installed]:
        return [Installed(i["connector_id"], i["profile"]) for i in self.sim.charging_profiles.values()]

    def obey_profiles(self) -> list[tuple[int, str]]:
        """Set each session's power to min(EV, limit in force); the (connector, status) changes that follow
        (Charging <-> SuspendedEVSE: below 6 A the EV is suspended)."""
        charging = {c.connector_id: c for c in self.sim.connectors.values() if c.transaction_id is not None}
        wanted = obey(charging, self.installed_profiles(), datetime.now(UTC))
        return [
            (connector_id, ChargePointStatus(status))
            for connector_id, status in wanted.items()
            if charging[connector_id].status in (ChargePointStatus.charging, ChargePointStatus.suspended_evse)
            and charging[connector_id].status != status
        ]

    async def data_transfer(self, vendor_id: str, message_id: str | None = None, data: str | None = None) -> Any:
        return await self.call(call.DataTransfer(vendor_id=vendor_id, message_id=message_id, data=data))

    async def send_firmware_status(self, status: str) -> Any:
        return await self.call(call.FirmwareStatusNotification(status=status))

    async def send_diagnostics_status(self, status: str) -> Any:
        return await self.call(call.DiagnosticsStatusNotification(status=status))

    async def send_signed_firmware_status(self, status: str, request_id: int) -> Any:
        return await self.call(call.SignedFirmwareStatusNotification(status=status, request_id=request_id))

    async def send_log_status(self, status: str, request_id: int) -> Any:
        return await self.call(call.LogStatusNotification(status=status, request_id=request_id))

    async def send_security_event(self, event_type: str, tech_info: str | None = None) -> Any:
        return await self.call(call.SecurityEventNotification(type=event_type, timestamp=now(), tech_info=tech_info))

    async def sign_certificate(self, csr: str | None = None) -> Any:
        """SignCertificate with a (fake) CSR; the central system's answer."""
        self.sim.csr = csr or f"-----BEGIN CERTIFICATE REQUEST-----\nSIM-{self.id}\n-----END CERTIFICATE REQUEST-----"
        return await self.call(call.SignCertificate(csr=self.sim.csr))

    async def send_all_statuses(self) -> None:
        """StatusNotification for the station (connector 0) and every connector, as after a boot."""
        await self.send_status(0, ChargePointStatus.available)
        for connector in self.sim.connectors.values():
            await self.send_status(connector.connector_id, connector.status)
