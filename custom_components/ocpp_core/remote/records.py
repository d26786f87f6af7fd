"""The add-on's tags, per-charger settings, passwords and tariffs as the seam's CentralRecords (backend.py): what
the options flow and the tag, password and tariff services edit, over the add-on's API (docs/addon_api.md), stored
in the add-on's store.  The add-on's refusals come back as csms's own errors (TagError with its code,
InvalidSettings, InvalidPassword, TariffError), so the flow and the services show the same translated errors as on
the embedded central system.

The tag book is read from the add-on each time (a change made on the add-on's pages shows at once); settings
changes are applied to the mirror as the add-on answered them (its settings_changed event follows).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..backend import InvalidOptions
from ..csms import ChargerSettings, InvalidPassword, InvalidSettings, TagError, TagRecord
from ..csms.features.pricing import Scope, Tariff, TariffError
from .errors import AddonError, RequestRefused
from .failures import addon_failure

if TYPE_CHECKING:
    from .central import RemoteCentral

# the add-on's password refusals (api/settings.py), csms's InvalidPassword here
_PASSWORD_CODES = frozenset({"password_invalid", "password_length", "password_required"})


class RemoteTagList:
    """The add-on's tag book as it answered (TagList)."""

    def __init__(self, version: int, records: list[TagRecord]) -> None:
        self.version = version
        self._records = {record.key: record for record in records}

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[TagRecord]:
        return iter(self._records.values())

    def get(self, id_tag: str) -> TagRecord | None:
        return self._records.get(TagRecord(id_tag).key)


def tag_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """TagRecord fields (as tag_changes makes them) as the API's (add_tag's) fields."""
    fields: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "expiry":
            fields["expiry_date"] = value.isoformat() if isinstance(value, datetime) else None
        elif name == "parent_id":
            fields["parent_id_tag"] = value
        elif name == "chargers":
            fields["chargers"] = sorted(value)
        else:
            fields[name] = value
    return fields


def settings_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """ChargerSettings changes as JSON (connector numbers as text)."""
    fields = dict(changes)
    if isinstance(fields.get("connector_names"), dict):
        fields["connector_names"] = {str(number): name for number, name in fields["connector_names"].items()}
    return fields


class RemoteRecords:
    """CentralRecords on the add-on (see the module's docstring)."""

    def __init__(self, central: RemoteCentral) -> None:
        self._central = central

    async def _call[T](self, request: Awaitable[T], id_tag: str = "") -> T:
        """The request's answer; its refusal as csms's error of the same code, the add-on lost as a translated
        HomeAssistantError."""
        try:
            return await request
        except RequestRefused as err:
            body = err.body
            code = str(err.code or "")
            if code == "invalid_options":
                raise InvalidOptions(str(body.get("message") or err)) from err
            if code == "invalid_settings":
                raise InvalidSettings(str(body.get("message") or err)) from err
            if code in _PASSWORD_CODES:
                raise InvalidPassword(str(body.get("message") or err)) from err
            if "tariff_error" in body:  # (the tariff's own code and detail: api/tariffs.py)
                raise TariffError(code, str(body.get("detail") or "")) from err
            if "tag" in body or id_tag:
                raise TagError(code, str(body.get("tag") or id_tag), str(body.get("detail") or "")) from err
            raise
        except AddonError as err:
            raise addon_failure(self._central.client, err) from err

    async def tag_list(self) -> RemoteTagList:
        version, tags = await self._call(self._central.client.tag_book())
        return RemoteTagList(version, [TagRecord.from_dict(tag) for tag in tags])

    async def add_tag(self, record: TagRecord) -> TagRecord:
        fields = tag_fields(record_changes(record))
        tag = await self._call(self._central.client.add_tag(record.id_tag, **fields), record.id_tag)
        return TagRecord.from_dict(tag)

    async def update_tag(self, id_tag: str, changes: dict[str, Any]) -> TagRecord:
        tag = await self._call(self._central.client.update_tag(id_tag, **tag_fields(changes)), id_tag)
        return TagRecord.from_dict(tag)

    async def remove_tags(self, id_tags: Iterable[str]) -> list[TagRecord]:
        """All or none, as on the embedded central system: an unknown one is named before any is removed."""
        wanted = list(id_tags)
        book = await self.tag_list()
        records: list[TagRecord] = []
        for id_tag in wanted:
            record = book.get(id_tag)
            if record is None:
                raise TagError("unknown_tag", id_tag)
            records.append(record)
        for record in records:
            await self._call(self._central.client.remove_tag(record.id_tag), record.id_tag)
        return records

    async def update_settings(self, station_id: str, changes: dict[str, Any]) -> ChargerSettings:
        station = self._central.stations.get(station_id)
        if station is None:
            raise KeyError(station_id)
        answer = await self._call(self._central.client.update_settings(station_id, settings_fields(changes)))
        station.settings = ChargerSettings.from_dict(answer)
        return station.settings

    async def chargers_with_password(self) -> set[str]:
        settings = await self._call(self._central.client.settings())
        return {str(sid) for sid, charger in (settings.get("chargers") or {}).items() if charger.get("has_password")}

    async def set_password(self, station_id: str, password: str | None, *, push: bool) -> str | None:
        client = self._central.client
        if password is None:
            await self._call(client.clear_password(station_id))
            return None
        if not push:
            await self._call(client.set_password(station_id, password))
            return None
        # sent to the charger first: the command's errors are csms's (RemoteCentral.command), a refusal its answer
        answer = await self._central.command(
            station_id, "set_charger_password", {"password": password, "send_to_charger": True}
        )
        status = answer.get("status")
        return None if status is None else str(status)

    async def set_new_charger_password(self, password: str | None) -> None:
        await self._call(self._central.client.set_new_charger_password(password))

    async def has_new_charger_password(self) -> bool:
        settings = await self._call(self._central.client.settings())
        return bool(settings.get("new_charger_password"))

    async def central_system_options(self) -> dict[str, Any]:
        """The add-on's: its configuration's, and what was set over its API since (kept in its store)."""
        return await self._call(self._central.client.options())

    async def set_central_system_options(self, changes: dict[str, Any]) -> bool:
        await self._call(self._central.client.update_options(changes))
        return True

    async def tariffs(self) -> list[dict[str, Any]]:
        return await self._call(self._central.client.tariffs())

    async def tariff(self, scope: Scope) -> Tariff | None:
        for entry in await self.tariffs():
            given = Scope.of(entry.get("station_id"), entry.get("connector_id"), entry.get("id_tag"))
            if given.key == scope.key:
                return Tariff.from_dict(entry["tariff"])
        return None

    async def set_tariff(self, scope: Scope, data: dict[str, Any]) -> Tariff:
        answer = await self._call(self._central.client.set_tariff(scope_fields(scope), data))
        return Tariff.from_dict(answer)

    async def clear_tariff(self, scope: Scope) -> bool:
        return await self._call(self._central.client.clear_tariff(scope_fields(scope)))


def scope_fields(scope: Scope) -> dict[str, Any]:
    """A tariff's scope as the API names it (charger_id, connector_id, id_tag)."""
    names = {"station_id": "charger_id", "connector_id": "connector_id", "id_tag": "id_tag"}
    return {names[key]: value for key, value in scope.to_dict().items() if key in names}


def record_changes(record: TagRecord) -> dict[str, Any]:
    """Every field of a tag but its id, as update_tag's changes (tag_changes's names)."""
    return {field.name: getattr(record, field.name) for field in dataclasses.fields(record) if field.name != "id_tag"}
