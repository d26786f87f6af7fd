"""The tariffs admin page over HTTP behind ingress: set (every field), list, edit, remove; csms's checks shown in
the user's language with nothing saved; the charger page's link to its charger's tariff."""

from __future__ import annotations

from pathlib import Path

from ocpp_core_app.api.tariffs import _pricing

from .site import running_site
from .test_admin_pages import Browser, _charger, client

FULL = {
    "charger": "CP1", "connector": "2", "name": "Garage night", "currency": "eur", "energy_price": "0,30",
    "session_fee": "1", "time_price": "0.02", "time_grace_minutes": "30", "idle_price": "0.10",
    "idle_grace_minutes": "15", "bands": "06:00-22:00 0.35\n22:00-06:00 - 0.01", "time_zone": "Europe/Berlin",
    "max_energy_kwh": "40", "on_max_energy": "limit",
}  # fmt: skip


def _tariffs(site: object) -> list[dict[str, object]]:
    return site.central.pricing.tariffs.entries()  # type: ignore[attr-defined, no-any-return]


async def test_tariffs_set_every_field_edit_remove(tmp_path: Path) -> None:
    async with running_site(tmp_path) as (site, _), client() as http:
        _cp, task, ws = await _charger(site)
        en = Browser(site, http)
        status, text = await en.get("/admin/tariffs")
        assert status == 200 and "No tariff is set" in text
        # the charger's admin page links to its tariff (the placeholder is gone)
        status, text = await en.get("/admin/chargers/edit?id=CP1")
        assert 'href="/api/hassio_ingress/test-session-token/admin/tariffs?charger=CP1"' in text
        assert "once pricing is available" not in text
        status, text = await en.post("/admin/tariffs", FULL)
        assert status == 200 and "The tariff is saved." in text, text
        [entry] = _tariffs(site)
        assert (entry["scope"], entry["station_id"], entry["connector_id"]) == ("connector", "CP1", 2)
        assert entry["tariff"] == {
            "currency": "EUR", "energy_price": "0.30", "session_fee": "1", "time_price": "0.02",
            "time_grace_minutes": 30, "idle_price": "0.10", "idle_grace_minutes": 15, "max_energy_kwh": "40",
            "on_max_energy": "limit", "time_zone": "Europe/Berlin", "name": "Garage night",
            "bands": [{"start": "06:00", "end": "22:00", "energy_price": "0.35"},
                      {"start": "22:00", "end": "06:00", "time_price": "0.01"}],
        }  # fmt: skip
        # the edit form shows it back, every field
        status, text = await en.get("/admin/tariffs?charger=CP1&connector=2")
        assert status == 200 and "Change the tariff" in text and 'value="Garage night"' in text
        assert "06:00-22:00 0.35\n22:00-06:00 - 0.01" in text and 'value="limit" selected' in text
        # a central and a tag tariff beside it, listed most general first
        assert (await en.post("/admin/tariffs", {"currency": "CHF", "energy_price": "0.5"}))[0] == 200
        assert (await en.post("/admin/tariffs", {"tag": "household", "currency": "EUR"}))[0] == 200
        status, text = await en.get("/admin/tariffs")
        assert text.index("All chargers") < text.index("CP1 · Connector 2") < text.index("Tag household")
        assert [e["scope"] for e in _tariffs(site)] == ["central", "connector", "tag"]
        # remove the connector's
        status, text = await en.post(
            "/admin/tariffs/delete", {"charger": "CP1", "connector": "2", "tag": ""}, page="/admin/tariffs"
        )
        assert status == 200 and "The tariff is removed." in text
        assert [e["scope"] for e in _tariffs(site)] == ["central", "tag"]
        status, text = await en.post(
            "/admin/tariffs/delete", {"charger": "CP1", "connector": "2", "tag": ""}, page="/admin/tariffs"
        )
        assert status == 404 and "No tariff is set there." in text
        await ws.close()
        task.cancel()


async def test_bad_tariffs_are_refused_translated_and_change_nothing(tmp_path: Path) -> None:
    async with running_site(tmp_path) as (site, _), client() as http:
        _cp, task, ws = await _charger(site)
        en, de = Browser(site, http), Browser(site, http, lang="de")
        await site.central.pricing.set_tariff(_pricing().Scope.of(), {"currency": "EUR", "energy_price": "0.30"})
        before = _tariffs(site)
        cases = (
            ({"currency": "EUX"}, "EUX is not an ISO 4217 currency code", "EUX ist kein ISO-4217-Währungscode"),
            ({"currency": "EUR", "energy_price": "-1"}, "A price cannot be negative", "Ein Preis kann nicht negativ"),
            ({"currency": "EUR", "energy_price": "viel"}, "Not a number that fits here", "Keine hier passende Zahl"),
            ({"currency": "EUR", "bands": "06:00-22:00"}, "leave a gap at 00:00", "lassen um 00:00 eine Lücke"),
            ({"currency": "EUR", "bands": "6 Uhr"}, "A time of day cannot be read", "Eine Tageszeit kann nicht"),
            ({"currency": "EUR", "bands": "00:00-25:00"}, "Not a time of day", "Keine Tageszeit"),
            ({"currency": "EUR", "time_zone": "Mars/Base"}, "Unknown time zone", "Unbekannte Zeitzone"),
            ({"currency": "EUR", "on_max_energy": "boom"}, "not boom", "nicht boom"),
            ({"currency": "EUR", "charger": "CP1", "tag": "x"}, "A tariff applies to", "Ein Tarif gilt für"),
            ({"currency": "EUR", "connector": "1"}, "A tariff applies to", "Ein Tarif gilt für"),
        )
        for form, english, german in cases:
            status, text = await en.post("/admin/tariffs", {"energy_price": "0.99", **form})
            assert status == 400 and english in text, (form, text[-3000:])
            status, text = await de.post("/admin/tariffs", {"energy_price": "0.99", **form})
            assert status == 400 and german in text, form
            if "energy_price" not in form:
                assert 'value="0.99"' in text, form  # what was typed is shown back
            assert _tariffs(site) == before, form  # nothing (half-)saved
        await ws.close()
        task.cancel()
