"""Which tariff applies where: the central system's, a charger's, a connector's (EVSE's), a tag's.

The most specific wins: a tag's tariff (free for the household, priced for guests) over the
connector's, over the charger's, over the central system's.  Tags are matched as tags are (without
regard to case, see state/tags.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ...state.tags import tag_key
from .tariff import Tariff, TariffError

_LOGGER = logging.getLogger(__name__)

CENTRAL = "central"
CHARGER = "charger"
CONNECTOR = "connector"
TAG = "tag"


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a tariff applies: the central system (no ids), a charger, one of its connectors, or a tag."""

    kind: str
    station_id: str | None = None
    connector_id: int | None = None
    id_tag: str | None = None

    @classmethod
    def of(cls, station_id: str | None = None, connector_id: int | None = None, id_tag: str | None = None) -> Scope:
        """TariffError bad_scope for a tag together with a charger, or a connector without its charger."""
        if id_tag is not None:
            if station_id is not None or connector_id is not None:
                raise TariffError("bad_scope", "a tag's tariff applies at every charger")
            return cls(TAG, id_tag=id_tag.strip())
        if connector_id is not None:
            if station_id is None or connector_id < 1:
                raise TariffError("bad_scope", "a connector needs its charger (and is numbered from 1)")
            return cls(CONNECTOR, station_id, connector_id)
        if station_id is not None:
            return cls(CHARGER, station_id)
        return cls(CENTRAL)

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.kind, self.station_id or "", self.connector_id or 0, tag_key(self.id_tag or ""))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"scope": self.kind}
        if self.station_id is not None:
            data["station_id"] = self.station_id
        if self.connector_id is not None:
            data["connector_id"] = self.connector_id
        if self.id_tag is not None:
            data["id_tag"] = self.id_tag
        return data


class TariffBook:
    """The tariffs set, by scope."""

    def __init__(self) -> None:
        self._tariffs: dict[tuple[str, str, int, str], tuple[Scope, Tariff]] = {}

    def __len__(self) -> int:
        return len(self._tariffs)

    def set(self, scope: Scope, tariff: Tariff) -> None:
        self._tariffs[scope.key] = (scope, tariff)

    def clear(self, scope: Scope) -> bool:
        """False when no tariff was set there."""
        return self._tariffs.pop(scope.key, None) is not None

    def get(self, scope: Scope) -> Tariff | None:
        found = self._tariffs.get(scope.key)
        return found[1] if found is not None else None

    def items(self) -> list[tuple[Scope, Tariff]]:
        return list(self._tariffs.values())

    def forget(self, station_id: str) -> None:
        """A removed charger's (and its connectors') tariffs go with it."""
        for key in [key for key, (scope, _) in self._tariffs.items() if scope.station_id == station_id]:
            del self._tariffs[key]

    def resolve(self, station_id: str, connector_id: int, id_tag: str | None) -> tuple[Scope, Tariff] | None:
        """The tariff of a session: the tag's, the connector's, the charger's or the central system's."""
        candidates = [Scope(CONNECTOR, station_id, connector_id), Scope(CHARGER, station_id), Scope(CENTRAL)]
        if id_tag:
            candidates.insert(0, Scope(TAG, id_tag=id_tag))
        for scope in candidates:
            found = self._tariffs.get(scope.key)
            if found is not None:
                return found
        return None

    def entries(self) -> list[dict[str, Any]]:
        """Every tariff with its scope, most general first."""
        order = {CENTRAL: 0, CHARGER: 1, CONNECTOR: 2, TAG: 3}
        items = sorted(self._tariffs.values(), key=lambda item: (order[item[0].kind], item[0].key))
        return [{**scope.to_dict(), "tariff": tariff.to_dict()} for scope, tariff in items]

    # ---- persistence -------------------------------------------------------------------

    def dump(self) -> list[dict[str, Any]]:
        return self.entries()

    def load(self, data: Any) -> None:
        """The stored tariffs (None: none); one that cannot be read is skipped, logged, not fatal."""
        self._tariffs.clear()
        for item in data if isinstance(data, list) else ():
            try:
                scope = Scope.of(item.get("station_id"), item.get("connector_id"), item.get("id_tag"))
                self.set(scope, Tariff.from_dict(item["tariff"]))
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                _LOGGER.warning("A stored tariff could not be read and is skipped (%s): %r", err, item)
