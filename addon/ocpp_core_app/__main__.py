"""`python3 -m ocpp_core_app [options]`: the add-on's central system (see options.py for the flags)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

from .eventlog import setup_logging
from .health import healthy
from .options import parse
from .store import StoreError
from .store.snapshot import drop_snapshot, take_snapshot


def main() -> int:
    options = parse()
    if options.health:
        return 0 if healthy(options.ocpp_port) else 1
    if options.snapshot or options.drop_snapshot:
        if options.database_url is not None:
            return 0  # PostgreSQL: nothing of the database is in the data dir (the server has its own backups)
        try:
            if options.snapshot:
                take_snapshot(options.database_path)
            else:
                drop_snapshot(options.database_path)
        except (StoreError, OSError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        return 0
    setup_logging(options.log_level)
    # aiohttp takes aiodns for its DNS lookups when it is installed: the add-on's image has not got it, a venv may
    # (Home Assistant's); the app looks up one host (Home Assistant's, for the web UI's sign-in by HA roles), and
    # pycares' C library took 1.1 MiB of the idle app's memory (issue 15)
    sys.modules.setdefault("aiodns", None)  # type: ignore[arg-type]
    from .app import DISCOVERY_HOST_ENV, run  # after the logging setup: csms is imported here

    return asyncio.run(run(options, os.environ.get(DISCOVERY_HOST_ENV) or socket.gethostname()))


if __name__ == "__main__":
    sys.exit(main())
