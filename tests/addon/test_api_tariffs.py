"""GET / PUT / DELETE /tariffs: csms's tariffs through the add-on's API, refused ones changing nothing, and a
priced session's cost in /transactions."""

from __future__ import annotations

from sim.charger16 import connect as connect16
from tests.csms.support.helpers import wait_for

from .api_client import running_api

# 1.00 per session and 0.30 per kWh: an hour at 11 kW costs 4.30 (as tests/test_pricing_in_ha.py)
PRICES = {"currency": "EUR", "energy_price": "0.30", "session_fee": "1", "name": "Home"}


async def test_tariffs_set_listed_refused_and_cleared() -> None:
    async with running_api() as api:
        cp, task, ws = await connect16(api.ocpp_url, "CP-T")
        await cp.boot()
        await wait_for(lambda: "CP-T" in api.central.stations)
        assert await api.request("GET", "/tariffs") == (200, {"tariffs": []})
        status, body = await api.request("PUT", "/tariffs", PRICES)
        assert status == 200, body
        assert body["scope"] == "central" and body["tariff"]["energy_price"] == "0.30"
        status, body = await api.request("PUT", "/tariffs", {"charger": "CP-T", "connector": 1, "currency": "CHF"})
        assert (status, body["scope"], body["connector_id"]) == (200, "connector", 1), body
        status, body = await api.request("PUT", "/tariffs", {"tag": "household", "currency": "EUR", "time_price": 0.1})
        assert (status, body["scope"]) == (200, "tag"), body
        # refused by csms's own validation: its code, and nothing changed
        for bad, code in (
            ({"currency": "EUX"}, "unknown_currency"),
            ({"currency": "EUR", "energy_price": "-0.1"}, "negative_price"),
            ({"currency": "EUR", "bands": [{"start": "06:00", "end": "22:00"}]}, "band_gap"),
            ({"currency": "EUR", "charger": "CP-T", "tag": "x"}, "bad_scope"),
            ({"currency": "EUR", "connector": 1}, "bad_scope"),
        ):
            status, body = await api.request("PUT", "/tariffs", bad)
            assert (status, body["error"]) == (400, code), (bad, body)
        status, body = await api.request("PUT", "/tariffs", {"currency": "EUR", "price": 1})
        assert (status, body["error"]) == (400, "bad_request") and "price" in body["message"]
        status, body = await api.request("PUT", "/tariffs", {"currency": "EUR", "charger": "NOPE"})
        assert (status, body["error"]) == (404, "unknown_charger")
        status, body = await api.request("GET", "/tariffs")
        listed = [(t["scope"], t["tariff"]["currency"]) for t in body["tariffs"]]
        assert listed == [("central", "EUR"), ("connector", "CHF"), ("tag", "EUR")]
        assert body["tariffs"][0]["tariff"]["session_fee"] == "1"

        # a session under the central tariff: its cost in /transactions
        await cp.send_status(1, "Available")
        await cp.start_transaction(1, "TAG-1")
        await cp.send_meter_values(1, seconds=3600)
        await cp.stop_transaction(1)
        await wait_for(lambda: not api.central.stations["CP-T"].connectors[1].transaction)
        status, body = await api.request("GET", "/transactions?charger=CP-T")
        # the connector's CHF tariff applies there
        assert [(t["cost"]["currency"], t["cost"]["final"]) for t in body["transactions"]] == [("CHF", True)]

        status, body = await api.request("DELETE", "/tariffs?charger=CP-T&connector=1")
        assert (status, body["removed"]["scope"]) == (200, "connector"), body
        status, body = await api.request("DELETE", "/tariffs?charger=CP-T&connector=1")
        assert (status, body["error"]) == (404, "tariff_not_set")
        status, body = await api.request("DELETE", "/tariffs?connector=x")
        assert (status, body["error"]) == (400, "bad_scope")
        assert await api.request("DELETE", "/tariffs?tag=HOUSEHOLD") == (
            200,
            {"removed": {"scope": "tag", "id_tag": "HOUSEHOLD"}},
        )
        status, body = await api.request("GET", "/tariffs")
        assert [t["scope"] for t in body["tariffs"]] == ["central"]
        await ws.close()
        task.cancel()
