"""OCPP 2.0.1 / 2.1 Authorize: every idToken type, additional info, group tokens and cache expiry in the
answer, and ISO 15118 contract certificates answered without a PKI."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.ocpp_core.csms import CentralSystem, Event, EventType
from custom_components.ocpp_core.csms.state.authorization import TokenDecision, id_token_info_v2
from custom_components.ocpp_core.csms.state.tags import TagRecord
from sim.charger201 import ocsp_data

from .support.helpers_v201 import VERSIONS, booted

TOKEN_TYPES = ["Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "NoAuthorization"]
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"


def _authorized(central: CentralSystem) -> list[Event]:
    events: list[Event] = []
    central.events.subscribe(lambda e: events.append(e) if e.type is EventType.AUTHORIZE else None)
    return events


@pytest.mark.parametrize("version", VERSIONS)
async def test_every_token_type_is_accepted(central: CentralSystem, url: str, version: str) -> None:
    events = _authorized(central)
    cp = await booted(central, url, "tokens", version)
    for token_type in TOKEN_TYPES:
        answer = await cp.authorize(f"TOK-{token_type}", token_type)
        assert answer.id_token_info == {"status": "Accepted"}
        assert answer.certificate_status is None
    assert [(e.data["id_tag"], e.data["id_token_type"], e.data["status"]) for e in events] == [
        (f"TOK-{t}", t, "Accepted") for t in TOKEN_TYPES
    ]
    info = [{"additional_id_token": "0123456789", "type": "ContractID"}]
    await cp.authorize("WITH-INFO", "ISO14443", additional_info=info)
    assert events[-1].data["additional_info"] == [{"additionalIdToken": "0123456789", "type": "ContractID"}]
    await cp.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_contract_certificates_without_pki(central: CentralSystem, url: str, version: str) -> None:
    events = _authorized(central)
    cp = await booted(central, url, "pnc", version)
    hashed = await cp.authorize("EMAID0000000001", "eMAID", hash_data=[ocsp_data("1A")])
    assert hashed.certificate_status == "NoCertificateAvailable"
    assert hashed.id_token_info == {"status": "Accepted"}  # the token itself: unknown tokens are accepted by default
    whole = await cp.authorize("EMAID0000000002", "eMAID", certificate=PEM)
    assert whole.certificate_status == "NoCertificateAvailable"
    assert [e.data.get("certificate_status") for e in events] == ["NoCertificateAvailable", "NoCertificateAvailable"]
    await cp.close()


async def test_group_token_and_cache_expiry_reach_the_station(central: CentralSystem, url: str) -> None:
    """A tag's parent id and expiry date are answered in the 2.x form, in Authorize and TransactionEvent."""
    expiry = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    central.tags.add(TagRecord("MEMBER", parent_id="FLEET-1", expiry=expiry))
    cp = await booted(central, url, "group")
    answer = await cp.authorize("MEMBER", "ISO15693")
    expected = {
        "status": "Accepted",
        "cache_expiry_date_time": "2030-01-02T03:04:05.000Z",
        "group_id_token": {"id_token": "FLEET-1", "type": "Central"},
    }
    assert answer.id_token_info == expected
    await cp.start_transaction(1, "MEMBER", "ISO15693")
    assert cp.event_answers[-1].id_token_info == expected
    await cp.close()


def test_id_token_info_rendering() -> None:
    assert id_token_info_v2(TokenDecision()) == {"status": "Accepted"}
    assert id_token_info_v2(TokenDecision("Blocked", group_id_token="G", group_id_token_type="Local")) == {
        "status": "Blocked",
        "groupIdToken": {"idToken": "G", "type": "Local"},
    }


async def test_21_token_types_are_free_text(central: CentralSystem, url: str) -> None:
    cp = await booted(central, url, "free21", "2.1")
    answer = await cp.authorize("ABC", "DirectPayment")
    assert answer.id_token_info == {"status": "Accepted"}
    await cp.close()
