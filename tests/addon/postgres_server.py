"""A throwaway PostgreSQL server for the store's tests: Debian's binaries (apt-get install postgresql), a cluster
in a temporary folder on 127.0.0.1 and a free port, run as the `postgres` OS user when the tests run as root
(PostgreSQL refuses to run as root); each test gets a database of its own."""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

from .app_process import free_port

PASSWORD = "s3cret-for-tests"
_numbers = itertools.count()


def binaries() -> Path | None:
    """The newest installed version's bin folder (initdb, pg_ctl), if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


class PostgresServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="ocpp-pg-"))
        self.data = self.root / "data"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self._as_user, *args], capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}):\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        password_file = self.root / "password"
        password_file.write_text(PASSWORD)
        if self._as_user:
            shutil.chown(password_file, "postgres")
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "scram-sha-256",
                  f"--pwfile={password_file}", "-E", "UTF8", "--no-sync")  # fmt: skip
        # fsync off: the tests kill the app, never the server (a server crash is not what they test)
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")  # fmt: skip

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url(), autocommit=True)

    def new_database(self) -> str:
        """A fresh, empty database's URL."""
        name = f"test_{os.getpid()}_{next(_numbers)}"
        with self.admin() as db:
            db.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]  # a name of our own
        return self.url(name)


@contextlib.contextmanager
def running() -> Iterator[PostgresServer | str]:
    """A started server, or why there is none (the reason to skip)."""
    bin_dir = binaries()
    if bin_dir is None:
        yield "PostgreSQL's binaries are not installed (/usr/lib/postgresql/<version>/bin; apt-get install postgresql)"
        return
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
