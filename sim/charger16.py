"""A simulated OCPP 1.6J charge point built on the `ocpp` package's client side."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import (
    Action,
    ChargePointStatus,
    Measurand,
    Phase,
    RegistrationStatus,
    RemoteStartStopStatus,
    UnitOfMeasure,
)

_LOGGER = logging.getLogger(__name__)


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class ConnectorSim:
    connector_id: int
    status: str = ChargePointStatus.available
    energy_wh: float = 0.0
    power_w: float = 0.0
    transaction_id: int | None = None


@dataclass
class SimState:
    connectors: dict[int, ConnectorSim] = field(default_factory=dict)


class SimulatedChargePoint(ChargePoint):  # type: ignore[misc]
    """Answers remote start/stop like a real wallbox and reports meter values."""

    def __init__(self, cp_id: str, connection: Any, connectors: int = 1, **kwargs: Any) -> None:
        super().__init__(cp_id, connection, **kwargs)
        self.sim = SimState({i: ConnectorSim(i, energy_wh=1_000_000.0 * i) for i in range(1, connectors + 1)})
        self.remote_starts: list[dict[str, Any]] = []
        self.remote_stops: list[int] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(self._quietly(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _quietly(self, coro: Any) -> None:
        """Follow-up messages of a remote command; a socket closed meanwhile is not an error."""
        try:
            await coro
        except websockets.ConnectionClosed:
            _LOGGER.info("%s: connection closed before a follow-up message was sent", self.id)

    # ---- what the charger sends ---------------------------------------------

    async def boot(self, vendor: str = "OCPP Core", model: str = "Simulator 16") -> Any:
        response = await self.call(
            call.BootNotification(
                charge_point_vendor=vendor,
                charge_point_model=model,
                charge_point_serial_number=f"SIM-{self.id}",
                firmware_version="1.0.0",
            )
        )
        assert response.status == RegistrationStatus.accepted, response
        return response

    async def send_status(self, connector_id: int, status: str, error_code: str = "NoError") -> None:
        if connector_id in self.sim.connectors:
            self.sim.connectors[connector_id].status = status
        await self.call(
            call.StatusNotification(connector_id=connector_id, error_code=error_code, status=status, timestamp=now())
        )

    async def authorize(self, id_tag: str) -> Any:
        return await self.call(call.Authorize(id_tag=id_tag))

    async def start_transaction(self, connector_id: int, id_tag: str) -> int:
        connector = self.sim.connectors[connector_id]
        response = await self.call(
            call.StartTransaction(
                connector_id=connector_id, id_tag=id_tag, meter_start=int(connector.energy_wh), timestamp=now()
            )
        )
        connector.transaction_id = int(response.transaction_id)
        connector.power_w = 11_000.0
        await self.send_status(connector_id, ChargePointStatus.charging)
        return connector.transaction_id

    async def stop_transaction(self, connector_id: int, reason: str = "Local") -> None:
        connector = self.sim.connectors[connector_id]
        assert connector.transaction_id is not None
        await self.call(
            call.StopTransaction(
                meter_stop=int(connector.energy_wh),
                timestamp=now(),
                transaction_id=connector.transaction_id,
                reason=reason,
            )
        )
        connector.transaction_id = None
        connector.power_w = 0.0
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
            {"value": "16", "measurand": Measurand.current_offered, "unit": UnitOfMeasure.a},
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

    # ---- what the central system asks -----------------------------------------

    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag: str, connector_id: int | None = None, **kwargs: Any) -> Any:
        connector_id = connector_id or 1
        self.remote_starts.append({"id_tag": id_tag, "connector_id": connector_id})
        connector = self.sim.connectors.get(connector_id)
        if connector is None or connector.transaction_id is not None:
            return call_result.RemoteStartTransaction(status=RemoteStartStopStatus.rejected)
        self._spawn(self.start_transaction(connector_id, id_tag))
        return call_result.RemoteStartTransaction(status=RemoteStartStopStatus.accepted)

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id: int, **kwargs: Any) -> Any:
        self.remote_stops.append(transaction_id)
        for connector in self.sim.connectors.values():
            if connector.transaction_id == transaction_id:
                self._spawn(self.stop_transaction(connector.connector_id, reason="Remote"))
                return call_result.RemoteStopTransaction(status=RemoteStartStopStatus.accepted)
        return call_result.RemoteStopTransaction(status=RemoteStartStopStatus.rejected)


async def connect(url: str, cp_id: str, connectors: int = 1) -> tuple[SimulatedChargePoint, asyncio.Task[None], Any]:
    """Open the WebSocket, start the client's receive loop; returns (charger, loop task, socket)."""
    ws = await websockets.connect(f"{url.rstrip('/')}/{cp_id}", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    charger = SimulatedChargePoint(cp_id, ws, connectors=connectors)
    task = asyncio.create_task(_serve(charger))
    return charger, task, ws


async def _serve(charger: SimulatedChargePoint) -> None:
    """The client's receive loop; the socket closing is its normal end."""
    with contextlib.suppress(websockets.ConnectionClosed):
        await charger.start()


async def run_forever(url: str, cp_id: str, connectors: int, interval: float) -> None:
    """Boot, go live, and charge in a loop — for a newcomer's first look."""
    charger, task, ws = await connect(url, cp_id, connectors)
    await charger.boot()
    await charger.send_status(0, ChargePointStatus.available)
    for connector_id in charger.sim.connectors:
        await charger.send_status(connector_id, ChargePointStatus.available)
    await charger.authorize("SIM-TAG-1")
    await charger.start_transaction(1, "SIM-TAG-1")
    try:
        while not task.done():
            for connector_id in charger.sim.connectors:
                await charger.send_meter_values(connector_id, interval)
            await asyncio.sleep(interval)
    finally:
        await ws.close()
