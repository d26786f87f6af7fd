"""The API's per-charger settings, passwords and tags, on the add-on's own store (SQLite and PostgreSQL): a real
central system on it, the API on 127.0.0.1, a simulated 1.6 charger; each change is in the database at once (a
reopened store, a new central system, has it)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from ocpp_core_app.store import RowStore

from sim.core16 import ConfigKey
from tests.csms.support.helpers import wait_for

from .api_client import Api, charger16, running_api
from .test_store import reopened


def api_on(store: RowStore) -> AbstractAsyncContextManager[Api]:
    """The add-on's API on a central system whose store is `store`."""
    return running_api(persistence=store)


def _no_secret(body: Any, *secrets: str) -> None:
    text = repr(body)
    assert "hash" not in text and "$" not in text
    for secret in secrets:
        assert secret not in text


async def test_settings_passwords_and_tags_are_stored_at_once(store: RowStore) -> None:
    async with api_on(store) as api:
        cp, task, ws = await charger16(api, "CP1")
        status, body = await api.request("GET", "/chargers/CP1/settings")
        assert status == 200 and body["settings"]["friendly_name"] is None and body["has_password"] is False
        changes = {"friendly_name": "Garage", "max_current": 16, "phases": 3, "connector_names": {"1": "Left"}}
        status, body = await api.request("PUT", "/chargers/CP1/settings", changes)
        assert status == 200, body
        assert body["settings"] | changes == body["settings"]
        settings = api.central.stations["CP1"].settings
        assert (settings.friendly_name, settings.max_current, settings.connector_names) == ("Garage", 16.0, {1: "Left"})
        # bad values: a clear 400 with the machine key, naming the setting, nothing changed
        for bad, named in (
            ({"max_current": 5000}, "max_current"),
            ({"phases": 2}, "phases"),
            ({"max_current": "lots"}, "max_current"),
            ({"colour": "red"}, "colour"),
            ({"connector_names": {"one": "x"}}, "connector_names"),
            ({"push_local_list": "yes"}, "push_local_list"),
        ):
            status, body = await api.request("PUT", "/chargers/CP1/settings", {"friendly_name": "Other", **bad})
            assert (status, body["error"]) == (400, "invalid_settings"), bad
            assert named in body["message"], body
        assert api.central.stations["CP1"].settings.friendly_name == "Garage"
        status, body = await api.request("PUT", "/chargers/CP1/settings", {"max_current": None})
        assert status == 200 and body["settings"]["max_current"] is None
        assert (await api.request("PUT", "/chargers/NOPE/settings", {}))[1]["error"] == "unknown_charger"

        # passwords: write-only
        for bad, key in (({}, "password_required"), ({"password": " x"}, "password_invalid")):
            status, body = await api.request("PUT", "/chargers/CP1/password", bad)
            assert (status, body["error"]) == (400, key)
        status, body = await api.request(
            "PUT", "/chargers/CP1/password", {"password": "short", "send_to_charger": True}
        )
        assert (status, body["error"]) == (400, "password_length")
        status, body = await api.request("PUT", "/chargers/CP1/password", {"password": "typed-by-hand"})
        assert (status, body) == (200, {"stored": True, "has_password": True})
        cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)
        sent = {"password": "a-brand-new-password-99", "send_to_charger": True}
        status, body = await api.request("PUT", "/chargers/CP1/password", sent)
        assert (status, body["status"]) == (200, "Accepted")
        assert api.central.credentials.has_password("CP1")
        status, body = await api.request("PUT", "/new_charger_password", {"password": "onboarding-secret"})
        assert (status, body) == (200, {"new_charger_password": True})
        status, body = await api.request("GET", "/settings")
        assert status == 200 and body["new_charger_password"] is True
        assert body["chargers"]["CP1"]["has_password"] is True
        _no_secret(body, "typed-by-hand", "a-brand-new-password-99", "onboarding-secret")

        # tags (the tag book's endpoints), an unknown charger named as such
        tag = {"id_tag": "CARD-A", "name": "Anna", "parent_id_tag": "FAMILY", "chargers": ["CP1"], "status": "Blocked"}
        assert (await api.request("POST", "/tags", {**tag, "expiry_date": "2030-01-31"}))[0] == 201
        status, body = await api.request("POST", "/tags", {"id_tag": "CARD-B", "chargers": ["NOPE"]})
        assert (status, body["error"], body["tag"]) == (400, "unknown_charger", "NOPE")
        await ws.close()
        task.cancel()
        await wait_for(lambda: not api.central.is_connected("CP1"))
        # stored at once: no flush, the central system stopped now

    again = reopened(store)
    await again.open()
    try:
        async with api_on(again) as api:
            settings = api.central.stations["CP1"].settings
            assert (settings.friendly_name, settings.phases, settings.max_current) == ("Garage", 3, None)
            assert settings.connector_names == {1: "Left"}
            assert api.central.credentials.has_password("CP1") and api.central.credentials.has_new_charger_password
            record = api.central.tags.get("card-a")
            assert record is not None and (record.name, record.parent_id, record.status) == (
                "Anna",
                "FAMILY",
                "Blocked",
            )
            assert record.chargers == frozenset({"CP1"}) and record.expiry is not None
            status, body = await api.request("DELETE", "/chargers/CP1/password")
            assert (status, body) == (200, {"removed": True, "has_password": False})
            assert (await api.request("DELETE", "/new_charger_password"))[1] == {"new_charger_password": False}
            assert not api.central.credentials.has_password("CP1")
            assert not api.central.credentials.has_new_charger_password
    finally:
        await again.close()


