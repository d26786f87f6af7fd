"""The web UI's card payments page (behind the stand-in ingress, the real app, a local Stripe, a simulated 1.6
charger): a start paid by card from the form, its checkout link and QR code, its state kept live; a start that
cannot be held is refused in the user's language."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from sim.charger16 import connect as connect16
from tests.addon.fake_stripe import SECRET_KEY, FakeStripe
from tests.csms.support.helpers import wait_for

from .harness import USER, client_session, running_web

TOKEN = "web-payments-token-0123456789"
TARIFF = {"currency": "EUR", "energy_price": "0.30", "session_fee": "1.00", "max_energy_kwh": "20"}


async def test_a_start_paid_by_card_from_the_page(tmp_path: Path) -> None:
    fake = FakeStripe()
    await fake.start()
    flags = ("--api-token", TOKEN, "--stripe-secret-key", SECRET_KEY, "--stripe-api-base", fake.base,
             "--payment-poll-interval", "0.1")  # fmt: skip
    try:
        async with running_web(tmp_path / "data", *flags) as web, client_session() as http:
            cp, task, ws = await connect16(web.ocpp_url, "CP-WEB")
            await cp.boot()
            await cp.send_all_statuses()
            api = f"http://127.0.0.1:{web.ui_port}/api/v1"
            auth = {"Authorization": f"Bearer {TOKEN}"}
            for method, path, body in (
                ("PUT", "/tariffs", {"charger_id": "CP-WEB", "tariff": TARIFF}),
                ("POST", "/tags", {"id_tag": "GUEST-7"}),
                ("PUT", "/card_tags/GUEST-7", {"pays_by_card": True}),
            ):
                async with http.request(method, api + path, json=body, headers=auth) as response:
                    assert response.status in (200, 201), await response.text()
            web.supervisor.user = USER  # any signed-in user may start a session paid by card
            async with http.get(web.supervisor.base + "/payments") as response:
                page = await response.text()
            assert response.status == 200 and '<option value="GUEST-7"' in page
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            assert csrf is not None
            form = {"charger": "CP-WEB", "connector": "1", "tag": "GUEST-7", "csrf": csrf.group(1)}
            async with http.post(web.supervisor.base + "/payments", data=form) as response:
                page = await response.text()
                assert response.status == 200, page
                path = response.url.path
            [session] = fake.sessions.values()
            assert "Waiting for the card" in page and "<svg" in page and session["url"] in page
            assert cp.remote_starts == []
            fake.pay(session["id"])
            await wait_for(lambda: cp.remote_starts, timeout=30)
            async with http.get(f"http://127.0.0.1:{web.supervisor.port}{path}/status") as response:
                fragment = await response.text()
            assert "7.00 EUR" in fragment and "<svg" not in fragment

            # a tariff without a maximum kWh cannot be held: said in German to a German browser
            no_max = {k: v for k, v in TARIFF.items() if k != "max_energy_kwh"}
            async with http.put(api + "/tariffs", json={"charger_id": "CP-WEB", "tariff": no_max}, headers=auth) as r:
                assert r.status == 200
            await cp.stop_transaction(1)
            payment_id = path.rsplit("/", 1)[1]

            async def paid() -> bool:
                async with http.get(f"{api}/payments/{payment_id}", headers=auth) as response:
                    return bool((await response.json())["payment"]["state"] == "captured")

            async with asyncio.timeout(30):
                while not await paid():  # the first payment ends (one at a time per charger)
                    await asyncio.sleep(0.05)
            headers = {"Accept-Language": "de"}
            async with http.post(web.supervisor.base + "/payments", data=form, headers=headers) as response:
                page = await response.text()
            assert response.status == 409
            assert "keine maximalen kWh pro Sitzung" in page
            await ws.close()
            task.cancel()
    finally:
        await fake.stop()
