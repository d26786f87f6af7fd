"""Repair issues: what went wrong with a charger that the user should know about, raised and cleared from events.

Each module decides when one kind of issue is raised and cleared (charger_issues.py holds the shape they
share); each listens to its own few event types only, not to every meter value.  Home Assistant also
reads this package as the integration's repairs platform.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from ..backend import CentralBackend
from ..const import DOMAIN
from ..csms import Event, EventType
from .auth import AuthRepairs
from .configuration import ConfigurationIssues
from .limits import LimitRepairs
from .storage import StorageIssues
from .takeover import TakeoverRepairs

if TYPE_CHECKING:
    from homeassistant.components.repairs import RepairsFlow


class EventListener(Protocol):
    """Subscribed to the central system's events of the types it names."""

    @property
    def EVENTS(self) -> Collection[EventType]:
        """The event types `handle` is subscribed to."""

    def handle(self, event: Event) -> None: ...


def charger_repairs(hass: HomeAssistant, entry_id: str, central: CentralBackend) -> list[EventListener]:
    """The repairs of one config entry, to subscribe to its central system."""
    kinds = (LimitRepairs, AuthRepairs, TakeoverRepairs, ConfigurationIssues, StorageIssues)
    return [kind(hass, entry_id, central) for kind in kinds]


def raise_entry_issue(hass: HomeAssistant, issue_id: str, translation_key: str, placeholders: dict[str, str]) -> None:
    """An error of the entry itself (its port taken, the add-on unreachable), until the entry deletes it."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=translation_key,
        translation_placeholders=placeholders,
    )


async def async_create_fix_flow(hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None) -> RepairsFlow:
    """What Home Assistant asks of a repairs platform.  None of these issues is fixable from the dialog (each
    clears itself when the charger recovers), so it is never asked; should it be, the dialog just confirms."""
    from homeassistant.components.repairs import ConfirmRepairFlow  # only when asked: repairs may not be loaded

    return ConfirmRepairFlow()
