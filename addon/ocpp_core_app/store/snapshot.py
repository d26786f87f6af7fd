"""The consistent copy of the SQLite database a hot backup holds (backup_pre / backup_post), and its restore.

The Supervisor copies /data while the app writes: a copy of the live database file and its write-ahead log
taken file by file can be torn (a checkpoint racing the copy).  So the backup leaves those out
(config.yaml's backup_exclude) and holds a snapshot instead: SQLite's online backup API copies every page in
one read transaction, so whatever the app writes or checkpoints meanwhile, the copy is one committed state;
it is checked, then put in place with one rename.  After the backup it is removed again (backup_post): only
a restored backup has it, and the app starts from it when the database itself is not there.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
from pathlib import Path

from .errors import StoreError

_LOGGER = logging.getLogger(__name__)

SNAPSHOT_NAME = "ocpp_core-backup.db"
# how long the copy waits for the app's write transaction to end (ms; the app commits in milliseconds)
_BUSY_TIMEOUT_S = 30


def snapshot_path(database: Path) -> Path:
    return database.with_name(SNAPSHOT_NAME)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def take_snapshot(database: Path) -> Path:
    """Write the database's consistent copy beside it (replacing the one before atomically); its path."""
    if not database.is_file():
        raise StoreError(f"{database}: no database there")
    target = snapshot_path(database)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            contextlib.closing(sqlite3.connect(database, timeout=_BUSY_TIMEOUT_S)) as source,
            contextlib.closing(sqlite3.connect(partial, isolation_level=None)) as copy,
        ):
            source.backup(copy)  # pages=-1: every page in one step, one read transaction
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise StoreError(f"{database}: the copy does not check out ({check})")
        _fsync(partial)
        partial.replace(target)
        _fsync(target.parent)
    except sqlite3.Error as err:
        partial.unlink(missing_ok=True)
        raise StoreError(f"{database}: cannot copy the database for the backup ({err})") from err
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def drop_snapshot(database: Path) -> None:
    """After the backup: the copy is in the backup, not needed in the data dir."""
    snapshot_path(database).unlink(missing_ok=True)


def restore_if_missing(database: Path) -> bool:
    """(at start) No database but a backup's snapshot (a restored backup): start from the snapshot."""
    snapshot = snapshot_path(database)
    if database.exists() or not snapshot.is_file():
        return False
    for suffix in ("-wal", "-shm"):  # a log of another database must not be applied to this one
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    partial = database.with_name(database.name + ".partial")
    shutil.copyfile(snapshot, partial)
    _fsync(partial)
    partial.replace(database)
    snapshot.unlink()
    _LOGGER.warning("%s: restored from the backup's copy of the database", database)
    return True
