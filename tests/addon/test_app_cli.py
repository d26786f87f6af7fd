"""The app as a process: bad options, --health, --snapshot, the API token, discovery, the log's volume."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from sim.charger16 import connect as connect16

from .app_process import free_port, run_app, start_app


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--ocpp-port", "0"], {}, "--ocpp-port: invalid port"),
        (["--ocpp-port", "nine"], {}, "--ocpp-port: invalid port"),
        (["--log-level", "loud"], {}, "--log-level: invalid choice"),
        (["--unknown-chargers", "maybe"], {}, "--unknown-chargers: invalid choice"),
        (["--security-profile", "2"], {}, "--security-profile 2 needs --certfile and --keyfile"),
        (["--security-profile", "1", "--certfile", "/nonexistent.pem"], {}, "--certfile: no file /nonexistent.pem"),
        (["--heartbeat-interval", "0"], {}, "--heartbeat-interval: invalid number of seconds"),
        (["--max-message-rate", "-1"], {}, "--max-message-rate: invalid messages per second"),
        # the same bound as the configuration schema, the API's /options and the integration's options flow
        (["--max-message-rate", "10001"], {}, "--max-message-rate: invalid messages per second (0-10000"),
        (["--event-retention-days", "0"], {}, "--event-retention-days: invalid number of days"),
        (["--limit-interval", "-1"], {}, "--limit-interval: invalid number of seconds (0-86400)"),
        (["--database-url", "postgresql://ocpp:pw@db"], {}, "(it needs a host and a database)"),
        # the password never shown
        (
            ["--database-url", "postgresql://ocpp:hunter2@db:five/x"],
            {},
            "'postgresql://ocpp:***@db:five/x' is no postgre",
        ),
        (["--database-url", "mysql://db"], {}, "is no sqlite:///PATH"),
        (["--api-token", "short"], {}, "--api-token: at least 16 characters"),
        (["--ocpp-port", "8099"], {}, "--ocpp-port and --ui-port must differ"),
        (["--web-port", "8099"], {}, "--web-port must differ from --ocpp-port and --ui-port"),
        (["--web-port", "0"], {}, "--web-port: invalid port"),
        (["--ingress-proxy", " , "], {}, "--ingress-proxy: at least one address"),
        ([], {"OCPP_CORE_OCPP_PORT": "70000"}, "OCPP_CORE_OCPP_PORT: invalid value '70000'"),
        ([], {"OCPP_CORE_STRICT": "perhaps"}, "OCPP_CORE_STRICT: invalid value 'perhaps'"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str], env: dict[str, str], message: str) -> None:
    result = run_app("--data-dir", str(tmp_path / "data"), *args, env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not (tmp_path / "data").exists()  # nothing started, nothing written


async def test_token_health_checkpoint(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    assert run_app("--health", "--ocpp-port", str(port)).returncode == 1  # nothing listens
    app = start_app(data, port=port)
    try:
        assert run_app("--health", "--ocpp-port", str(port)).returncode == 0
        cp, task, ws = await connect16(app.url, "cp")
        await cp.boot()
        await cp.start_transaction(1, "TAG-1")  # in the WAL, not yet in the database file
        assert (data / "ocpp_core.db-wal").stat().st_size > 0
        result = run_app("--snapshot", "--data-dir", str(data))
        assert result.returncode == 0, result.stderr
        # what a backup holds (the copy, one self-contained file) has the session
        copy = tmp_path / "backup.db"
        copy.write_bytes((data / "ocpp_core-backup.db").read_bytes())
        with contextlib.closing(sqlite3.connect(copy)) as db:
            assert db.execute("SELECT id_tag, open FROM transactions").fetchall() == [("TAG-1", 1)]
        assert run_app("--drop-snapshot", "--data-dir", str(data)).returncode == 0  # backup_post
        assert not (data / "ocpp_core-backup.db").exists()
        await ws.close()
        task.cancel()
    finally:
        assert app.stop() == 0
    # the token: generated and printed once, then kept
    first = app.output()
    token = (data / "api_token").read_text().strip()
    assert f"API token (generated, kept in {data / 'api_token'}): {token}" in first
    app = start_app(data, port=port)
    assert app.stop() == 0
    assert "API token" not in app.output() and (data / "api_token").read_text().strip() == token
    # a restored backup: the copy, without the live database (backup_exclude): the app starts from the copy
    for name in ("ocpp_core.db", "ocpp_core.db-wal", "ocpp_core.db-shm"):
        (data / name).unlink(missing_ok=True)
    (data / "ocpp_core-backup.db").write_bytes(copy.read_bytes())
    app = start_app(data, port=port)
    assert app.stop() == 0
    assert "restored from the backup's copy of the database" in app.output()
    with contextlib.closing(sqlite3.connect(data / "ocpp_core.db")) as db:
        assert db.execute("SELECT id_tag FROM transactions").fetchall() == [("TAG-1",)]
    assert not (data / "ocpp_core-backup.db").exists()
    result = run_app("--snapshot", "--data-dir", str(tmp_path / "nothing"))
    assert result.returncode == 1 and "no database there" in result.stderr
    # PostgreSQL: nothing of the database in the data dir to fold before a backup (the add-on's backup_pre
    # must not fail), and no server contacted (none listens there)
    url = f"postgresql://ocpp:pw@127.0.0.1:{free_port()}/ocpp"
    result = run_app("--snapshot", "--data-dir", str(tmp_path / "nothing"), "--database-url", url)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


async def test_discovery_to_the_supervisor(tmp_path: Path) -> None:
    """With SUPERVISOR_TOKEN set the app announces itself once it listens, to a stand-in for the Supervisor."""
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def discovery(request: web.Request) -> web.Response:
        received.append((request.headers.get("Authorization"), await request.json()))
        return web.json_response({"result": "ok", "data": {"uuid": "0123abcd"}})

    supervisor = web.Application()
    supervisor.router.add_post("/discovery", discovery)
    runner = web.AppRunner(supervisor)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    supervisor_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    env = {
        "SUPERVISOR_TOKEN": "supervisor-secret",
        "OCPP_CORE_SUPERVISOR_URL": f"http://127.0.0.1:{supervisor_port}",
        "OCPP_CORE_DISCOVERY_HOST": "local-ocpp-core",
    }
    token, ui_port = "t" * 32, free_port()
    try:
        app = start_app(tmp_path / "data", "--api-token", token, "--ui-port", str(ui_port), env=env)
        try:
            async with asyncio.timeout(20):
                while not received:
                    await asyncio.sleep(0.05)
        finally:
            assert app.stop() == 0
    finally:
        await runner.cleanup()
    assert received == [
        (
            "Bearer supervisor-secret",
            {
                "service": "ocpp_core",
                "config": {"host": "local-ocpp-core", "port": app.port, "api_port": ui_port, "api_token": token},
            },
        )
    ]
    assert "Announced to the Supervisor (discovery 0123abcd)" in app.output()


async def test_no_log_line_per_meter_value(tmp_path: Path) -> None:
    """At the default level: a line per connection, boot, session start and stop; none per meter value."""
    app = start_app(tmp_path / "data", "--max-message-rate", "0")
    try:
        cp, task, ws = await connect16(app.url, "busy")
        await cp.boot()
        tx_id = await cp.start_transaction(1, "TAG-1")
        for _ in range(200):
            await cp.send_meter_values(1, seconds=10)
        await cp.stop_transaction(1)
        await ws.close()
        task.cancel()
    finally:
        assert app.stop() == 0
    lines = app.output().splitlines()
    assert len(lines) < 20, "\n".join(lines)
    text = app.output()
    for expected in ("busy: connected", "busy: booted", f"busy/1: session {tx_id} started", f"session {tx_id} ended"):
        assert expected in text
    assert "MeterValues" not in text


def test_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_app("--data-dir", str(tmp_path / "data"), "--ocpp-port", str(port))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and f"Cannot listen on port {port}:" in errors[0], result.stderr


def test_web_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_app("--data-dir", str(tmp_path / "data"), "--ocpp-port", str(free_port()),
                         "--ui-port", str(free_port()), "--web-port", str(port))  # fmt: skip
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and f"or the web port {port}:" in errors[0], result.stderr
