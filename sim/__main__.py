"""`python -m sim` — a simulated charger (OCPP 1.6J, 2.0.1 or 2.1) against a running central system."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from . import charger16, charger201


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sim", description="Simulated OCPP charger")
    parser.add_argument("--url", default="ws://127.0.0.1:9000", help="central system URL, without the charger id")
    parser.add_argument("--id", default="sim-charger-1", help="charge point id")
    parser.add_argument("--version", choices=["1.6", "2.0.1", "2.1"], default="1.6", help="OCPP version")
    parser.add_argument("--connectors", type=int, default=1, help="connectors (1.6) or EVSEs (2.x)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between meter values")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        if args.version == "1.6":
            asyncio.run(charger16.run_forever(args.url, args.id, args.connectors, args.interval))
        else:
            asyncio.run(charger201.run_forever(args.url, args.id, args.version, args.connectors, args.interval))


if __name__ == "__main__":
    main()
