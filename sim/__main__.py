"""`python -m sim` — a simulated 1.6J charger against a running central system."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .charger16 import run_forever


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sim", description="Simulated OCPP 1.6J charger")
    parser.add_argument("--url", default="ws://127.0.0.1:9000", help="central system URL, without the charger id")
    parser.add_argument("--id", default="sim-charger-1", help="charge point id")
    parser.add_argument("--connectors", type=int, default=1)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between meter values")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_forever(args.url, args.id, args.connectors, args.interval))


if __name__ == "__main__":
    main()
