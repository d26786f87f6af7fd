"""What OCPP 2.x stations report beyond OCPP 1.6: the device model, events, monitors, profiles, messages.

Kept on `Station.v2` (None for a 1.6 station).  Multi-part messages (tbc / seqNo)
are assembled in `Assembly` objects that live in memory only: a report cut off
by a lost connection is asked for again, never half applied.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .device_model import DeviceModel

# how many NotifyEvent entries and customer information texts a station keeps (newest last)
DEVICE_EVENTS_KEPT = 100
CUSTOMER_INFORMATION_KEPT = 10
# unfinished multi-part messages kept per station (the oldest is dropped)
ASSEMBLIES_KEPT = 8
# what a station's messages add to, at most (the oldest goes first): a station sending new ids
# again and again must not grow its state (and every save) without end
DISPLAY_MESSAGES_KEPT = 100
CHARGING_PROFILES_KEPT = 100  # per EVSE
PERIODIC_STREAMS_KEPT = 32
MONITORS_KEPT = 10_000


def trim(kept: dict[Any, Any], most: int) -> None:
    """Drop the oldest entries of `kept` beyond `most` (dicts keep their insertion order)."""
    while len(kept) > most:
        del kept[next(iter(kept))]


@dataclass(slots=True)
class Assembly:
    """The parts of one multi-part message (NotifyReport …) by seqNo: complete once the last one
    (tbc false) is there and none before it is missing.

    Every check costs in proportion to the parts received, never to a seqNo: the parts are
    distinct numbers from 0, so "none missing up to the last" is "as many parts as last + 1"."""

    kind: str
    request_id: int
    parts: dict[int, list[Any]] = field(default_factory=dict)
    last: int | None = None
    highest: int = -1
    # the items of every part, counted (bounds.MAX_REPORT_ITEMS caps them)
    size: int = 0
    # NotifyReport: the parts' entries, read as they arrive
    model: DeviceModel = field(default_factory=DeviceModel)

    def add(self, seq_no: int, items: list[Any], tbc: bool) -> bool:
        """Keep a part (seqNo from 0, checked by the caller); True once the message is complete."""
        previous = self.parts.get(seq_no)
        self.size += len(items) - (len(previous) if previous is not None else 0)
        self.parts[seq_no] = items
        self.highest = max(self.highest, seq_no)
        if not tbc:
            self.last = seq_no
        return self.complete()

    def complete(self) -> bool:
        last = self.last
        return last is not None and len(self.parts) == last + 1 and self.highest == last

    def items(self) -> list[Any]:
        """Every part's items, in seqNo order."""
        return [item for _, part in sorted(self.parts.items()) for item in part]


@dataclass(slots=True)
class StationV2:
    """An OCPP 2.x station's reports (see each field)."""

    # BootNotification reason (PowerUp, FirmwareUpdate, Watchdog …) and modem {"iccid", "imsi"}
    boot_reason: str | None = None
    modem: dict[str, Any] | None = None
    device_model: DeviceModel = field(default_factory=DeviceModel)
    # the firmware the last complete FullInventory was read for (None: never read)
    inventory_firmware: str | None = None
    inventory_time: datetime | None = None
    # NotifyEvent entries, newest last: {"event_id", "timestamp" (ISO), "trigger", "actual_value", "component",
    # "variable", "cleared", "tech_code", "tech_info", "transaction_id", "event_notification_type", "cause", …}
    device_events: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=DEVICE_EVENTS_KEPT))
    # NotifyMonitoringReport: "<component>/<variable> key" -> {"component", "variable", "monitors": [...]}
    monitors: dict[str, dict[str, Any]] = field(default_factory=dict)
    # ReportChargingProfiles: evse id -> profile id -> {"source", "profile" (as sent)}
    charging_profiles: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    # NotifyCustomerInformation: request id -> the assembled text (the newest CUSTOMER_INFORMATION_KEPT)
    customer_information: dict[int, str] = field(default_factory=dict)
    # NotifyDisplayMessages: message id -> MessageInfo as sent
    display_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    # PublishFirmwareStatusNotification (a local controller)
    publish_firmware_status: str | None = None
    publish_firmware_locations: list[str] = field(default_factory=list)
    # NotifyChargingLimit without an EVSE (the whole station), like Connector.limit_source / charging_limit
    limit_source: str | None = None
    charging_limit: dict[str, Any] | None = None
    # OCPP 2.1 periodic event streams: stream id -> {"params", "variable_monitoring_id", "basetime", "data", "pending"}
    periodic_streams: dict[int, dict[str, Any]] = field(default_factory=dict)
    # in memory only: multi-part messages being assembled, by (kind, request id)
    assemblies: dict[tuple[str, int], Assembly] = field(default_factory=dict, repr=False)
    # in memory only: report requests we sent, request id -> reportBase (or "Report" for GetReport)
    report_requests: dict[int, str] = field(default_factory=dict, repr=False)

    def assembly(self, kind: str, request_id: int) -> Assembly:
        key = (kind, request_id)
        found = self.assemblies.get(key)
        if found is None:
            while len(self.assemblies) >= ASSEMBLIES_KEPT:
                del self.assemblies[next(iter(self.assemblies))]
            found = self.assemblies[key] = Assembly(kind, request_id)
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "boot_reason": self.boot_reason,
            "modem": self.modem,
            "device_model": self.device_model.to_list(),
            "inventory_firmware": self.inventory_firmware,
            "inventory_time": self.inventory_time.isoformat() if self.inventory_time else None,
            "device_events": list(self.device_events),
            "monitors": self.monitors,
            "charging_profiles": {
                str(evse_id): {str(pid): p for pid, p in profiles.items()}
                for evse_id, profiles in self.charging_profiles.items()
            },
            "customer_information": {str(k): v for k, v in self.customer_information.items()},
            "display_messages": {str(k): v for k, v in self.display_messages.items()},
            "publish_firmware_status": self.publish_firmware_status,
            "publish_firmware_locations": self.publish_firmware_locations,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StationV2:
        inventory_time = data.get("inventory_time")
        v2 = cls(
            boot_reason=data.get("boot_reason"),
            modem=data.get("modem"),
            device_model=DeviceModel(data.get("device_model") or ()),
            inventory_firmware=data.get("inventory_firmware"),
            inventory_time=datetime.fromisoformat(inventory_time) if inventory_time else None,
            monitors=dict(data.get("monitors") or {}),
            charging_profiles={
                int(evse_id): {int(pid): p for pid, p in profiles.items()}
                for evse_id, profiles in (data.get("charging_profiles") or {}).items()
            },
            customer_information={int(k): v for k, v in (data.get("customer_information") or {}).items()},
            display_messages={int(k): v for k, v in (data.get("display_messages") or {}).items()},
            publish_firmware_status=data.get("publish_firmware_status"),
            publish_firmware_locations=list(data.get("publish_firmware_locations") or []),
        )
        v2.device_events.extend(data.get("device_events") or [])
        return v2
