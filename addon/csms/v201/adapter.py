"""OCPP 2.0.1: the charging station as the central system sees it — registration, EVSEs, transactions,
the device model read once per firmware, and every other message a station sends.

Registration follows the same rules as 1.6 (see adapter.py).  After an Accepted
boot the full inventory (GetBaseReport FullInventory) is read, in a task of its
own, only when the station is new or runs firmware the last inventory was not
read for: nothing is ever written to the station unless asked.  The report's
EVSE and Connector components, and every StatusNotification, build the EVSE /
connector topology (`Station.connectors` are the EVSEs, each with
`connector_statuses`).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from ..adapter import CallFn, VersionAdapter
from ..config import CentralSystemConfig
from ..model import bounds
from ..model.events import Event, EventType
from ..model.station import RegistrationStatus
from ..rpc.endpoint import Payload
from ..rpc.timeutil import format_timestamp, parse_timestamp, utcnow
from ..rpc.types import CallError, CallTimeout, NotConnected
from ..state import authorization
from ..state.central_state import CentralState
from .answers import RECORDERS, before_call
from .charger import V201Charger
from .commands import V201Commands
from .handlers import V201StationReports
from .transactions import V201Transactions

_LOGGER = logging.getLogger(__name__)

# GetBaseReport answers (or errors) after which the inventory is not asked for again for this firmware
_NO_INVENTORY = frozenset({"NotSupported", "EmptyResultSet", "NotImplemented"})


class V201Adapter(VersionAdapter):
    """Handlers for station-initiated 2.0.1 messages and the commands we send (also the base of 2.1)."""

    recorders = RECORDERS

    def __init__(self, station_id: str, state: CentralState, call: CallFn, config: CentralSystemConfig) -> None:
        super().__init__(station_id, state, call, config)
        self.commands = V201Commands(call)
        self.charger = V201Charger(station_id, state, self.commands)
        transactions = V201Transactions(station_id, state)
        self._handlers.update(
            {
                "TransactionEvent": transactions.on_transaction_event,
                "MeterValues": transactions.on_meter_values,
                **V201StationReports(station_id, state).handlers(),
            }
        )

    def before_call(self, action: str, request: Payload) -> None:
        # a malformed request raises nothing here: the schema check refuses it before anything is sent
        with contextlib.suppress(KeyError, TypeError, ValueError):
            before_call(self.state, self.station_id, action, request)

    # ---- provisioning ----------------------------------------------------------------

    def on_boot_notification(self, payload: Payload) -> Payload:
        status = self._registration(payload)
        station: dict[str, Any] = payload["chargingStation"]
        self.state.v2_reports.record_boot_details(self.station_id, payload.get("reason"), station.get("modem"))
        self.state.activity.record_boot(
            self.station_id,
            {
                "vendor": station.get("vendorName"),
                "model": station.get("model"),
                "serial_number": station.get("serialNumber"),
                "firmware_version": station.get("firmwareVersion"),
            },
            status,
        )
        if status == RegistrationStatus.ACCEPTED and self.state.v2_reports.needs_inventory(self.station_id):
            self._read_after_boot(self._read_inventory)
        return {
            "status": status,
            "currentTime": format_timestamp(utcnow()),
            "interval": self.config.heartbeat_interval,
        }

    async def _read_inventory(self) -> None:
        """GetBaseReport FullInventory; the report arrives as NotifyReport (see state/device_model_reports.py)."""
        request_id = self.state.store.allocate_id("request")
        try:
            answer = await self.commands.get_base_report(request_id, "FullInventory")
        except NotConnected:
            return
        except CallError as err:
            self._inventory_failed(err.code, str(err))
            return
        except CallTimeout as err:
            self._inventory_failed("timeout", str(err))
            return
        except Exception as err:  # noqa: BLE001 - a bug here must not end the session
            self._log(logging.ERROR, "%s: asking for the inventory failed", exc_info=err, logger=_LOGGER)
            return
        status = str(answer.get("status"))
        if status != "Accepted":
            self._inventory_failed(status, f"GetBaseReport answered {status}")

    def _inventory_failed(self, status: str, reason: str) -> None:
        if status in _NO_INVENTORY:
            self.state.v2_reports.inventory_done(self.station_id)  # not asked again for this firmware
        self.state.store.log_once(
            self.station_id,
            f"inventory:{status}",
            logging.WARNING,
            "its inventory could not be read (%s); going on without it",
            reason,
        )

    def on_status_notification(self, payload: Payload) -> Payload:
        station = self.state.stations.get(self.station_id)
        evse_id = bounds.evse_id(station, int(payload["evseId"]))
        connector_id = bounds.evse_connector_id(int(payload["connectorId"]))
        self.state.v2_reports.record_evse_status(
            self.station_id,
            evse_id,
            connector_id,
            str(payload["connectorStatus"]),
            parse_timestamp(payload.get("timestamp")),
        )
        return {}

    # ---- authorization -----------------------------------------------------------------

    def on_authorize(self, payload: Payload) -> Payload:
        token: dict[str, Any] = payload["idToken"]
        decision = self.state.authorization.decide(self.station_id, str(token["idToken"]), token.get("type"))
        answer: Payload = {"idTokenInfo": authorization.id_token_info_v2(decision)}
        data: dict[str, Any] = {
            "id_tag": token["idToken"],
            "id_token_type": token.get("type"),
            "additional_info": token.get("additionalInfo"),
            "status": decision.status,
        }
        if payload.get("iso15118CertificateHashData") or payload.get("certificate"):
            # a contract certificate (ISO 15118 Plug & Charge) cannot be checked without a PKI
            answer["certificateStatus"] = data["certificate_status"] = authorization.NO_PKI_CERTIFICATE_STATUS
        self.state.events.emit(Event(EventType.AUTHORIZE, self.station_id, data=data))
        return answer

    # ---- central system → station ------------------------------------------------------

    async def request_boot(self) -> dict[str, Any]:
        return await self.commands.trigger_message("BootNotification")
