"""What OCPP 2.x stations report: EVSE topology and statuses, the device model, events, monitors,
charging limits, EV charging needs, charging profiles, customer information, display messages.

The adapter hands it messages already read (see v201/handlers.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..model import bounds
from ..model.configuration import MAX_CONNECTORS
from ..model.device_model import DeviceModel
from ..model.events import Event, EventType
from ..model.station import Connector, Station
from ..model.station_v2 import (
    CHARGING_PROFILES_KEPT,
    CUSTOMER_INFORMATION_KEPT,
    DISPLAY_MESSAGES_KEPT,
    MONITORS_KEPT,
    PERIODIC_STREAMS_KEPT,
    Assembly,
    StationV2,
    trim,
)
from ..rpc.timeutil import utcnow
from ..rpc.types import ErrorKind, OcppError
from .activity import StationActivity
from .store import StateStore

_LOGGER = logging.getLogger(__name__)

# how an EVSE's status sums up its connectors': the first found in this order
_EVSE_STATUS_ORDER = ("Occupied", "Reserved", "Available", "Faulted", "Unavailable")
FULL_INVENTORY = "FullInventory"


def evse_status(connector_statuses: dict[int, str | None]) -> str | None:
    """The status of an EVSE from its connectors' (one in use makes the whole EVSE Occupied)."""
    present = {status for status in connector_statuses.values() if status is not None}
    for status in _EVSE_STATUS_ORDER:
        if status in present:
            return status
    return next(iter(sorted(present)), None)


