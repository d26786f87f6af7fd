"""The add-on's failures as Home Assistant's translated errors: not reachable, or too old for what was asked
(the seam's CentralOutdated: the options flow and the device removal say to update the add-on)."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError

from ..backend import CentralOutdated
from ..const import DOMAIN
from .client import AddonClient
from .errors import AddonError, AddonOutdated


class AddonUnreachableError(HomeAssistantError):
    """A command or a query could not reach the add-on."""

    def __init__(self, client: AddonClient, error: AddonError) -> None:
        super().__init__(
            translation_domain=DOMAIN,
            translation_key="addon_unreachable",
            translation_placeholders={"host": client.host, "port": str(client.port), "error": str(error)},
        )


def addon_failure(client: AddonClient, error: AddonError) -> HomeAssistantError:
    """What a failed call of the add-on raises in Home Assistant."""
    if isinstance(error, AddonOutdated):
        return CentralOutdated(client.host, client.port, error.request)
    return AddonUnreachableError(client, error)


__all__ = ["AddonUnreachableError", "addon_failure"]
