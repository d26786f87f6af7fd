"""Shared by the 1.6J conformance tests: the event recorder, a booted simulated charger, helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ocpp.v16.enums import Action

from custom_components.ocpp_core.csms import CentralSystem, Event, EventType
from custom_components.ocpp_core.csms.model.station import Station
from custom_components.ocpp_core.csms.v16.commands import V16Commands
from sim.charger16 import SimulatedChargePoint

from .helpers import wait_for

CP = "conf-1"
PROFILES = {"Core", "FirmwareManagement", "LocalAuthListManagement", "Reservation", "SmartCharging", "RemoteTrigger"}
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"

# What a 1.6J charger sends (Core, Firmware Management, security whitepaper), and what it is sent.
CHARGER_ACTIONS = [
    "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "StartTransaction", "StopTransaction",
    "MeterValues", "DataTransfer", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
    "SecurityEventNotification", "SignCertificate", "LogStatusNotification", "SignedFirmwareStatusNotification",
]  # fmt: skip
CENTRAL_ACTIONS = sorted({a.value for a in Action} - set(CHARGER_ACTIONS) | {"DataTransfer"})


class Recorder:
    """The central system's events, by type."""

    def __init__(self, central: CentralSystem) -> None:
        self.events: list[Event] = []
        central.events.subscribe(self.events.append)

    def of(self, event_type: EventType) -> list[Event]:
        return [e for e in self.events if e.type is event_type]

    def data(self, event_type: EventType, key: str) -> list[Any]:
        return [e.data[key] for e in self.of(event_type)]


def station(central: CentralSystem) -> Station:
    return central.stations[CP]


def v16(central: CentralSystem) -> V16Commands:
    return central.v16(CP)


async def settled(cp: SimulatedChargePoint, condition: Callable[[], object] | None = None) -> None:
    """The charger's follow-up messages are all sent and answered (and `condition` holds)."""
    await wait_for(lambda: cp.idle.is_set())
    if condition is not None:
        await wait_for(condition)
