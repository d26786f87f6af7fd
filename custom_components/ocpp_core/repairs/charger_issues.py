"""Repair issues per charger: raised with what went wrong, cleared when it recovers or is forgotten.

auth.py, takeover.py, limits.py, configuration.py and storage.py each decide *when*;
this module holds the one shape they share (a warning the user cannot fix from the
repair dialog, one per charger or per charger and EVSE) and forgets all of a charger's issues when its device is removed.
"""

from __future__ import annotations

from typing import ClassVar

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..backend import CentralBackend
from ..const import DOMAIN
from ..coordinator import station_device_name
from ..csms import Event, EventType

AUTH_FAILED = "auth_failed"
LIMIT_REJECTED = "limit_rejected"
CONFIGURATION_REJECTED = "configuration_rejected"
CONNECTION_REPLACED = "connection_replaced"
UNSTORABLE = "unstorable"
_KINDS = (AUTH_FAILED, LIMIT_REJECTED, CONFIGURATION_REJECTED, CONNECTION_REPLACED, UNSTORABLE)


def charger_issue_id(kind: str, entry_id: str, station_id: str, evse_id: int | None = None) -> str:
    base = f"{kind}_{entry_id}_{station_id}"
    return base if evse_id is None else f"{base}_{evse_id}"


class ChargerIssues:
    """One kind of repair issue for the chargers of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str, kind: str) -> None:
        self._hass = hass
        self._entry_id = entry_id
        self._kind = kind

    @callback
    def raise_issue(
        self, station_id: str, translation_key: str, placeholders: dict[str, str], evse_id: int | None = None
    ) -> None:
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            charger_issue_id(self._kind, self._entry_id, station_id, evse_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=translation_key,
            translation_placeholders=placeholders,
        )

    @callback
    def clear(self, station_id: str, evse_id: int | None = None) -> None:
        ir.async_delete_issue(self._hass, DOMAIN, charger_issue_id(self._kind, self._entry_id, station_id, evse_id))


@callback
def clear_charger_issues(hass: HomeAssistant, entry_id: str, station_id: str) -> None:
    """A forgotten charger leaves no issue behind (of any kind, for any of its EVSEs)."""
    own = [charger_issue_id(kind, entry_id, station_id) for kind in _KINDS]
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain != DOMAIN:
            continue
        # an EVSE's issue is the charger's id plus "_<number>" ("wb" must not match station "wb_2"'s "wb_2_0")
        if issue_id in own or any(
            issue_id.startswith(f"{prefix}_") and issue_id[len(prefix) + 1 :].isdigit() for prefix in own
        ):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


class ChargerRepairs:
    """Raises and clears one kind of issue of one config entry's chargers from its central system's events."""

    KIND: ClassVar[str]  # the kind of issue (charger_issue_id)
    EVENTS: ClassVar[tuple[EventType, ...]]  # what `handle` is subscribed to

    def __init__(self, hass: HomeAssistant, entry_id: str, central: CentralBackend) -> None:
        self._issues = ChargerIssues(hass, entry_id, self.KIND)
        self._central = central

    @callback
    def handle(self, event: Event) -> None:
        raise NotImplementedError

    def charger_name(self, station_id: str) -> str:
        """The charger's device name (its friendly name, else its id); the id of one no longer known."""
        station = self._central.stations.get(station_id)
        return station_device_name(station) if station is not None else station_id
