"""GET / PUT / DELETE /tariffs (main's API: {charger_id?, connector_id?, id_tag?, tariff}): tariffs of every
scope, refused ones changing nothing, and a priced session's cost in /transactions."""

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
        status, body = await api.request("PUT", "/tariffs", {"tariff": PRICES})
        assert status == 200, body
        assert body["scope"]["scope"] == "central" and body["tariff"]["energy_price"] == "0.30"
        connector = {"charger_id": "CP-T", "connector_id": 1}
        status, body = await api.request("PUT", "/tariffs", {**connector, "tariff": {"currency": "CHF"}})
        assert (status, body["scope"]["scope"]) == (200, "connector"), body
        status, body = await api.request("PUT", "/tariffs", {"id_tag": "household", "tariff": {"currency": "EUR"}})
        assert (status, body["scope"]["scope"]) == (200, "tag"), body
        # refused by csms's own validation: its code, and nothing changed
        # (with its detail, which the integration's translated message shows)
        for bad, code, detail in (
            ({"tariff": {"currency": "EUX"}}, "unknown_currency", "EUX"),
            ({"tariff": {"currency": "EUR", "energy_price": "-0.1"}}, "negative_price", "energy_price: -0.1"),
            ({"tariff": {"currency": "EUR", "bands": [{"start": "06:00", "end": "22:00"}]}}, "band_gap", "00:00"),
            ({"charger_id": "CP-T", "id_tag": "x", "tariff": {"currency": "EUR"}}, "bad_scope", None),
            ({"charger_id": "NOPE", "tariff": {"currency": "EUR"}}, "unknown_charger", "NOPE"),
        ):
            status, body = await api.request("PUT", "/tariffs", bad)
            assert (status, body["error"], body["tariff_error"]) == (400, code, True), (bad, body)
            assert detail is None or body["detail"] == detail, (bad, body)
        status, body = await api.request("GET", "/tariffs")
        listed = [(t["scope"], t["tariff"]["currency"]) for t in body["tariffs"]]
        assert listed == [("central", "EUR"), ("connector", "CHF"), ("tag", "EUR")]

        # a session on the connector: its CHF tariff's cost in /transactions
        await cp.send_status(1, "Available")
        await cp.start_transaction(1, "TAG-1")
        await cp.send_meter_values(1, seconds=3600)
        await cp.stop_transaction(1)
        await wait_for(lambda: not api.central.stations["CP-T"].connectors[1].transaction)
        status, body = await api.request("GET", "/transactions?charger=CP-T")
        assert [(t["cost"]["currency"], t["cost"]["final"]) for t in body["transactions"]] == [("CHF", True)]

        assert await api.request("DELETE", "/tariffs", connector) == (200, {"cleared": True})
        assert await api.request("DELETE", "/tariffs", connector) == (200, {"cleared": False})
        status, body = await api.request("GET", "/tariffs")
        assert [t["scope"] for t in body["tariffs"]] == ["central", "tag"]
        await ws.close()
        task.cancel()
