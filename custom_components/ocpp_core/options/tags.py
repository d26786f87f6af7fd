"""Options: the id tags of the central system and the tag policy.

The "tags" entry of the options menu leads to: add a tag, edit a tag (pick it,
then the same form), remove tags, and the policy (what happens to unknown tags,
whether a tag already in a session elsewhere is refused).  The tags themselves
are the central system's (stored with it, see csms/state/tags.py; in remote mode
the add-on's, over its API: `records`) and apply at once; the policy is the central
system's own option, kept where it keeps them (options/central_system.py: the entry's
options, put in force by `central_options` in __init__.py, or the add-on's).
Home Assistant's own tag for remote starts (option default_id_tag) is accepted
only for the remote starts asked with it.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.data_entry_flow import AbortFlow
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import selector
from homeassistant.util import dt as dt_util

from ..backend import CentralBackend, TagList
from ..const import (
    CONF_REFUSE_CONCURRENT_TAGS,
    CONF_UNKNOWN_TAGS,
    DEFAULT_UNKNOWN_TAGS,
    UNKNOWN_TAG_POLICIES,
)
from ..coordinator import loaded_central
from ..csms import ACCEPTED, TAG_STATUSES, TagError, TagRecord
from ..services.tags import tag_changes
from .central_system import options_form
from .selectors import choice

TAG_MENU = ["tag_add", "tag_pick", "tag_remove", "tag_policy"]
_TEXT = selector.TextSelector()
# where a refused change shows its error in the form
_ERROR_FIELDS = {
    "duplicate_tag": "id_tag",
    "bad_id": "id_tag",
    "bad_date": "expiry_date",
    "bad_parent": "parent_id_tag",
}


def _select(options: list[selector.SelectOptionDict], multiple: bool = False) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(options=options, multiple=multiple, mode=selector.SelectSelectorMode.DROPDOWN)
    )


def _suggested(value: Any) -> dict[str, Any]:
    return {"suggested_value": value} if value not in (None, "", []) else {}


def _tag_label(record: TagRecord) -> str:
    return f"{record.name} ({record.id_tag})" if record.name else record.id_tag


class TagOptionsFlow(OptionsFlow):
    """The "tags" entry of the options menu (OcppOptionsFlow takes it in)."""

    _tag_id: str

    async def async_step_tags(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        central = loaded_central(self.config_entry)
        if central is None:
            return self.async_abort(reason="central_system_not_loaded")
        return self.async_show_menu(step_id="tags", menu_options=TAG_MENU)

    def _tag_schema(self, central: CentralBackend, record: TagRecord | None) -> vol.Schema:
        chargers = [
            selector.SelectOptionDict(value=station_id, label=station.settings.friendly_name or station_id)
            for station_id, station in sorted(central.stations.items())
        ]
        statuses = [status.lower() for status in TAG_STATUSES]  # translated (selector tag_status)
        expiry = dt_util.as_local(record.expiry).strftime("%Y-%m-%d %H:%M:%S") if record and record.expiry else None
        fields: dict[Any, Any] = {}
        if record is None:
            fields[vol.Required("id_tag")] = _TEXT
        fields.update(
            {
                vol.Optional("name", description=_suggested(record and record.name)): _TEXT,
                vol.Required("status", default=(record.status if record else ACCEPTED).lower()): choice(
                    statuses, "tag_status"
                ),
                vol.Optional("expiry_date", description=_suggested(expiry)): selector.DateTimeSelector(),
                vol.Optional("parent_id_tag", description=_suggested(record and record.parent_id)): _TEXT,
                vol.Optional("chargers", description=_suggested(sorted(record.chargers) if record else None)): _select(
                    chargers, multiple=True
                ),
            }
        )
        return vol.Schema(fields)

    def _form_input(self, user_input: dict[str, Any]) -> dict[str, Any]:
        """Every field of the form is set or cleared (an empty optional field is left out by the frontend)."""
        return {
            "name": user_input.get("name"),
            "status": user_input.get("status"),
            "expiry_date": user_input.get("expiry_date"),
            "parent_id_tag": user_input.get("parent_id_tag"),
            "chargers": user_input.get("chargers") or [],
        }

    async def _tag_form(self, step_id: str, user_input: dict[str, Any] | None) -> ConfigFlowResult:
        central = loaded_central(self.config_entry)
        if central is None:
            return self.async_abort(reason="central_system_not_loaded")
        record = None if step_id == "tag_add" else (await central.records.tag_list()).get(self._tag_id)
        if step_id != "tag_add" and record is None:
            return self.async_abort(reason="tag_gone")
        errors: dict[str, str] = {}
        placeholders = {"tag": record.id_tag if record else "", "detail": "", "error": ""}
        if user_input is not None:
            try:
                changes = tag_changes(self._form_input(user_input), set(central.stations))
                if record is None:
                    await central.records.add_tag(TagRecord(str(user_input["id_tag"]), **changes))
                else:
                    await central.records.update_tag(record.id_tag, changes)
            except TagError as err:
                errors[_ERROR_FIELDS.get(err.code, "base")] = err.code
                placeholders["detail"] = err.detail
            except HomeAssistantError as err:  # the add-on not reachable
                errors["base"] = "not_saved"
                placeholders["error"] = str(err)
            else:
                return self.async_create_entry(data=dict(self.config_entry.options))
        schema = self._tag_schema(central, record)
        if user_input is not None:  # show what was typed
            schema = self.add_suggested_values_to_schema(schema, user_input)
        return self.async_show_form(
            step_id=step_id, data_schema=schema, errors=errors, description_placeholders=placeholders
        )

    async def async_step_tag_add(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._tag_form("tag_add", user_input)

    async def _tag_book(self) -> tuple[CentralBackend, TagList]:
        """The loaded central system and its tags; the flow ends (AbortFlow) when either is missing."""
        central = loaded_central(self.config_entry)
        if central is None:
            raise AbortFlow("central_system_not_loaded")
        tags = await central.records.tag_list()
        if not len(tags):
            raise AbortFlow("no_tags")
        return central, tags

    def _tag_options(self, tags: TagList) -> list[selector.SelectOptionDict]:
        return [selector.SelectOptionDict(value=record.id_tag, label=_tag_label(record)) for record in tags]

    async def async_step_tag_pick(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Which tag to edit."""
        _central, tags = await self._tag_book()
        if user_input is not None and tags.get(user_input["id_tag"]) is not None:
            self._tag_id = user_input["id_tag"]
            return await self.async_step_tag_edit()
        schema = vol.Schema({vol.Required("id_tag"): _select(self._tag_options(tags))})
        return self.async_show_form(step_id="tag_pick", data_schema=schema)

    async def async_step_tag_edit(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._tag_form("tag_edit", user_input)

    async def async_step_tag_remove(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        central, tags = await self._tag_book()
        if user_input is not None:
            chosen = [id_tag for id_tag in user_input.get("id_tags") or () if tags.get(id_tag) is not None]
            if chosen:
                await central.records.remove_tags(chosen)
            return self.async_create_entry(data=dict(self.config_entry.options))
        schema = vol.Schema({vol.Optional("id_tags"): _select(self._tag_options(tags), multiple=True)})
        return self.async_show_form(step_id="tag_remove", data_schema=schema)

    async def async_step_tag_policy(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        form = await options_form(self.config_entry, user_input)
        if form.saved is not None:
            return self.async_create_entry(data=form.saved)
        options = form.shown
        schema = vol.Schema(
            {
                vol.Required(CONF_UNKNOWN_TAGS, default=options.get(CONF_UNKNOWN_TAGS, DEFAULT_UNKNOWN_TAGS)): choice(
                    UNKNOWN_TAG_POLICIES, CONF_UNKNOWN_TAGS
                ),
                vol.Required(
                    CONF_REFUSE_CONCURRENT_TAGS, default=bool(options.get(CONF_REFUSE_CONCURRENT_TAGS, False))
                ): selector.BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="tag_policy", data_schema=schema, errors=form.errors, description_placeholders=form.placeholders
        )