class DeviceModelReports:
    """Records the 2.x reports in the store; statuses go through StationActivity."""

    def __init__(self, store: StateStore, activity: StationActivity) -> None:
        self._store = store
        self._activity = activity

    # ---- boot and topology -------------------------------------------------------

    def station_v2(self, station_id: str) -> StationV2:
        station = self._store.station(station_id)
        if station.v2 is None:
            station.v2 = StationV2()
        return station.v2

    def record_boot_details(self, station_id: str, reason: str | None, modem: dict[str, Any] | None) -> None:
        v2 = self.station_v2(station_id)
        v2.boot_reason = reason
        v2.modem = modem
        self._store.save_soon()

    def needs_inventory(self, station_id: str) -> bool:
        """Whether the station's full inventory should be read: never read, or read for other firmware."""
        station = self._store.station(station_id)
        v2 = station.v2
        return v2 is None or v2.inventory_time is None or v2.inventory_firmware != station.firmware_version

    def ensure_evse(self, station: Station, evse_id: int, connector_id: int | None = None) -> Connector | None:
        """The EVSE (and that connector of it) exists; None for ids out of range."""
        if not 0 < evse_id <= MAX_CONNECTORS or (connector_id is not None and not 0 < connector_id <= 32):
            self._store.log_once(
                station.station_id, f"bad_evse:{evse_id}:{connector_id}", logging.WARNING,
                "names EVSE %s connector %s, out of range; ignored", evse_id, connector_id,
            )  # fmt: skip
            return None
        evse = self._store.connector(station, evse_id)
        if connector_id is not None and connector_id not in evse.connector_statuses:
            evse.connector_statuses[connector_id] = None
            self._store.save_soon()
        return evse

    def record_evse_status(
        self, station_id: str, evse_id: int, connector_id: int, status: str, timestamp: datetime
    ) -> None:
        """A StatusNotification: the connector's status, and the EVSE's as they sum up."""
        station = self._store.station(station_id)
        if evse_id == 0:
            self._activity.record_status(station_id, 0, status, None, None, None, timestamp)
            return
        evse = self.ensure_evse(station, evse_id, connector_id)
        if evse is None:
            return
        evse.connector_statuses[connector_id] = status
        summed = evse_status(evse.connector_statuses) or status
        if summed == "Available" and evse.transaction is None:
            evse.charging_state = "Idle"  # no EV there
        self._activity.record_status(station_id, evse_id, summed, None, None, None, timestamp)

    # ---- device model ------------------------------------------------------------

    def note_report_request(self, station_id: str, request_id: int, report_base: str) -> None:
        """We asked for a report (GetBaseReport / GetReport): how to apply it once it is complete."""
        self.station_v2(station_id).report_requests[request_id] = report_base

    def record_report_part(
        self, station_id: str, request_id: int, seq_no: int, tbc: bool, entries: list[dict[str, Any]]
    ) -> None:
        """One NotifyReport; the report is applied when its last part has arrived.

        Each part is read into the report's own model as it arrives, so the last one costs no more
        than the others (a FullInventory of 10000 variables read at once held the loop 40 ms)."""
        v2 = self.station_v2(station_id)
        fragment = v2.assembly("NotifyReport", request_id).model
        for entry in entries:
            fragment.put(entry)
        # the parts are only counted: their entries are in the fragment
        if self._assembled(station_id, v2, "NotifyReport", request_id, seq_no, [None] * len(entries), tbc) is not None:
            self._apply_report(station_id, v2, request_id, fragment)

    def _assembled(
        self, station_id: str, v2: StationV2, kind: str, request_id: int, seq_no: int, items: list[Any], tbc: bool
    ) -> Assembly | None:
        """Add one part (seqNo already checked, see bounds.seq_no); the whole message once complete.

        A message growing beyond bounds.MAX_REPORT_ITEMS is dropped whole and its part refused."""
        assembly = v2.assembly(kind, request_id)
        complete = assembly.add(seq_no, items, tbc)
        if assembly.size > bounds.MAX_REPORT_ITEMS:
            del v2.assemblies[(kind, request_id)]
            self._store.log_once(
                station_id, f"too_big:{kind}", logging.WARNING,
                "%s %s has more than %s entries; dropped", kind, request_id, bounds.MAX_REPORT_ITEMS,
            )  # fmt: skip
            raise OcppError(
                ErrorKind.OCCURRENCE, f"{kind} {request_id} has more than {bounds.MAX_REPORT_ITEMS} entries in all"
            )
        if not complete:
            return None
        del v2.assemblies[(kind, request_id)]
        return assembly

    def _apply_report(self, station_id: str, v2: StationV2, request_id: int, report: DeviceModel) -> None:
        station = self._store.station(station_id)
        report_base = v2.report_requests.pop(request_id, None)
        full = report_base == FULL_INVENTORY
        if full:
            v2.device_model = report
            v2.inventory_firmware = station.firmware_version
            v2.inventory_time = utcnow()
        else:
            v2.device_model.merge(report)
        for evse_id, connector_ids in sorted(v2.device_model.evse_topology().items()):
            self.ensure_evse(station, evse_id)
            for connector_id in sorted(connector_ids):
                self.ensure_evse(station, evse_id, connector_id)
        self._store.save_soon()
        self._store.events.emit(
            Event(
                EventType.DEVICE_MODEL,
                station_id,
                data={
                    "request_id": request_id,
                    "report_base": report_base,
                    "variables": len(v2.device_model),
                    "full": full,
                },
            )
        )

    def inventory_done(self, station_id: str) -> None:
        """The station has no inventory to give for this firmware (NotSupported, EmptyResultSet …)."""
        station = self._store.station(station_id)
        v2 = self.station_v2(station_id)
        v2.inventory_firmware = station.firmware_version
        v2.inventory_time = utcnow()
        self._store.save_soon()

    def set_variable_values(
        self, station_id: str, values: list[tuple[dict[str, Any], dict[str, Any], str, str]]
    ) -> None:
        """Values learnt from GetVariables / SetVariables: (component, variable, value, attribute type)."""
        v2 = self.station_v2(station_id)
        changed = [v for v in values if v2.device_model.set_value(v[0], v[1], v[2], v[3])]
        if changed:
            self._store.save_soon()
            self._store.events.emit(
                Event(
                    EventType.DEVICE_MODEL,
                    station_id,
                    data={"request_id": None, "report_base": None, "variables": len(v2.device_model), "full": False},
                )
            )

    def record_device_events(self, station_id: str, entries: list[dict[str, Any]]) -> None:
        """NotifyEvent entries (read by the adapter); an entry's actual value updates a known variable."""
        v2 = self.station_v2(station_id)
        model = v2.device_model
        for entry in entries:
            v2.device_events.append(entry)
            component, variable = entry.get("component") or {}, entry.get("variable") or {}
            known = model.get(
                str(component.get("name")),
                str(variable.get("name")),
                component_instance=component.get("instance"),
                evse_id=(component.get("evse") or {}).get("id"),
                connector_id=(component.get("evse") or {}).get("connectorId"),
                variable_instance=variable.get("instance"),
            )
            if known is not None and isinstance(entry.get("actual_value"), str):
                model.set_value(component, variable, entry["actual_value"])
            self._store.events.emit(Event(EventType.DEVICE_EVENT, station_id, data=dict(entry)))
        self._store.save_soon()

    def record_monitoring_part(
        self, station_id: str, request_id: int, seq_no: int, tbc: bool, monitors: list[dict[str, Any]]
    ) -> None:
        """One NotifyMonitoringReport; monitors are kept per variable once the report is complete."""
        v2 = self.station_v2(station_id)
        complete = self._assembled(station_id, v2, "NotifyMonitoringReport", request_id, seq_no, monitors, tbc)
        if complete is None:
            return
        for entry in complete.items():
            component, variable = entry.get("component") or {}, entry.get("variable") or {}
            key = "/".join(str(part) for part in monitor_key(component, variable))
            v2.monitors[key] = {
                "component": component,
                "variable": variable,
                "monitors": list(entry.get("variableMonitoring") or []),
            }
        trim(v2.monitors, MONITORS_KEPT)
        self._store.save_soon()
        self._store.events.emit(
            Event(
                EventType.MONITORING_REPORT, station_id, data={"request_id": request_id, "monitors": len(v2.monitors)}
            )
        )

    # ---- smart charging and the EV ------------------------------------------------

    def record_charging_limit(
        self,
        station_id: str,
        evse_id: int | None,
        source: str | None,
        is_grid_critical: bool | None = None,
        schedules: list[dict[str, Any]] | None = None,
    ) -> None:
        """NotifyChargingLimit (source set) or ClearedChargingLimit (source None); evse_id None: the station."""
        station = self._store.station(station_id)
        limit = (
            None if source is None else {"source": source, "is_grid_critical": is_grid_critical, "schedules": schedules}
        )
        target: StationV2 | Connector | None
        target = self.station_v2(station_id) if not evse_id else self.ensure_evse(station, evse_id)
        if target is None:
            return
        target.limit_source = source
        target.charging_limit = limit
        self._store.events.emit(
            Event(
                EventType.CHARGING_LIMIT,
                station_id,
                evse_id or None,
                {"source": source, "is_grid_critical": is_grid_critical, "cleared": source is None},
            )
        )
        if isinstance(target, Connector):
            self._store.events.emit(Event(EventType.CONNECTOR_UPDATED, station_id, evse_id))
        else:
            self._store.events.emit(Event(EventType.STATION_UPDATED, station_id))

    def clear_charging_limit(self, station_id: str, evse_id: int | None, source: str) -> None:
        """ClearedChargingLimit: the limit of that source is gone (one of another source stays)."""
        station = self._store.station(station_id)
        target: StationV2 | Connector | None = station.v2 if not evse_id else station.connectors.get(evse_id)
        if target is not None and target.limit_source not in (None, source):
            return
        self.record_charging_limit(station_id, evse_id, None)

    def record_ev_charging_needs(
        self,
        station_id: str,
        evse_id: int,
        energy_wh: float | None,
        departure: datetime | None,
        energy_transfer: str | None,
        needs: dict[str, Any],
    ) -> None:
        evse = self.ensure_evse(self._store.station(station_id), evse_id)
        if evse is None:
            return
        evse.ev_requested_energy_wh = energy_wh
        evse.ev_departure_time = departure
        evse.ev_energy_transfer = energy_transfer
        evse.ev_charging_needs = needs
        data = {
            "requested_energy_wh": energy_wh,
            "departure_time": departure.isoformat() if departure else None,
            "energy_transfer": energy_transfer,
        }
        self._store.events.emit(Event(EventType.EV_CHARGING_NEEDS, station_id, evse_id, data))
        self._store.events.emit(Event(EventType.CONNECTOR_UPDATED, station_id, evse_id))

    def record_ev_charging_schedule(
        self, station_id: str, evse_id: int, time_base: datetime, schedule: dict[str, Any]
    ) -> None:
        evse = self.ensure_evse(self._store.station(station_id), evse_id)
        if evse is None:
            return
        evse.ev_charging_schedule = {"time_base": time_base.isoformat(), "schedule": schedule}
        self._store.events.emit(
            Event(EventType.EV_CHARGING_SCHEDULE, station_id, evse_id, dict(evse.ev_charging_schedule))
        )
        self._store.events.emit(Event(EventType.CONNECTOR_UPDATED, station_id, evse_id))

    def record_charging_profiles_part(
        self,
        station_id: str,
        request_id: int,
        source: str,
        evse_id: int,
        profiles: list[dict[str, Any]],
    ) -> None:
        """ReportChargingProfiles (one per EVSE and source): kept per EVSE and profile id."""
        v2 = self.station_v2(station_id)
        kept = v2.charging_profiles.setdefault(evse_id, {})
        for profile in profiles:
            if isinstance(profile.get("id"), int):
                kept.pop(profile["id"], None)  # a profile reported again is the newest
                kept[profile["id"]] = {"source": source, "profile": profile}
        trim(kept, CHARGING_PROFILES_KEPT)
        self._store.save_soon()
        self._store.events.emit(
            Event(
                EventType.CHARGING_PROFILES,
                station_id,
                data={"request_id": request_id, "source": source, "evse_id": evse_id, "profiles": len(kept)},
            )
        )

    # ---- customer information, display messages, local controller --------------------

    def record_customer_information_part(
        self, station_id: str, request_id: int, seq_no: int, tbc: bool, text: str
    ) -> None:
        v2 = self.station_v2(station_id)
        complete = self._assembled(station_id, v2, "NotifyCustomerInformation", request_id, seq_no, [text], tbc)
        if complete is None:
            return
        whole = "".join(str(part) for part in complete.items())
        v2.customer_information[request_id] = whole
        while len(v2.customer_information) > CUSTOMER_INFORMATION_KEPT:
            del v2.customer_information[next(iter(v2.customer_information))]
        self._store.save_soon()
        self._store.events.emit(
            Event(EventType.CUSTOMER_INFORMATION, station_id, data={"request_id": request_id, "text": whole})
        )

    def record_display_messages(self, station_id: str, request_id: int, messages: list[dict[str, Any]]) -> None:
        v2 = self.station_v2(station_id)
        ids = []
        for message in messages:
            if isinstance(message.get("id"), int):
                v2.display_messages.pop(message["id"], None)
                v2.display_messages[message["id"]] = message
                ids.append(message["id"])
        trim(v2.display_messages, DISPLAY_MESSAGES_KEPT)
        self._store.save_soon()
        self._store.events.emit(
            Event(EventType.DISPLAY_MESSAGES, station_id, data={"request_id": request_id, "message_ids": ids})
        )

    def record_publish_firmware_status(
        self, station_id: str, status: str, locations: list[str], request_id: int | None
    ) -> None:
        v2 = self.station_v2(station_id)
        v2.publish_firmware_status = status
        v2.publish_firmware_locations = list(locations)
        self._store.save_soon()
        self._store.events.emit(
            Event(
                EventType.PUBLISH_FIRMWARE_STATUS,
                station_id,
                data={"status": status, "locations": list(locations), "request_id": request_id},
            )
        )

    def record_periodic_stream(self, station_id: str, stream_id: int, **fields: Any) -> None:
        """OCPP 2.1 periodic event streams: opened (params, variable_monitoring_id), data (basetime, data,
        pending) or closed (closed=True, the stream is forgotten)."""
        v2 = self.station_v2(station_id)
        if fields.get("closed"):
            v2.periodic_streams.pop(stream_id, None)
        else:
            v2.periodic_streams.setdefault(stream_id, {}).update(fields)
            trim(v2.periodic_streams, PERIODIC_STREAMS_KEPT)
        self._store.events.emit(
            Event(EventType.PERIODIC_EVENT_STREAM, station_id, data={"stream_id": stream_id, **fields})
        )


def monitor_key(component: dict[str, Any], variable: dict[str, Any]) -> tuple[object, ...]:
    evse = component.get("evse") or {}
    return (
        component.get("name"),
        component.get("instance") or "",
        evse.get("id", ""),
        evse.get("connectorId", ""),
        variable.get("name"),
        variable.get("instance") or "",
    )
