"""How a changed config entry takes effect, decided in one place: the entry's update listener.

Home Assistant refuses a config flow's reload of an entry that has update listeners (deprecated in 2026.6, an
error from 2026.12: the flow's reload and the listener's race).  So the flows here only update the entry
(`update_and_abort`), and the listener of a set-up entry reloads it when what it was set up from changed (where
the central system listens and its TLS files, the add-on it uses), or else applies the change in place (the
options: chargers stay connected).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.core import HomeAssistant

Apply = Callable[[HomeAssistant, Any], Coroutine[Any, Any, None]]


def listen_for_updates(
    hass: HomeAssistant, entry: ConfigEntry, set_up_from: Callable[[ConfigEntry], Mapping[str, Any]], apply: Apply
) -> None:
    """Reload the entry once `set_up_from` (what its set-up read) reads otherwise; `apply` any other change."""
    started = dict(set_up_from(entry))

    async def updated(hass: HomeAssistant, entry: ConfigEntry) -> None:
        if dict(set_up_from(entry)) != started:
            hass.config_entries.async_schedule_reload(entry.entry_id)
            return
        await apply(hass, entry)

    entry.async_on_unload(entry.add_update_listener(updated))


def update_and_abort(flow: ConfigFlow, entry: ConfigEntry, reason: str, **changes: Any) -> ConfigFlowResult:
    """Update the entry (`changes`: data, options, unique_id …) and end the flow with `reason`.

    A set-up entry's listener takes the change (`listen_for_updates`); an entry without one (its set-up failed,
    or it waits for a retry) is set up again here, as Home Assistant's reloading flow helpers would.
    """
    hass = flow.hass
    hass.config_entries.async_update_entry(entry, **changes)
    if not entry.update_listeners:
        hass.config_entries.async_schedule_reload(entry.entry_id)
    return flow.async_abort(reason=reason)