# the add-on's configuration of the central system's options (as app.py configured_options maps its flags)
CONFIGURED = {
    "heartbeat_interval": 60, "strict_validation": False, "history_size": 1000, "unknown_chargers": "accept",
    "limit_interval": 10.0, "meter_interval": None, "max_message_rate": 50.0, "unknown_tags": "accept",
    "refuse_concurrent_tags": False, "remote_start_tag": None,
}  # fmt: skip


async def test_options_are_kept_over_the_configuration_until_it_changes(store: RowStore) -> None:
    async with running_api(persistence=store, configured_options=CONFIGURED) as api:
        assert await api.request("GET", "/options") == (200, {"options": CONFIGURED})
        # refused with the option named, nothing changed
        for bad, named in (
            ({"heartbeat_interval": 5}, "heartbeat_interval"),
            ({"unknown_tags": "maybe"}, "unknown_tags"),
            ({"strict_validation": "yes"}, "strict_validation"),
            ({"colour": "red"}, "colour"),
        ):
            status, body = await api.request("PUT", "/options", {"history_size": 5, **bad})
            assert (status, body["error"]) == (400, "invalid_options"), bad
            assert named in body["message"], body
        assert (await api.request("GET", "/options"))[1]["options"] == CONFIGURED
        changes = {"unknown_tags": "reject", "refuse_concurrent_tags": True, "heartbeat_interval": 600}
        status, body = await api.request("PUT", "/options", changes)
        assert (status, body["options"]) == (200, CONFIGURED | changes)
        running = api.central.options  # in force at once
        assert (running.accept_unknown_tags, running.refuse_concurrent_tags) == (False, True)
        assert running.heartbeat_interval == 600

    for configured, kept in (
        (CONFIGURED, changes),  # the same configuration: what was set over the API holds
        (CONFIGURED | {"heartbeat_interval": 120}, {"unknown_tags": "reject", "refuse_concurrent_tags": True}),
    ):
        again = reopened(store)
        await again.open()
        try:
            async with running_api(persistence=again, configured_options=configured) as api:
                assert (await api.request("GET", "/options"))[1]["options"] == configured | kept
                assert api.central.options.heartbeat_interval == (configured | kept)["heartbeat_interval"]
        finally:
            await again.close()


async def test_home_assistants_remote_start_tag_is_remote_only_and_kept(store: RowStore) -> None:
    """The integration tells its default tag (remote_start_tag): accepted for the remote starts asked with it, refused
    when the charger presents it (whatever the tag policy), kept in the store; a bad one is refused, named."""
    async with running_api(persistence=store, configured_options=CONFIGURED) as api:
        for bad in ("", "   ", "X" * 21, 7, ["Garage-1"]):
            status, body = await api.request("PUT", "/options", {"remote_start_tag": bad})
            assert (status, body["error"]) == (400, "invalid_options"), bad
            assert "remote_start_tag" in body["message"] and "1 to 20 characters" in body["message"], body
        assert api.central.options.remote_only_tags == ()
        status, body = await api.request("PUT", "/options", {"remote_start_tag": "Garage-1"})
        assert (status, body["options"]) == (200, CONFIGURED | {"remote_start_tag": "Garage-1"})
        assert api.central.options.remote_only_tags == ("Garage-1",)  # in force at once
        cp, task, ws = await charger16(api, "CP1")
        assert (await cp.authorize("garage-1")).id_tag_info["status"] == "Invalid"  # (unknown tags accepted here)
        status, body = await api.command("CP1", "start_transaction", {"id_tag": "Garage-1", "connector_id": 1})
        assert (status, body) == (200, {"answer": {"status": "Accepted"}})
        await wait_for(lambda: cp.last_id_tag_info == {"status": "Accepted"})
        await ws.close()
        task.cancel()
    again = reopened(store)
    await again.open()
    try:
        async with running_api(persistence=again, configured_options=CONFIGURED) as api:
            assert (await api.request("GET", "/options"))[1]["options"]["remote_start_tag"] == "Garage-1"
            assert api.central.options.remote_only_tags == ("Garage-1",)
            # null: only the add-on's own tag again
            assert (await api.request("PUT", "/options", {"remote_start_tag": None}))[0] == 200
            assert api.central.options.remote_only_tags == ()
    finally:
        await again.close()


async def test_a_charger_is_forgotten_only_while_away(store: RowStore) -> None:
    async with api_on(store) as api:
        cp, task, ws = await charger16(api, "CP1")
        await cp.start_transaction(1, "T")
        await cp.stop_transaction(1)
        status, body = await api.request("DELETE", "/chargers/CP1")
        assert (status, body["error"]) == (409, "charger_connected")
        assert "CP1" in api.central.stations
        await ws.close()
        task.cancel()
        await wait_for(lambda: not api.central.is_connected("CP1"))
        assert await api.request("DELETE", "/chargers/CP1") == (200, {"forgotten": "CP1"})
        assert (await api.request("GET", "/chargers/CP1"))[0] == 404
        assert (await api.request("GET", "/transactions"))[1]["transactions"] == []  # its sessions went with it
        assert (await api.request("DELETE", "/chargers/CP1"))[1]["error"] == "unknown_charger"
    again = reopened(store)
    await again.open()
    try:
        async with api_on(again) as api:
            assert "CP1" not in api.central.stations
    finally:
        await again.close()
