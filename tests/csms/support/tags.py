"""The tag book the 1.6 and 2.x tag tests start from."""

from __future__ import annotations

from collections.abc import Iterable

from custom_components.ocpp_core.csms import CentralSystem
from custom_components.ocpp_core.csms.state.tags import TagRecord


def with_tag_book(central: CentralSystem, book: Iterable[TagRecord]) -> CentralSystem:
    """The central system with these tags, refusing every tag it does not know."""
    for record in book:
        central.tags.add(record)
    central.state.authorization.policy.accept_unknown = False
    return central
