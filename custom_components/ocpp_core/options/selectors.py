"""Form selectors the setup and options flows share."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.helpers import selector


def choice(options: Iterable[str], translation_key: str) -> selector.SelectSelector:
    """One of a few values, shown as a list of translated labels (translation_key's selector strings)."""
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=list(options), translation_key=translation_key, mode=selector.SelectSelectorMode.LIST
        )
    )
