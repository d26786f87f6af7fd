"""The central system's own options in the options flow (the general step, the tag policy), where it keeps them.

Embedded, they are the entry's options (put in force by the entry's update listener, __init__.py
`central_options`); remote, the add-on's (`records.central_system_options`: its configuration and what was set
over its API since, kept in its store), so the forms show and change those, and the entry keeps only what is
Home Assistant's own (its default tag, the limit numbers' step).  A refusal of the add-on is the form's
translated error `invalid_options`, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.data_entry_flow import AbortFlow
from homeassistant.exceptions import HomeAssistantError

from ..backend import CentralBackend, CentralOutdated, InvalidOptions
from ..const import (
    CONF_HEARTBEAT_INTERVAL,
    CONF_HISTORY_SIZE,
    CONF_LIMIT_INTERVAL,
    CONF_MAX_MESSAGE_RATE,
    CONF_METER_INTERVAL,
    CONF_REFUSE_CONCURRENT_TAGS,
    CONF_STRICT_VALIDATION,
    CONF_UNKNOWN_CHARGERS,
    CONF_UNKNOWN_TAGS,
)
from ..coordinator import loaded_central

# the options that are the central system's (the others are Home Assistant's own)
CENTRAL_SYSTEM_OPTIONS: Final = frozenset(
    {
        CONF_HEARTBEAT_INTERVAL, CONF_STRICT_VALIDATION, CONF_HISTORY_SIZE, CONF_UNKNOWN_CHARGERS,
        CONF_LIMIT_INTERVAL, CONF_METER_INTERVAL, CONF_MAX_MESSAGE_RATE, CONF_UNKNOWN_TAGS,
        CONF_REFUSE_CONCURRENT_TAGS,
    }
)  # fmt: skip


def _central(entry: ConfigEntry) -> CentralBackend:
    central = loaded_central(entry)
    if central is None:
        raise AbortFlow("central_system_not_loaded")
    return central


async def shown_options(entry: ConfigEntry) -> dict[str, Any]:
    """What the forms show: the entry's options, the central system's own as it keeps them (a central system too
    old to say: the flow ends with a message to update it)."""
    try:
        own = await _central(entry).records.central_system_options()
    except CentralOutdated as err:
        raise AbortFlow("addon_outdated", err.translation_placeholders) from err
    return {**entry.options, **{name: value for name, value in (own or {}).items() if name in CENTRAL_SYSTEM_OPTIONS}}


async def stored_options(entry: ConfigEntry, given: dict[str, Any]) -> dict[str, Any]:
    """The central system's part of a form's answer put where it keeps it (InvalidOptions: nothing changed);
    the entry's options to save (every option the form did not show stays)."""
    own = {name: value for name, value in given.items() if name in CENTRAL_SYSTEM_OPTIONS}
    options = {**entry.options, **given}
    if own and await _central(entry).records.set_central_system_options(own):
        # kept by the central system: the entry keeps none of them (no second copy to go stale)
        return {name: value for name, value in options.items() if name not in CENTRAL_SYSTEM_OPTIONS}
    return options


@dataclass(frozen=True, slots=True)
class OptionsForm:
    """A step's answer stored (`saved`: the entry's options to save), or the form again: what it shows, its
    errors and the placeholders their messages take."""

    saved: dict[str, Any] | None
    shown: dict[str, Any]
    errors: dict[str, str]
    placeholders: dict[str, str]


async def options_form(entry: ConfigEntry, given: dict[str, Any] | None) -> OptionsForm:
    """The general step's and the tag policy's one path: nothing given, the options as kept (read where they
    are); given, stored (stored_options), or shown again as typed with the refusal (invalid_options) or the
    add-on not reachable or too old (not_saved, with its message)."""
    placeholders = {"detail": "", "error": ""}
    if given is None:
        return OptionsForm(None, await shown_options(entry), {}, placeholders)
    try:
        return OptionsForm(await stored_options(entry, given), {}, {}, placeholders)
    except InvalidOptions as err:
        errors, placeholders["detail"] = {"base": "invalid_options"}, str(err)
    except HomeAssistantError as err:  # the add-on not reachable
        errors, placeholders["error"] = {"base": "not_saved"}, str(err)
    return OptionsForm(None, {**entry.options, **given}, errors, placeholders)


__all__ = ["CENTRAL_SYSTEM_OPTIONS", "OptionsForm", "options_form", "shown_options", "stored_options"]
