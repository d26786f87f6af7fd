"""Security profiles 2 (TLS + HTTP Basic) and 3 (mutual TLS, CN = charge point id), with real certificates."""

from __future__ import annotations

import asyncio
import hashlib
import os
import ssl
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence, OcppVersion
from custom_components.ocpp_core.csms.transport.tls import TlsSetupError
from sim import __main__ as sim_main
from sim import charger16, charger201
from sim.auth import ConnectOptions

from .support.certs import Authority
from .support.helpers import wait_for

PASSWORD = "correct-horse-battery"
VERSIONS = ["1.6", "2.0.1", "2.1"]


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    return Authority(tmp_path)


async def _started(config: CentralSystemConfig) -> CentralSystem:
    central = CentralSystem(config, MemoryPersistence())
    await central.start()
    return central


@pytest.fixture
async def profile2(authority: Authority, tmp_path: Path) -> AsyncIterator[CentralSystem]:
    """Like Home Assistant's /ssl/fullchain.pem and privkey.pem: the chain in one file, the key in another."""
    server = authority.issue("localhost", server=True)
    fullchain = tmp_path / "fullchain.pem"
    fullchain.write_bytes(server.cert.read_bytes() + authority.files.cert.read_bytes())
    config = CentralSystemConfig(
        host="127.0.0.1", port=0, security_profile=2, certfile=str(fullchain), keyfile=str(server.key)
    )
    central = await _started(config)
    await central.credentials.set_password("CP1", PASSWORD)
    yield central
    await central.stop()


@pytest.fixture
async def profile3(authority: Authority) -> AsyncIterator[CentralSystem]:
    server = authority.issue("localhost", server=True)
    config = CentralSystemConfig(
        host="127.0.0.1",
        port=0,
        security_profile=3,
        certfile=str(server.cert),
        keyfile=str(server.key),
        cafile=str(authority.files.cert),
    )
    central = await _started(config)
    yield central
    await central.stop()


async def _session(url: str, cp_id: str, version: str, options: ConnectOptions) -> Any:
    """Connect a simulated charger, boot it, and return what closes it."""
    if version == "1.6":
        cp, _task, ws = await charger16.connect(url, cp_id, options=options)
        await cp.boot()
        return ws.close
    station = await charger201.connect(url, cp_id, version, options=options)
    await station.boot()
    return station.close


@pytest.mark.parametrize("version", VERSIONS)
async def test_profile_2_tls_and_basic(profile2: CentralSystem, authority: Authority, version: str) -> None:
    url = f"wss://localhost:{profile2.port}"
    close = await _session(url, "CP1", version, ConnectOptions(password=PASSWORD, ssl=authority.client_context()))
    assert profile2.is_connected("CP1")
    assert profile2.stations["CP1"].registration_status == "Accepted"
    assert profile2.stations["CP1"].ocpp_version == OcppVersion(f"ocpp{version}")
    await close()
    # TLS alone is not enough: the password is still checked
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(f"{url}/CP1", ssl=authority.client_context())
    assert refused.value.response.status_code == 401


async def test_profile_2_refuses_plain_websockets(profile2: CentralSystem) -> None:
    with pytest.raises((websockets.exceptions.InvalidMessage, ConnectionError, EOFError)):
        await websockets.connect(f"ws://127.0.0.1:{profile2.port}/CP1", open_timeout=5)


async def test_profile_2_a_charger_that_does_not_trust_the_server_fails(
    profile2: CentralSystem, tmp_path: Path
) -> None:
    (tmp_path / "other").mkdir()
    stranger = Authority(tmp_path / "other", "Other CA")
    with pytest.raises(ssl.SSLCertVerificationError):
        await websockets.connect(f"wss://localhost:{profile2.port}/CP1", ssl=stranger.client_context())


@pytest.mark.parametrize("version", VERSIONS)
async def test_profile_3_client_certificate_naming_the_charger(
    profile3: CentralSystem, authority: Authority, version: str
) -> None:
    context = authority.client_context(authority.issue("CP7"))
    close = await _session(f"wss://localhost:{profile3.port}", "CP7", version, ConnectOptions(ssl=context))
    assert profile3.is_connected("CP7")
    assert profile3.stations["CP7"].ocpp_version == OcppVersion(f"ocpp{version}")
    await close()


async def test_profile_3_a_certificate_of_another_charger_gets_403(
    profile3: CentralSystem, authority: Authority
) -> None:
    seen: list[str] = []
    profile3.events.subscribe(lambda e: seen.append(e.data.get("reason", "")))
    context = authority.client_context(authority.issue("CP8"))
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(f"wss://localhost:{profile3.port}/CP7", ssl=context)
    assert refused.value.response.status_code == 403
    assert "certificate_mismatch" in seen
    assert not profile3.is_connected("CP7")


