"""Shared by the local authorization list tests (test_local_list_v16, test_local_list_v201)."""

from __future__ import annotations

from typing import Any

from custom_components.ocpp_core.csms import CentralSystem, Event, EventType

from .helpers import wait_for


class Pushes:
    """The outcomes of the pushes (LOCAL_LIST events that tell one), and the SendLocalList calls sent."""

    def __init__(self, central: CentralSystem) -> None:
        self.results: list[dict[str, Any]] = []
        central.events.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        if event.type is EventType.LOCAL_LIST and event.data.get("push"):
            self.results.append(dict(event.data))

    async def wait(self, count: int) -> dict[str, Any]:
        await wait_for(lambda: len(self.results) >= count)
        assert len(self.results) == count
        return self.results[-1]
