"""OCPP 1.6J: the Core profile as the central system sees it, registration and the configuration read.

Registration follows the rules every version shares (see adapter.py): the boot
policy decides, a station the user accepted stays Accepted, and messages of a
station that is not Accepted are answered anyway (logged once).

After an Accepted boot the charger's configuration is read once (GetConfiguration
without keys), in a task of its own: the BootNotification answer is written to
the socket before that task sends anything (websockets writes a frame in `send`
before its first await).  Configuration is never written without being asked.
"""

from __future__ import annotations

import logging
from typing import Any

from ..adapter import CallFn, VersionAdapter
from ..config import CentralSystemConfig
from ..model import bounds
from ..model.events import Event, EventType
from ..model.station import MeterSample, RegistrationStatus, Station
from ..model.units import conversion
from ..rpc.endpoint import Payload
from ..rpc.timeutil import format_timestamp, parse_timestamp, utcnow
from ..rpc.types import CallError, CallTimeout, NotConnected
from ..state.authorization import id_tag_info_v16, refusal_event
from ..state.central_state import CentralState
from .answers import RECORDERS, before_call
from .charger import V16Charger
from .commands import V16Commands
from .handlers import V16StationReports

_LOGGER = logging.getLogger(__name__)


class V16Adapter(VersionAdapter):
    """Handlers for charger-initiated 1.6 messages and the commands we send."""

    recorders = RECORDERS

    def __init__(self, station_id: str, state: CentralState, call: CallFn, config: CentralSystemConfig) -> None:
        super().__init__(station_id, state, call, config)
        self.commands = V16Commands(call)
        self.charger = V16Charger(station_id, state, self.commands)
        self._handlers.update(
            {
                "StartTransaction": self.on_start_transaction,
                "StopTransaction": self.on_stop_transaction,
                "MeterValues": self.on_meter_values,
                **V16StationReports(station_id, state).handlers(),
            }
        )

    def before_call(self, action: str, request: Payload) -> None:
        before_call(self.state, self.station_id, action, request)

    # ---- charger → central system ------------------------------------------

    def on_boot_notification(self, payload: Payload) -> Payload:
        status = self._registration(payload)
        self.state.activity.record_boot(
            self.station_id,
            {
                "vendor": payload.get("chargePointVendor"),
                "model": payload.get("chargePointModel"),
                "serial_number": payload.get("chargePointSerialNumber") or payload.get("chargeBoxSerialNumber"),
                "firmware_version": payload.get("firmwareVersion"),
                "meter_type": payload.get("meterType") or None,
                "meter_serial_number": payload.get("meterSerialNumber") or None,
            },
            status,
        )
        if status == RegistrationStatus.ACCEPTED:
            self._read_after_boot(self._read_configuration)
        return {
            "status": status,
            "currentTime": format_timestamp(utcnow()),
            "interval": self.config.heartbeat_interval,
        }

    async def _read_configuration(self) -> None:
        """GetConfiguration once per boot; the answer lands in the state (answers.py)."""
        try:
            await self.commands.get_configuration()
        except NotConnected:
            pass
        except (CallError, CallTimeout) as err:
            self.state.store.log_once(
                self.station_id,
                "get_configuration_failed",
                logging.WARNING,
                "its configuration could not be read (%s); going on without it",
                err,
            )
        except Exception as err:  # noqa: BLE001 - a bug here must not end the session
            self._log(logging.ERROR, "%s: reading the configuration failed", exc_info=err, logger=_LOGGER)

    def on_status_notification(self, payload: Payload) -> Payload:
        self.state.activity.record_status(
            self.station_id,
            bounds.connector_id(self.state.stations.get(self.station_id), int(payload["connectorId"])),
            payload["status"],
            payload.get("errorCode"),
            payload.get("info"),
            payload.get("vendorErrorCode"),
            parse_timestamp(payload.get("timestamp")),
        )
        return {}

    def on_authorize(self, payload: Payload) -> Payload:
        id_tag = payload["idTag"]
        info = id_tag_info_v16(self.state.authorization.decide(self.station_id, id_tag))
        self.state.events.emit(
            Event(EventType.AUTHORIZE, self.station_id, data={"id_tag": id_tag, "status": info["status"]})
        )
        return {"idTagInfo": info}

    async def on_start_transaction(self, payload: Payload) -> Payload:
        station = self.state.store.station(self.station_id)
        connector_id = bounds.connector_id(station, int(payload["connectorId"]), low=1)
        timestamp = parse_timestamp(payload.get("timestamp"))
        meter_start = float(payload["meterStart"])
        id_tag = payload["idTag"]
        authorization = self.state.authorization
        existing = station.connectors.get(connector_id)
        open_tx = existing.transaction if existing is not None else None
        if (
            open_tx is not None
            and open_tx.id_tag == id_tag
            and open_tx.meter_start_wh == meter_start
            and open_tx.start_time == timestamp
        ):
            # The charger sent the same StartTransaction again (our answer got lost): same id, same answer.
            tx_id = open_tx.transaction_id
            decision = authorization.decide(self.station_id, id_tag, connector_id=connector_id, transaction_id=tx_id)
            if self.state.store.unsaved:
                await self.state.store.save_now()  # the first answer was an error, as the write failed: write it now
        else:
            tx_id = str(self.state.transactions.allocate_id())
            decision = authorization.decide(
                self.station_id, id_tag, starting=True, connector_id=connector_id, transaction_id=tx_id
            )
            await self.state.transactions.start(self.station_id, connector_id, tx_id, id_tag, meter_start, timestamp)
            self._reservation_used(station, connector_id, payload)
            if not decision.accepted:
                # recorded all the same: the charger has started it and is to stop it (StopTransactionOnInvalidId)
                status = id_tag_info_v16(decision)["status"]
                event = refusal_event(self.station_id, "StartTransaction", id_tag, status, connector_id=connector_id)
                self.state.events.emit(event)
        return {"transactionId": int(tx_id), "idTagInfo": id_tag_info_v16(decision)}

    def _reservation_used(self, station: Station, connector_id: int, payload: Payload) -> None:
        """A session on a reservation ends it (by its id, or by the tag of the connector's reservation)."""
        reservation_id = payload.get("reservationId")
        if isinstance(reservation_id, int):
            self.state.reservations.remove(self.station_id, reservation_id, "used")
            return
        connector = station.connectors.get(connector_id)
        reservation = connector.reservation if connector is not None else None
        if reservation is not None and reservation.id_tag == payload["idTag"]:
            self.state.reservations.remove(self.station_id, reservation.reservation_id, "used")

    async def on_stop_transaction(self, payload: Payload) -> Payload:
        tx_id = str(payload["transactionId"])
        connector = self.state.transactions.find_open(self.station_id, tx_id)
        session_tag = connector.transaction.id_tag if connector is not None and connector.transaction else None
        if connector is not None and payload.get("transactionData"):
            self._record_meter_values(connector.connector_id, payload["transactionData"], tx_id)
        await self.state.transactions.stop(
            self.station_id,
            tx_id,
            float(payload["meterStop"]),
            parse_timestamp(payload.get("timestamp")),
            payload.get("reason"),
        )
        answer: Payload = {}
        if payload.get("idTag"):
            decision = self.state.authorization.decide_stop(self.station_id, payload["idTag"], session_tag)
            answer["idTagInfo"] = id_tag_info_v16(decision)
        self.state.authorization.session_ended(self.station_id, tx_id)
        return answer

    def on_meter_values(self, payload: Payload) -> Payload:
        tx = payload.get("transactionId")
        connector_id = bounds.connector_id(self.state.stations.get(self.station_id), int(payload["connectorId"]))
        self._record_meter_values(connector_id, payload["meterValue"], str(tx) if tx is not None else None)
        return {}

    def _record_meter_values(self, connector_id: int, meter_values: list[dict[str, Any]], tx_id: str | None) -> None:
        # The hot path of a busy central system: one pass, no helper calls per sample, and `sampled.get(…)`
        # called as such (on Python 3.11+ that is cheaper than binding `get` first: no bound method is made).
        samples: list[MeterSample] = []
        append = samples.append
        for meter_value in meter_values:
            timestamp = parse_timestamp(meter_value.get("timestamp"))
            for sampled in meter_value.get("sampledValue", ()):
                rule = conversion(sampled.get("measurand"), sampled.get("unit"), sampled.get("phase"))
                if rule is None:
                    continue  # dropped
                try:
                    value = float(sampled.get("value"))
                except (TypeError, ValueError):
                    continue  # empty or unreadable: no reading, not an error
                if value - value != 0.0:  # NaN or infinite
                    continue
                append(
                    MeterSample(
                        rule.measurand,
                        value * rule.factor + rule.offset,  # rule.apply, inlined
                        rule.unit,
                        timestamp,
                        rule.phase,
                        sampled.get("context"),
                        sampled.get("location"),
                    )
                )
        if samples:
            self.state.activity.record_samples(self.station_id, connector_id, samples, tx_id)

    # ---- central system → charger ------------------------------------------

    async def request_boot(self) -> dict[str, Any]:
        return await self.commands.trigger_message("BootNotification")
