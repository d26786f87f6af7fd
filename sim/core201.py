"""The simulated OCPP 2.0.1 / 2.1 station's own messages: connection, boot, statuses, authorisation and
transactions — with what tests need to misbehave on purpose: events queued while offline and replayed
after reconnecting, duplicates, out-of-order delivery, a reboot in the middle of a transaction.

`StationCore201` is a mixin placed before the `ocpp` package's ChargePoint class of the
version (ocpp.v201 / ocpp.v21): it sends with that class's `call` module, so the same code
speaks 2.0.1 and 2.1.  See reports201 for the reports it sends, handlers201 for what it
answers, charger201 for the classes put together.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import websockets

from .auth import ConnectOptions
from .followups import FollowUps
from .profiles import Installed, drop_session_profiles, obey
from .state201 import DeviceModelSim, EvseSim, StationState201, default_device_model, now

_LOGGER = logging.getLogger(__name__)

SUBPROTOCOLS = {"2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}


class StationCore201(FollowUps):
    """A 2.x station's state, connection and transactions."""

    _call: Any  # the version's `call` module (set by the ocpp ChargePoint class)
    _ocpp_version: str
    _connection: Any

    def __init__(
        self, cp_id: str, connection: Any, evses: int | dict[int, int] = 1, url: str | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("response_timeout", 10)
        super().__init__(cp_id, connection, **kwargs)
        counts = {i: 1 for i in range(1, evses + 1)} if isinstance(evses, int) else dict(evses)
        evse_sims = {
            evse_id: EvseSim(evse_id, {c: "Available" for c in range(1, n + 1)}, energy_wh=1_000_000.0 * evse_id)
            for evse_id, n in counts.items()
        }
        self.sim = StationState201(evse_sims, DeviceModelSim([]))
        self.sim.device_model = default_device_model(
            evse_sims, self.sim.vendor, self.sim.model, self.serial_number, self.sim.firmware_version
        )
        self.url = url
        # Basic auth and TLS (security profiles 1-3)
        self.connect_options = ConnectOptions()
        self.serve_task: asyncio.Task[None] | None = None
        self.registration_status: str | None = None
        self.heartbeat_interval: int | None = None
        self.remote_starts: list[dict[str, Any]] = []
        self.remote_stops: list[str] = []
        # TransactionEvents (the `ocpp` package's keyword arguments): sent, answered, queued while offline, held back
        self.sent_events: list[dict[str, Any]] = []
        self.event_answers: list[Any] = []
        self.offline = False
        self.queued: list[dict[str, Any]] = []
        self.holding = False
        self.held: list[dict[str, Any]] = []
        # TxCtrlr.StopTxOnInvalidId: end a transaction whose token the central system answers as not Accepted
        # (off here so tests of other things may start with any token; `python -m sim` turns it on)
        self.stop_tx_on_invalid_id = False
        self.refused_token: str | None = None  # the idTokenInfo status of the last token refused in a transaction

    @property
    def subprotocol(self) -> str:
        return SUBPROTOCOLS[self._ocpp_version]

    @property
    def serial_number(self) -> str:
        return f"SIM-{self.id}"[:25]

    # ---- the connection -----------------------------------------------------------------

    async def open(self) -> None:
        """Connect (again) to `url` and start the receive loop."""
        assert self.url is not None
        self._connection = await websockets.connect(
            f"{self.url.rstrip('/')}/{self.id}",
            subprotocols=[self.subprotocol],  # type: ignore[list-item]
            additional_headers=self.connect_options.headers(self.id),
            ssl=self.connect_options.ssl,
        )
        self.serve_task = asyncio.create_task(self._serve())

    async def _serve(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.start()  # type: ignore[attr-defined]

    async def close(self) -> None:
        """Close the connection and wait for the receive loop to end."""
        await self._connection.close()
        if self.serve_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.serve_task

    async def go_offline(self) -> None:
        """Lose the connection: TransactionEvents are queued (offline=true) until `reconnect`."""
        self.offline = True
        await self.close()

    async def reconnect(self, statuses: bool = True) -> None:
        """Back online without a reboot: the queued TransactionEvents go out in order, then the statuses."""
        await self.open()
        self.offline = False
        queued, self.queued = self.queued, []
        for payload in queued:
            await self._send_event(payload)
        if statuses:
            await self.send_all_statuses()

    async def reboot(
        self,
        reason: str = "PowerUp",
        resume: bool = False,
        stopped_reason: str = "PowerLoss",
        firmware_version: str | None = None,
    ) -> None:
        """Restart: reconnect, boot, then either end each running transaction (Ended, `stopped_reason`)
        or resume it (Updated: TxResumed in 2.1, Trigger in 2.0.1); queued events go out first."""
        await self.close()
        if firmware_version is not None:
            self.sim.firmware_version = firmware_version
            firmware = {"name": "Controller"}, {"name": "FirmwareVersion"}
            self.sim.device_model.set(*firmware, firmware_version)
        self.offline = True  # queued until booted
        await self.open()
        await self.boot(reason)
        self.offline = False
        queued, self.queued = self.queued, []
        for payload in queued:
            await self._send_event(payload)
        for evse in self.sim.evses.values():
            if evse.transaction_id is None:
                continue
            if resume:
                trigger = "TxResumed" if self._ocpp_version == "2.1" else "Trigger"
                await self.update_transaction(evse.evse_id, seconds=0, trigger_reason=trigger)
            else:
                await self.stop_transaction(evse.evse_id, stopped_reason, trigger_reason="AbnormalCondition")
        await self.send_all_statuses()

    async def send_frame(self, frame: list[Any]) -> None:
        """Any frame as given (2.1 SEND [6, ...], CALLRESULTERROR [5, ...]); no answer is awaited."""
        await self._connection.send(json.dumps(frame))

    async def send(self, action: str, /, **fields: Any) -> Any:
        """Any station → central system action, from the `ocpp` package's keyword arguments."""
        return await self.call(getattr(self._call, action)(**fields))  # type: ignore[attr-defined]

    # ---- provisioning -------------------------------------------------------------------------

    async def boot(self, reason: str = "PowerUp", expect: str | None = "Accepted") -> Any:
        """BootNotification; asserts the answer is `expect` (None: any answer)."""
        response = await self.send(
            "BootNotification",
            charging_station={
                "model": self.sim.model,
                "vendor_name": self.sim.vendor,
                "serial_number": self.serial_number,
                "firmware_version": self.sim.firmware_version,
                "modem": {"iccid": "8949000000000000001", "imsi": "262010000000001"},
            },
            reason=reason,
        )
        self.registration_status = response.status
        self.heartbeat_interval = response.interval
        if expect is not None:
            assert response.status == expect, response
        return response

    async def heartbeat(self) -> Any:
        return await self.send("Heartbeat")

    async def send_status(self, evse_id: int, connector_id: int, status: str) -> Any:
        if evse_id in self.sim.evses:
            self.sim.evses[evse_id].connectors[connector_id] = status
        if self.offline:
            return None  # a status is sent anew when back online
        return await self.send(
            "StatusNotification", timestamp=now(), connector_status=status, evse_id=evse_id, connector_id=connector_id
        )

    async def send_all_statuses(self) -> None:
        """StatusNotification for every connector of every EVSE, as after a boot."""
        for evse in self.sim.evses.values():
            for connector_id, status in evse.connectors.items():
                await self.send_status(evse.evse_id, connector_id, status)

    async def authorize(
        self,
        id_token: str,
        token_type: str = "ISO14443",
        additional_info: list[dict[str, Any]] | None = None,
        certificate: str | None = None,
        hash_data: list[dict[str, Any]] | None = None,
    ) -> Any:
        """Authorize; an ISO 15118 contract certificate (PEM) or its OCSP data (see reports201.ocsp_data)."""
        token: dict[str, Any] = {"id_token": id_token, "type": token_type}
        if additional_info:
            token["additional_info"] = additional_info
        fields: dict[str, Any] = {"certificate": certificate}
        if hash_data is not None:  # the `ocpp` package spells the field differently per version
            name = (
                "iso_15118_certificate_hash_data" if self._ocpp_version == "2.1" else "iso15118_certificate_hash_data"
            )
            fields[name] = hash_data
        return await self.send("Authorize", id_token=token, **fields)

    # ---- transactions -----------------------------------------------------------------------

    def meter_value(self, evse: EvseSim, context: str = "Sample.Periodic") -> dict[str, Any]:
        """One meterValue: the register in kWh (unit Wh, multiplier 3), power, currents, voltages, SoC."""
        amps = evse.power_w / 230.0 / 3.0
        sampled: list[dict[str, Any]] = [
            {
                "value": evse.energy_wh / 1000.0,
                "measurand": "Energy.Active.Import.Register",
                "context": context,
                "unit_of_measure": {"unit": "Wh", "multiplier": 3},
            },
            {
                "value": evse.power_w,
                "measurand": "Power.Active.Import",
                "context": context,
                "unit_of_measure": {"unit": "W"},
            },
            {
                "value": 57,
                "measurand": "SoC",
                "context": context,
                "location": "EV",
                "unit_of_measure": {"unit": "Percent"},
            },
        ]
        for phase in ("L1", "L2", "L3"):
            sampled.append({"value": round(amps, 2), "measurand": "Current.Import", "phase": phase, "context": context})
            sampled.append({"value": 230.0, "measurand": "Voltage", "phase": f"{phase}-N", "context": context})
        return {"timestamp": now(), "sampled_value": sampled}

    async def transaction_event(
        self,
        evse_id: int,
        event_type: str,
        trigger_reason: str,
        *,
        seconds: float = 0.0,
        meter_context: str | None = "Sample.Periodic",
        charging_state: str | None = None,
        stopped_reason: str | None = None,
        id_token: dict[str, Any] | None = None,
        with_evse: bool = False,
        connector_id: int = 1,
        info: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Any:
        """One TransactionEvent of the EVSE's transaction (seqNo counted up); energy advances by `seconds`."""
        evse = self.sim.evses[evse_id]
        assert evse.transaction_id is not None, f"no transaction on EVSE {evse_id}"
        evse.energy_wh += evse.power_w * seconds / 3600.0
        transaction_info: dict[str, Any] = {"transaction_id": evse.transaction_id}
        if charging_state is not None:
            evse.charging_state = transaction_info["charging_state"] = charging_state
        if stopped_reason is not None:
            transaction_info["stopped_reason"] = stopped_reason
        transaction_info.update(info or {})
        payload: dict[str, Any] = {
            "event_type": event_type,
            "timestamp": now(),
            "trigger_reason": trigger_reason,
            "seq_no": evse.seq_no,
            "transaction_info": transaction_info,
        }
        evse.seq_no += 1
        if meter_context is not None:
            payload["meter_value"] = [self.meter_value(evse, meter_context)]
        if with_evse:
            payload["evse"] = {"id": evse_id, "connector_id": connector_id}
        if id_token is not None:
            payload["id_token"] = id_token
        payload.update(fields)
        return await self.send_transaction_event(payload)

    async def send_transaction_event(self, payload: dict[str, Any]) -> Any:
        """Send it, or queue it (offline) or hold it back (`holding`); None when not sent."""
        if self.offline:
            self.queued.append({**payload, "offline": True})
            return None
        if self.holding:
            self.held.append(payload)
            return None
        return await self._send_event(payload)

    async def _send_event(self, payload: dict[str, Any]) -> Any:
        answer = await self.send("TransactionEvent", **payload)
        self.sent_events.append(payload)
        self.event_answers.append(answer)
        return answer

    async def resend_event(self, index: int = -1) -> Any:
        """Send an event that went out before once more (a duplicate, as after a lost answer)."""
        return await self._send_event(dict(self.sent_events[index]))

    async def release_held(self, order: list[int] | None = None) -> None:
        """Send the events held back (`holding`), in the given order of their indexes."""
        held, self.held, self.holding = self.held, [], False
        for index in order if order is not None else range(len(held)):
            await self._send_event(held[index])

    async def start_transaction(
        self,
        evse_id: int,
        id_token: str | None = "TAG-1",
        token_type: str = "ISO14443",
        trigger_reason: str = "Authorized",
        connector_id: int = 1,
        remote_start_id: int | None = None,
        power_w: float = 11_000.0,
        info: dict[str, Any] | None = None,
        **fields: Any,
    ) -> str:
        """Plug in (Occupied), then TransactionEvent Started (Transaction.Begin reading); the transaction id."""
        evse = self.sim.evses[evse_id]
        await self.send_status(evse_id, connector_id, "Occupied")
        evse.transaction_id = str(uuid.uuid4())
        evse.seq_no = 0
        evse.ev_max_w = power_w
        evse.session_start = datetime.now(UTC)
        self.obey_profiles()
        evse.remote_start_id = remote_start_id
        evse.id_token = {"id_token": id_token, "type": token_type} if id_token is not None else None
        info = {**({"remote_start_id": remote_start_id} if remote_start_id is not None else {}), **(info or {})}
        reservation_id = evse.reservation_id
        if reservation_id is not None:
            self.sim.reservations.pop(reservation_id, None)
            evse.reservation_id = None
            fields.setdefault("reservation_id", reservation_id)
        answer = await self.transaction_event(
            evse_id,
            "Started",
            trigger_reason,
            meter_context="Transaction.Begin",
            charging_state="Charging" if evse.power_w > 0 else "SuspendedEVSE",
            id_token=evse.id_token,
            with_evse=True,
            connector_id=connector_id,
            info=info,
            **fields,
        )
        transaction_id = evse.transaction_id
        await self._stop_if_refused(evse_id, answer)
        return transaction_id

    async def update_transaction(
        self, evse_id: int, seconds: float = 60.0, trigger_reason: str = "MeterValuePeriodic", **fields: Any
    ) -> Any:
        """TransactionEvent Updated with a meter value `seconds` of charging later."""
        return await self.transaction_event(evse_id, "Updated", trigger_reason, seconds=seconds, **fields)

    async def authorize_transaction(self, evse_id: int, id_token: str, token_type: str = "ISO14443") -> Any:
        """Late authorisation: Updated with the token (the session started on plug-in, without one)."""
        token = {"id_token": id_token, "type": token_type}
        self.sim.evses[evse_id].id_token = token
        answer = await self.transaction_event(evse_id, "Updated", "Authorized", meter_context=None, id_token=token)
        await self._stop_if_refused(evse_id, answer)
        return answer

    async def _stop_if_refused(self, evse_id: int, answer: Any) -> None:
        """A real station told its token is not Accepted (TransactionEvent's idTokenInfo) ends the transaction
        when StopTxOnInvalidId is set: Ended, stoppedReason DeAuthorized."""
        info = getattr(answer, "id_token_info", None) or {}
        status = info.get("status")
        if status is None or status == "Accepted":
            return
        self.refused_token = status
        if self.stop_tx_on_invalid_id and self.sim.evses[evse_id].transaction_id is not None:
            await self.stop_transaction(evse_id, "DeAuthorized", trigger_reason="Deauthorized")

    async def stop_transaction(
        self,
        evse_id: int,
        stopped_reason: str = "Local",
        trigger_reason: str = "StopAuthorized",
        seconds: float = 0.0,
        unplug: bool = True,
        **fields: Any,
    ) -> Any:
        """TransactionEvent Ended (Transaction.End reading), then unplugged (Available)."""
        evse = self.sim.evses[evse_id]
        answer = await self.transaction_event(
            evse_id,
            "Ended",
            trigger_reason,
            seconds=seconds,
            meter_context="Transaction.End",
            charging_state="EVConnected",
            stopped_reason=stopped_reason,
            **fields,
        )
        ended, evse.transaction_id, evse.session_start = evse.transaction_id, None, None
        evse.power_w = 0.0
        evse.remote_start_id = None
        drop_session_profiles(self.sim.charging_profiles, "evse_id", evse_id, ended)
        if unplug:
            for connector_id, status in list(evse.connectors.items()):
                if status == "Occupied":
                    await self.send_status(evse_id, connector_id, "Available")
            evse.charging_state = "Idle"
        return answer

    # ---- obeying the charging profiles ------------------------------------------------------

    def installed_profiles(self) -> list[Installed]:
        return [Installed(known["evse_id"], known["profile"]) for known in self.sim.charging_profiles.values()]

    def obey_profiles(self) -> list[tuple[int, str]]:
        """Set each session's power to min(EV, limit in force); the (EVSE, charging state) changes that
        follow (Charging <-> SuspendedEVSE: below 6 A the EV is suspended)."""
        sessions = {e.evse_id: e for e in self.sim.evses.values() if e.transaction_id is not None}
        wanted = obey(sessions, self.installed_profiles(), datetime.now(UTC))
        return [
            (evse_id, state)
            for evse_id, state in wanted.items()
            if sessions[evse_id].charging_state in ("Charging", "SuspendedEVSE")
            and sessions[evse_id].charging_state != state
        ]

    async def send_meter_values(self, evse_id: int, seconds: float = 60.0) -> Any:
        """MeterValues of an EVSE (outside TransactionEvents), `seconds` of charging later."""
        evse = self.sim.evses[evse_id]
        evse.energy_wh += evse.power_w * seconds / 3600.0
        return await self.send("MeterValues", evse_id=evse_id, meter_value=[self.meter_value(evse)])

    async def send_main_meter_values(self, energy_wh: float | None = None, power_w: float = 4_200.0) -> Any:
        """MeterValues of evseId 0: the station's main meter (grid connection)."""
        if energy_wh is not None:
            self.sim.main_meter_wh = energy_wh
        sampled = [
            {"value": self.sim.main_meter_wh, "measurand": "Energy.Active.Import.Register", "location": "Inlet"},
            {"value": power_w / 1000.0, "measurand": "Power.Active.Import", "unit_of_measure": {"unit": "kW"}},
        ]
        return await self.send("MeterValues", evse_id=0, meter_value=[{"timestamp": now(), "sampled_value": sampled}])