@pytest.mark.parametrize("stranger", [False, True], ids=["no certificate", "another CA"])
async def test_profile_3_without_a_trusted_certificate_the_handshake_fails(
    profile3: CentralSystem, authority: Authority, tmp_path: Path, stranger: bool
) -> None:
    context = authority.client_context()
    if stranger:
        (tmp_path / "other").mkdir()
        other = Authority(tmp_path / "other", "Other CA")
        issued = other.issue("CP7")
        context.load_cert_chain(issued.cert, issued.key)
    with pytest.raises((ssl.SSLError, ConnectionError, EOFError, websockets.exceptions.InvalidMessage)):
        async with websockets.connect(f"wss://localhost:{profile3.port}/CP7", ssl=context, open_timeout=5) as ws:
            await ws.recv()  # TLS 1.3: the server's verdict on the certificate arrives after the handshake
    assert not profile3.is_connected("CP7")


async def test_unusable_certificate_files_fail_start_clearly(authority: Authority, tmp_path: Path) -> None:
    server = authority.issue("localhost", server=True)
    missing = CentralSystemConfig(host="127.0.0.1", port=0, security_profile=2, certfile=str(tmp_path / "nope.pem"))
    with pytest.raises(TlsSetupError, match="not found"):
        await CentralSystem(missing, MemoryPersistence()).start()
    wrong_key = CentralSystemConfig(
        host="127.0.0.1",
        port=0,
        security_profile=2,
        certfile=str(server.cert),
        keyfile=str(authority.files.key),
    )
    with pytest.raises(TlsSetupError, match="do not load"):
        await CentralSystem(wrong_key, MemoryPersistence()).start()
    no_ca = CentralSystemConfig(
        host="127.0.0.1", port=0, security_profile=3, certfile=str(server.cert), keyfile=str(server.key)
    )
    with pytest.raises(ValueError, match="CA"):
        await CentralSystem(no_ca, MemoryPersistence()).start()


# ---- `python -m sim` with a password and certificates (the README's walkthrough) ----------------------------


async def test_sim_command_line_profile_3_options(profile3: CentralSystem, authority: Authority) -> None:
    """--cafile, --certfile and --keyfile give the charger the TLS context profile 3 needs."""
    issued = authority.issue("CP9")
    url = f"wss://localhost:{profile3.port}"
    tls = ["--cafile", str(authority.files.cert), "--certfile", str(issued.cert), "--keyfile", str(issued.key)]
    args = sim_main.parse_args(["--url", url, "--id", "CP9", "--version", "2.1", *tls])
    close = await _session(url, "CP9", "2.1", sim_main.connect_options(args))
    assert profile3.is_connected("CP9")
    await close()


def test_sim_command_line_refuses_certificates_without_wss() -> None:
    with pytest.raises(SystemExit):
        sim_main.parse_args(["--url", "ws://localhost:9000", "--cafile", "ca.pem"])
    with pytest.raises(SystemExit):
        sim_main.parse_args(["--url", "wss://localhost:9000", "--keyfile", "key.pem"])


async def _sim_process(url: str, cp_id: str, cafile: Path, password: str) -> asyncio.subprocess.Process:
    """`python -m sim` as a user runs it, the password in the environment (kept out of `ps`)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sim",
        "--url",
        url,
        "--id",
        cp_id,
        "--cafile",
        str(cafile),
        env={**os.environ, sim_main.PASSWORD_ENV: password},
        cwd=str(Path(sim_main.__file__).parents[1]),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_sim_command_line_profile_2_connects_and_a_wrong_password_is_told(
    profile2: CentralSystem, authority: Authority
) -> None:
    url = f"wss://localhost:{profile2.port}"
    process = await _sim_process(url, "CP1", authority.files.cert, PASSWORD)
    try:
        await wait_for(lambda: profile2.is_connected("CP1"), timeout=30)
    finally:
        process.terminate()
        await process.wait()
    refused = await _sim_process(url, "CP1", authority.files.cert, "not-the-password")
    _out, err = await asyncio.wait_for(refused.communicate(), timeout=30)
    assert refused.returncode == 1
    assert "The central system refused CP1: HTTP 401 Unauthorized" in err.decode()


async def test_profile_3_a_pinned_thumbprint_must_match(profile3: CentralSystem, authority: Authority) -> None:
    """Beyond the CA and the CN: a charger whose certificate is pinned (SHA-256 or SHA-1 thumbprint, any case,
    with colons) gets in with that certificate only; another one the same CA issued for it gets 403."""
    issued = authority.issue("CP9")
    der = ssl.PEM_cert_to_DER_cert(issued.cert.read_text())
    pinned_context = authority.client_context(issued)
    other = authority.issue("CP9")  # (written over the first one's files: its context is made already)
    sha256 = ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
    pins = {"CP9": sha256}
    profile3.config.certificate_pin = pins.get
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(f"wss://localhost:{profile3.port}/CP9", ssl=authority.client_context(other))
    assert refused.value.response.status_code == 403
    close = await _session(f"wss://localhost:{profile3.port}", "CP9", "1.6", ConnectOptions(ssl=pinned_context))
    assert profile3.is_connected("CP9")
    await close()
    await wait_for(lambda: not profile3.is_connected("CP9"))
    pins["CP9"] = hashlib.sha1(der).hexdigest()
    close = await _session(f"wss://localhost:{profile3.port}", "CP9", "2.0.1", ConnectOptions(ssl=pinned_context))
    assert profile3.is_connected("CP9")
    await close()
