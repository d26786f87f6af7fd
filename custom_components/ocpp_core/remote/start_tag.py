"""Home Assistant's default tag told to the add-on (its `remote_start_tag` option, GET / PUT /options), so that, as
on the embedded central system, the add-on accepts it for the remote starts Home Assistant asks even when unknown
tags are refused, and refuses it when a charger presents it.  The add-on keeps it in its store.

Told at the entry's setup, when its options change, and whenever the add-on is back or was read again (one
updated, restarted or given another database answers again): a GET, and a PUT only when the tag differs.  An
add-on too old to take it (no /options, or no such option) raises a repair issue that says to update it; it goes
once the add-on takes the tag.
"""

from __future__ import annotations

import logging
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from ..repairs import raise_entry_issue
from .client import AddonClient
from .errors import AddonError, AddonOutdated

_LOGGER = logging.getLogger(__name__)

# the add-on's option (addon/ocpp_core_app/admin/central_options.py REMOTE_START_TAG)
REMOTE_START_TAG: Final = "remote_start_tag"


def outdated_issue_id(entry_id: str) -> str:
    return f"addon_outdated_{entry_id}"


async def tell_default_tag(hass: HomeAssistant, entry_id: str, client: AddonClient, tag: str) -> None:
    """The add-on's remote-only tag set to the entry's default tag (see the module's docstring)."""
    issue_id = outdated_issue_id(entry_id)
    try:
        options = await client.options()
        if REMOTE_START_TAG not in options:  # (an add-on with /options from before this option)
            raise AddonOutdated(f"PUT /options {REMOTE_START_TAG}", "unknown_option", 400)
        if options[REMOTE_START_TAG] != tag:
            await client.update_options({REMOTE_START_TAG: tag})
    except AddonOutdated as err:
        _LOGGER.warning("The OCPP Core add-on at %s:%s must be updated: %s", client.host, client.port, err)
        placeholders = {"host": client.host, "port": str(client.port), "request": err.request, "tag": tag}
        raise_entry_issue(hass, issue_id, "addon_outdated", placeholders)
        return
    except AddonError as err:  # (unreachable: its own issue, and told again when it is back; refused: logged)
        _LOGGER.warning("The OCPP Core add-on did not take the default tag %r as its remote-start tag: %s", tag, err)
        return
    ir.async_delete_issue(hass, DOMAIN, issue_id)
