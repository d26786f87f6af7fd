"""The add-on's app on sys.path (as in the container: `addon/` on PYTHONPATH)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parents[2] / "addon"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))

from ocpp_core_app.store import RowStore, SqliteStore, StoreError  # noqa: E402
from ocpp_core_app.store.postgres import PostgresStore  # noqa: E402

from .postgres_server import PostgresServer, running  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session's tests (skipped, with the reason, where it is not installed)."""
    # set up before the first test's function fixtures (tests/conftest.py's socket_enabled): its free port
    with contextlib.suppress(ImportError):
        from pytest_socket import enable_socket

        enable_socket()
    with running() as server:
        if isinstance(server, str):
            pytest.skip(server)
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[RowStore]:
    """A new, open store on each backend (a module may define its own `store` instead)."""
    if request.param == "sqlite":
        store: RowStore = SqliteStore(tmp_path / "ocpp_core.db", save_delay=0.05)
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        store = PostgresStore(server.new_database(), save_delay=0.05)
    await store.open()
    yield store
    with contextlib.suppress(StoreError):
        await store.close()
