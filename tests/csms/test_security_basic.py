"""Security profile 1: HTTP Basic before the WebSocket upgrade, on OCPP 1.6J, 2.0.1 and 2.1."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_core.csms import (
    CentralSystem,
    CentralSystemConfig,
    Event,
    EventType,
    MemoryPersistence,
    OcppVersion,
)
from sim import charger16, charger201
from sim.auth import ConnectOptions
from sim.core16 import ConfigKey

from .support.helpers import wait_for

PASSWORD = "correct-horse-battery"
VERSIONS = ["1.6", "2.0.1", "2.1"]


@pytest.fixture
def central_config() -> CentralSystemConfig:
    return CentralSystemConfig(host="127.0.0.1", port=0, call_timeout=5.0, security_profile=1)


async def _connect(url: str, cp_id: str, version: str, password: str | bytes | None) -> Any:
    """A simulated charger of `version`, connected with that password and booted; returns what closes it."""
    options = ConnectOptions(password=password)
    if version == "1.6":
        cp, _task, ws = await charger16.connect(url, cp_id, options=options)
        await cp.boot()
        return cp, ws.close
    station = await charger201.connect(url, cp_id, version, options=options)
    await station.boot()
    return station, station.close


async def _refused(url: str, cp_id: str, headers: dict[str, str] | None = None, version: str = "1.6") -> Any:
    """The HTTP response of a refused opening handshake (offering `version`)."""
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(
            f"{url}/{cp_id}",
            subprotocols=[f"ocpp{version}"],  # type: ignore[list-item]
            additional_headers=headers or {},
        )
    return refused.value.response


def _basic(user: str, password: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(user.encode() + b":" + password).decode()}


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_right_password_lets_the_charger_in(central: CentralSystem, url: str, version: str) -> None:
    await central.credentials.set_password("CP1", PASSWORD)
    _charger, close = await _connect(url, "CP1", version, PASSWORD)
    assert central.is_connected("CP1")
    assert central.stations["CP1"].registration_status == "Accepted"
    assert central.stations["CP1"].ocpp_version == OcppVersion(f"ocpp{version}")
    await close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_wrong_or_missing_credentials_get_401_with_a_challenge(
    central: CentralSystem, url: str, version: str, caplog: pytest.LogCaptureFixture
) -> None:
    await central.credentials.set_password("CP1", PASSWORD)
    seen: list[Event] = []
    central.events.subscribe(seen.append)
    caplog.set_level(logging.DEBUG)
    for headers in (
        {},
        _basic("CP1", b"guess-guess-guess"),
        _basic("OTHER", PASSWORD.encode()),
        {"Authorization": "Basic !!"},
    ):
        response = await _refused(url, "CP1", headers, version)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Basic realm="OCPP", charset="UTF-8"'
    assert not central.is_connected("CP1")
    failures = [e.data for e in seen if e.type is EventType.AUTHENTICATION]
    assert [f["reason"] for f in failures] == [
        "missing_credentials",
        "wrong_password",
        "wrong_user_name",
        "malformed_credentials",
    ]
    assert [f["failures"] for f in failures] == [1, 2, 3, 4]
    assert "Refused charger CP1 from 127.0.0.1: wrong password" in caplog.text
    # the charger then gets in: its failures are forgotten, and that is announced
    _charger, close = await _connect(url, "CP1", version, PASSWORD)
    assert seen[-1].type is not EventType.AUTHENTICATION or seen[-1].data["ok"]
    assert any(e.type is EventType.AUTHENTICATION and e.data["ok"] for e in seen)
    assert central.credentials.failures("CP1") == 0
    await close()
    # no secret in any log line of the server, not even websockets' own debug lines of the request headers
    server_log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("websockets.client"))
    token = base64.b64encode(f"CP1:{PASSWORD}".encode()).decode()
    assert "< Authorization: <redacted>" in server_log
    assert PASSWORD not in server_log
    assert token not in server_log
    assert "guess-guess-guess" not in server_log


@pytest.mark.parametrize("version", VERSIONS)
async def test_an_authorization_key_as_raw_bytes_or_hex_text(central: CentralSystem, url: str, version: str) -> None:
    """The 1.6 AuthorizationKey is set as hex; chargers send either the hex text or the raw bytes (not UTF-8)."""
    key = bytes.fromhex("a1b2c3d4e5f60718293a4b5c6d7e8f90ff00ee11")
    with pytest.raises(UnicodeDecodeError):
        key.decode()
    await central.credentials.set_password("CP1", key.hex())
    for presented in (key, key.hex().encode(), key.hex().upper().encode()):
        _charger, close = await _connect(url, "CP1", version, presented)
        assert central.is_connected("CP1")
        await close()
        await wait_for(lambda: not central.is_connected("CP1"))
    response = await _refused(url, "CP1", _basic("CP1", key[:-1] + b"\x00"))
    assert response.status_code == 401


async def test_a_text_password_also_as_the_hex_it_was_sent_as(central: CentralSystem, url: str) -> None:
    """A 1.6 charger given AuthorizationKey = hex(password) may send back that hex text."""
    await central.credentials.set_password("CP1", PASSWORD)
    _charger, close = await _connect(url, "CP1", "1.6", PASSWORD.encode().hex())
    assert central.is_connected("CP1")
    await close()


async def test_an_address_refused_too_often_gets_429_even_with_the_right_password(
    central_config: CentralSystemConfig, persistence: MemoryPersistence
) -> None:
    central_config.auth_failure_limit = 3
    central = CentralSystem(central_config, persistence)
    await central.start()
    try:
        url = f"ws://127.0.0.1:{central.port}"
        await central.credentials.set_password("CP1", PASSWORD)
        for _ in range(3):
            assert (await _refused(url, "CP1", _basic("CP1", b"wrong-wrong-wrong"))).status_code == 401
        response = await _refused(url, "CP1", _basic("CP1", PASSWORD.encode()))
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        # another charger from the same address too: it is the address that guessed
        assert (await _refused(url, "CP2")).status_code == 429
    finally:
        await central.stop()


async def test_missing_credentials_do_not_count_as_guesses(
    central_config: CentralSystemConfig, persistence: MemoryPersistence
) -> None:
    central_config.auth_failure_limit = 2
    central = CentralSystem(central_config, persistence)
    await central.start()
    try:
        url = f"ws://127.0.0.1:{central.port}"
        await central.credentials.set_password("CP1", PASSWORD)
        for _ in range(4):
            assert (await _refused(url, "CP1")).status_code == 401
        _charger, close = await _connect(url, "CP1", "1.6", PASSWORD)
        await close()
    finally:
        await central.stop()


@pytest.mark.parametrize("version", VERSIONS)
async def test_new_chargers_onboard_with_the_password_for_new_chargers(
    central: CentralSystem, url: str, version: str
) -> None:
    response = await _refused(url, "NEW1", _basic("NEW1", PASSWORD.encode()))
    assert response.status_code == 401  # no password of its own, none for new chargers
    await central.credentials.set_new_charger_password("welcome-new-chargers")
    assert (await _refused(url, "NEW1", _basic("NEW1", PASSWORD.encode()))).status_code == 401
    _charger, close = await _connect(url, "NEW1", version, "welcome-new-chargers")
    assert central.stations["NEW1"].registration_status == "Accepted"
    await close()
    # a charger with a password of its own does not get in with the one for new chargers
    await central.credentials.set_password("CP1", PASSWORD)
    assert (await _refused(url, "CP1", _basic("CP1", b"welcome-new-chargers"))).status_code == 401
    await central.credentials.set_new_charger_password(None)
    assert (await _refused(url, "NEW2", _basic("NEW2", b"welcome-new-chargers"))).status_code == 401


async def test_passwords_are_stored_hashed_and_survive_a_restart(
    central_config: CentralSystemConfig, persistence: MemoryPersistence
) -> None:
    first = CentralSystem(central_config, persistence)
    await first.start()
    await first.credentials.set_password("CP1", PASSWORD)
    await first.stop()
    saved = await persistence.async_load()
    assert saved is not None
    assert PASSWORD not in str(saved)
    assert PASSWORD.encode().hex() not in str(saved)
    assert saved["credentials"]["chargers"]["CP1"]["current"]["kdf"] == "scrypt"
    second = CentralSystem(central_config, persistence)
    await second.start()
    try:
        url = f"ws://127.0.0.1:{second.port}"
        _charger, close = await _connect(url, "CP1", "1.6", PASSWORD)
        await close()
        assert (await _refused(url, "CP1", _basic("CP1", b"not-the-password"))).status_code == 401
    finally:
        await second.stop()


async def test_profile_0_needs_no_password(persistence: MemoryPersistence) -> None:
    central = CentralSystem(CentralSystemConfig(host="127.0.0.1", port=0), persistence)
    await central.start()
    try:
        _charger, close = await _connect(f"ws://127.0.0.1:{central.port}", "CP1", "1.6", None)
        await close()
    finally:
        await central.stop()


def _authorization_key(cp: Any) -> Any:
    cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)
    return cp.sim.configuration["AuthorizationKey"]


def _server_log(caplog: pytest.LogCaptureFixture) -> str:
    """What the central system (and the websockets server under it) logged; not the simulated charger."""
    return "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("custom_components", "websockets.server"))
    )


async def test_pushing_a_password_to_a_16_charger(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """ChangeConfiguration AuthorizationKey (hex); the old password works until the charger used the new one."""
    caplog.set_level(logging.DEBUG)
    await central.credentials.set_password("CP1", PASSWORD)
    cp, close = await _connect(url, "CP1", "1.6", PASSWORD)
    entry = _authorization_key(cp)
    new = "a-brand-new-password-1"
    assert await central.credentials.set_password("CP1", new, push=True) == "Accepted"
    assert entry.value == new.encode().hex()
    # the frame ring never keeps the key
    frames = " ".join(text for _, _, text in central.recent_frames("CP1"))
    assert '"AuthorizationKey"' in frames
    assert new.encode().hex() not in frames
    # nor any log line, websockets' debug lines of the frames included
    assert "TEXT naming a secret, redacted" in _server_log(caplog)
    assert new.encode().hex()[-12:] not in _server_log(caplog)
    await close()
    await wait_for(lambda: not central.is_connected("CP1"))
    # the charger may still come back with the old one (it missed the change) …
    _cp, close = await _connect(url, "CP1", "1.6", PASSWORD)
    await close()
    await wait_for(lambda: not central.is_connected("CP1"))
    # … until it has used the new one (here as the hex text it was given)
    _cp, close = await _connect(url, "CP1", "1.6", new.encode().hex())
    await close()
    assert (await _refused(url, "CP1", _basic("CP1", PASSWORD.encode()))).status_code == 401


async def test_a_refused_push_changes_nothing(central: CentralSystem, url: str) -> None:
    await central.credentials.set_password("CP1", PASSWORD)
    _cp, close = await _connect(url, "CP1", "1.6", PASSWORD)
    # the simulated charger has no AuthorizationKey: NotSupported
    assert await central.credentials.set_password("CP1", "a-brand-new-password-1", push=True) == "NotSupported"
    await close()
    await wait_for(lambda: not central.is_connected("CP1"))
    assert (await _refused(url, "CP1", _basic("CP1", b"a-brand-new-password-1"))).status_code == 401
    _cp, close = await _connect(url, "CP1", "1.6", PASSWORD)
    await close()


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_pushing_a_password_to_a_2x_station(
    central: CentralSystem, url: str, caplog: pytest.LogCaptureFixture, version: str
) -> None:
    """SetVariables SecurityCtrlr.BasicAuthPassword; the frame ring keeps the variable, not the value."""
    caplog.set_level(logging.DEBUG)
    await central.credentials.set_password("CS1", PASSWORD)
    station, close = await _connect(url, "CS1", version, PASSWORD)
    new = "a-brand-new-password-2"
    assert await central.credentials.set_password("CS1", new, push=True) == "Accepted"
    assert station.sim.device_model.value("SecurityCtrlr", "BasicAuthPassword") == new
    frames = " ".join(text for _, _, text in central.recent_frames("CS1"))
    assert "BasicAuthPassword" in frames
    assert new not in frames
    assert new[-8:] not in _server_log(caplog)
    await close()
    station.connect_options = ConnectOptions(password=new)
    await station.open()
    await station.boot()
    assert central.is_connected("CS1")
    assert central.stations["CS1"].ocpp_version == OcppVersion(f"ocpp{version}")
    await station.close()


async def test_a_password_sent_to_a_charger_must_fit_ocpp(central: CentralSystem) -> None:
    from custom_components.ocpp_core.csms.features.credentials import InvalidPassword

    with pytest.raises(InvalidPassword):
        await central.credentials.set_password("CP1", "short", push=True)
    with pytest.raises(InvalidPassword):
        await central.credentials.set_password("CP1", " padded ")
    assert not central.credentials.has_password("CP1")
