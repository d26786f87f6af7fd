"""The event bus: listeners of every event, listeners of some types, and unsubscribing."""

from __future__ import annotations

from custom_components.ocpp_core.csms import Event, EventType
from custom_components.ocpp_core.csms.model.events import EventBus


def test_typed_listeners_get_only_their_types() -> None:
    bus = EventBus()
    everything: list[EventType] = []
    boots: list[EventType] = []
    bus.subscribe(lambda e: everything.append(e.type))
    unsubscribe = bus.subscribe(lambda e: boots.append(e.type), (EventType.BOOTED, EventType.CONNECTED))
    for kind in (EventType.CONNECTOR_UPDATED, EventType.BOOTED, EventType.CONNECTED, EventType.CONNECTOR_UPDATED):
        bus.emit(Event(kind, "cp"))
    assert boots == [EventType.BOOTED, EventType.CONNECTED]
    assert len(everything) == 4
    unsubscribe()
    bus.emit(Event(EventType.BOOTED, "cp"))
    assert boots == [EventType.BOOTED, EventType.CONNECTED]
    assert len(everything) == 5


def test_a_failing_listener_does_not_stop_the_others() -> None:
    bus = EventBus()
    seen: list[EventType] = []

    def broken(event: Event) -> None:
        raise RuntimeError("listener bug")

    bus.subscribe(broken, (EventType.BOOTED,))
    bus.subscribe(lambda e: seen.append(e.type), (EventType.BOOTED,))
    bus.emit(Event(EventType.BOOTED, "cp"))
    assert seen == [EventType.BOOTED]
