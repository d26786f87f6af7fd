"""A thumbprint set on the charge point's admin page pins the charger's client certificate (security profile 3)."""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path

import pytest
import websockets
from ocpp_core_app.admin.chargers import ChargerNotes
from ocpp_core_app.admin.services import AdminData
from ocpp_core_app.central_import import csms
from ocpp_core_app.store import RowStore
from websockets.exceptions import InvalidStatus

from tests.csms.support.certs import Authority
from tests.csms.support.helpers import BOOT, RawCharger


async def test_the_thumbprint_on_the_admin_page_pins_the_certificate(store: RowStore, tmp_path: Path) -> None:
    authority = Authority(tmp_path)
    server = authority.issue("localhost", server=True)
    config = csms.CentralSystemConfig(
        host="127.0.0.1", port=0, security_profile=3, certfile=str(server.cert), keyfile=str(server.key),
        cafile=str(authority.files.cert),
    )  # fmt: skip
    central = csms.CentralSystem(config, store)
    admin = AdminData(store)
    admin.attach(central, "accept")
    await central.load()
    await admin.load()
    await central.start()
    try:
        first = authority.issue("CP-PIN")
        first_context = authority.client_context(first)
        der = ssl.PEM_cert_to_DER_cert(first.cert.read_text())
        second_context = authority.client_context(authority.issue("CP-PIN"))  # the same CA and CN, another key
        url = f"wss://localhost:{central.port}"
        await admin.notes.save("CP-PIN", ChargerNotes(None, hashlib.sha256(der).hexdigest()))
        with pytest.raises(InvalidStatus) as refused:
            await websockets.connect(f"{url}/CP-PIN", subprotocols=["ocpp1.6"], ssl=second_context)  # type: ignore[list-item]
        assert refused.value.response.status_code == 403
        ws = await websockets.connect(f"{url}/CP-PIN", subprotocols=["ocpp1.6"], ssl=first_context)  # type: ignore[list-item]
        charger = RawCharger(ws)
        assert (await charger.call("BootNotification", BOOT))[2]["status"] == "Accepted"
        await charger.close()
        # the pin removed on the page: any certificate of the CA naming the charger again
        await admin.notes.save("CP-PIN", ChargerNotes())
        again = await websockets.connect(f"{url}/CP-PIN", subprotocols=["ocpp1.6"], ssl=second_context)  # type: ignore[list-item]
        await again.close()
    finally:
        await central.stop()
        await admin.close()
