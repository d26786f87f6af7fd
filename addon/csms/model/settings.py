"""What the user set for one charger: its name, electrical limits, connector names, intervals.

Kept on the station (`Station.settings`) and persisted with it; secrets (its password) are
not here, so settings can be shown in diagnostics as they are.  Changes go through
`CentralSystem.update_settings`, which checks them and announces SETTINGS_CHANGED.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

PHASES = (1, 3)
MIN_METER_INTERVAL = 0  # 0: the charger sends no periodic meter values
MAX_METER_INTERVAL = 86_400
MAX_CURRENT_LIMIT = 1000.0
# how a limit reaches the charger (load management): a default profile, or a profile of the session
LIMIT_PROFILE_DEFAULT = "default"
LIMIT_PROFILE_SESSION = "session"
LIMIT_PROFILES = (LIMIT_PROFILE_DEFAULT, LIMIT_PROFILE_SESSION)


class InvalidSettings(ValueError):
    """A setting out of its range; the message names the setting."""


@dataclass(slots=True, frozen=True)
class ChargerSettings:
    # None everywhere: not set, the charger's own value or the entry's default applies
    friendly_name: str | None = None
    max_current: float | None = None  # A per phase, the most this charger (or its cable) may take
    phases: int | None = None  # 1 or 3 phases wired
    # connector (1.6) or EVSE (2.x) id -> the name its device gets
    connector_names: dict[int, str] = field(default_factory=dict)
    meter_interval: int | None = None  # s between meter values during a session
    push_local_list: bool = False  # keep the charger's local authorization list in step with the tags
    limit_profile: str = LIMIT_PROFILE_DEFAULT

    def with_changes(self, changes: dict[str, Any]) -> ChargerSettings:
        """A copy with `changes` applied (None clears a setting); InvalidSettings names a bad one."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise InvalidSettings(f"unknown setting(s): {', '.join(sorted(unknown))}")
        updated = replace(self, **changes)
        updated.check()
        return updated

    def check(self) -> None:
        if self.friendly_name is not None and not self.friendly_name.strip():
            raise InvalidSettings("friendly_name: empty")
        if self.max_current is not None and not 0 < self.max_current <= MAX_CURRENT_LIMIT:
            raise InvalidSettings(f"max_current: {self.max_current} A is not in (0, {MAX_CURRENT_LIMIT:g}]")
        if self.phases is not None and self.phases not in PHASES:
            raise InvalidSettings(f"phases: {self.phases} is not 1 or 3")
        if self.meter_interval is not None and not MIN_METER_INTERVAL <= self.meter_interval <= MAX_METER_INTERVAL:
            raise InvalidSettings(f"meter_interval: {self.meter_interval} s is not in 0..{MAX_METER_INTERVAL}")
        if self.limit_profile not in LIMIT_PROFILES:
            raise InvalidSettings(f"limit_profile: {self.limit_profile!r} is not one of {', '.join(LIMIT_PROFILES)}")
        for connector_id, name in self.connector_names.items():
            if connector_id < 1:
                raise InvalidSettings(f"connector_names: connector {connector_id} is not ≥ 1")
            if not name.strip():
                raise InvalidSettings(f"connector_names: empty name for connector {connector_id}")

    def connector_name(self, station_name: str, connector_id: int) -> str:
        """The connector's device name: the name set, else OCPP.Core's "<charger>:<n>"."""
        return self.connector_names.get(connector_id) or f"{station_name}:{connector_id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "friendly_name": self.friendly_name,
            "max_current": self.max_current,
            "phases": self.phases,
            "connector_names": {str(k): v for k, v in sorted(self.connector_names.items())},
            "meter_interval": self.meter_interval,
            "push_local_list": self.push_local_list,
            "limit_profile": self.limit_profile,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ChargerSettings:
        """Settings as stored; anything unreadable falls back to "not set" rather than failing the load."""
        if not data:
            return cls()
        try:
            settings = cls(
                friendly_name=data.get("friendly_name"),
                max_current=data.get("max_current"),
                phases=data.get("phases"),
                connector_names={int(k): str(v) for k, v in (data.get("connector_names") or {}).items()},
                meter_interval=data.get("meter_interval"),
                push_local_list=bool(data.get("push_local_list", False)),
                limit_profile=data.get("limit_profile") or LIMIT_PROFILE_DEFAULT,
            )
            settings.check()
        except (InvalidSettings, TypeError, ValueError):
            return cls()
        return settings
