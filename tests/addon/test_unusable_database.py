"""A database the app cannot use: one clear line in the log, exit code 1, the file left as it was."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .app_process import free_port, run_app
from .postgres_server import PASSWORD, PostgresServer


def start_and_fail(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_app("--data-dir", str(data), "--ocpp-port", str(free_port()), "--ui-port", str(free_port()), *args)
    assert result.returncode == 1, result.stdout + result.stderr
    return result


def one_error(result: subprocess.CompletedProcess[str]) -> str:
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_postgres_unreachable(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    error = one_error(
        start_and_fail(tmp_path / "data", "--database-url", f"postgresql://ocpp:hunter2@127.0.0.1:{port}/x")
    )
    assert f"postgresql://ocpp:***@127.0.0.1:{port}/x: cannot connect (connection failed: " in error, error
    assert error.endswith("is the server running and reachable?)") and "hunter2" not in error


@pytest.mark.parametrize(
    ("user", "database", "message"),
    [
        (
            "postgres:wrong",
            "postgres",
            'password authentication failed for user "postgres": check the user and password',
        ),
        (f"postgres:{PASSWORD}", "nonexistent", '"nonexistent" does not exist: create the database first'),
    ],
)
def test_postgres_refuses(
    tmp_path: Path, postgres_server: PostgresServer, user: str, database: str, message: str
) -> None:
    url = f"postgresql://{user}@127.0.0.1:{postgres_server.port}/{database}"
    error = one_error(start_and_fail(tmp_path / "data", "--database-url", url))
    assert message in error and PASSWORD not in error, error


def test_corrupt_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    database = data / "ocpp_core.db"
    database.write_bytes(b"\x00garbage, no SQLite header" * 64)
    result = start_and_fail(data)
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1, result.stderr
    assert (
        f"{database}: cannot use the database (file is not a database: the file is damaged; move it away" in errors[0]
    )
    assert database.read_bytes().startswith(b"\x00garbage")


def test_damaged_pages(tmp_path: Path) -> None:
    """A real database whose pages were overwritten (a bad sector, a torn copy): quick_check at the start."""
    data = tmp_path / "data"
    data.mkdir()
    database = data / "ocpp_core.db"
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.execute("CREATE TABLE t (x TEXT)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
        db.commit()
    raw = bytearray(database.read_bytes())
    raw[4096 * 2 : 4096 * 2 + 200] = b"\xff" * 200
    database.write_bytes(bytes(raw))
    result = start_and_fail(data)
    assert "cannot use the database (" in result.stderr and "malformed" in result.stderr, result.stderr


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Not writable, also for root (as the tests may run): the immutable attribute there."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield
        path.chmod(0o644)
        return
    if subprocess.run(["chattr", "+i", str(path)], check=False, capture_output=True).returncode != 0:
        pytest.skip("running as root where chattr +i is not supported: no file is read-only for root")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    database = data / "ocpp_core.db"
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA user_version = 0")
        db.execute("CREATE TABLE unrelated (x)")
        db.commit()
    before = database.read_bytes()
    with read_only(database):
        result = start_and_fail(data)
    assert (
        f"{database}: cannot use the database (attempt to write a readonly database: the file or its folder is not writable"
        in result.stderr
    ), result.stderr
    assert database.read_bytes() == before
