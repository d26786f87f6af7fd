"""GET /chargers, /chargers/{id}, /transactions: a 1.6 charger and a 2.0.1 station, each with a running session."""

from __future__ import annotations

from tests.csms.support.helpers import wait_for
from tests.csms.support.helpers_v201 import booted

from .api_client import charger16, running_api


async def test_state_of_a_16_charger_and_a_201_station_with_sessions() -> None:
    async with running_api() as api:
        cp, task, ws = await charger16(api, "CP16")
        await cp.start_transaction(1, "TAG16")
        await cp.send_meter_values(1)
        station = await booted(api.central, api.ocpp_url, "ST201")
        await station.start_transaction(1, "TAG201")
        await wait_for(lambda: api.central.stations["ST201"].connectors[1].transaction is not None)
        await wait_for(lambda: api.central.stations["CP16"].connectors[1].reading("Power.Active.Import") is not None)

        status, body = await api.request("GET", "/chargers")
        assert status == 200
        chargers = {c["id"]: c for c in body["chargers"]}
        assert set(chargers) == {"CP16", "ST201"}
        c16 = chargers["CP16"]
        assert (c16["ocpp_version"], c16["connected"], c16["registration_status"]) == ("1.6", True, "Accepted")
        assert c16["vendor"] and c16["model"]
        assert [c["connector_id"] for c in c16["connectors"]] == [1, 2]
        one = c16["connectors"][0]
        assert one["session"]["id_tag"] == "TAG16" and one["session"]["open"] is True
        assert one["power_w"] > 0 and one["energy_register_wh"] is not None
        assert c16["connectors"][1]["session"] is None
        c201 = chargers["ST201"]
        assert (c201["ocpp_version"], c201["connected"]) == ("2.0.1", True)
        assert c201["connectors"][0]["session"]["id_tag"] == "TAG201"
        assert "connector_statuses" in c201["connectors"][0]

        status, one_charger = await api.request("GET", "/chargers/CP16")
        assert (status, one_charger["id"], one_charger["connectors"]) == (200, "CP16", c16["connectors"])
        status, body = await api.request("GET", "/chargers/nope")
        assert (status, body["error"]) == (404, "unknown_charger")

        status, body = await api.request("GET", "/transactions")
        assert status == 200 and {t["id_tag"] for t in body["transactions"]} == {"TAG16", "TAG201"}
        status, body = await api.request("GET", "/transactions?charger=CP16")
        assert [t["id_tag"] for t in body["transactions"]] == ["TAG16"]
        status, body = await api.request("GET", "/transactions?tag=tag201")
        assert [t["station_id"] for t in body["transactions"]] == ["ST201"]
        status, body = await api.request("GET", "/transactions?until=2000-01-01T00:00:00Z")
        assert (status, body["transactions"]) == (200, [])
        status, body = await api.request("GET", "/transactions?until=yesterday")
        assert (status, body["error"]) == (400, "bad_request")
        await station.close()
        await ws.close()
        task.cancel()
