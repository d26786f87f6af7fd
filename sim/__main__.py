"""`python -m sim` — a simulated charger (OCPP 1.6J, 2.0.1 or 2.1) against a running central system."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import ssl
import sys
from collections.abc import Sequence

from websockets.exceptions import InvalidStatus

from . import charger16, charger201
from .auth import ConnectOptions

PASSWORD_ENV = "OCPP_CHARGER_PASSWORD"
DEFAULT_IDS = {"1.6": "sim-charger-1", "2.0.1": "sim-station-201", "2.1": "sim-station-21"}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sim",
        description="Simulated OCPP charger. Security profiles: 1 --password; 2 a wss:// URL, --password and "
        "--cafile (the CA of the central system's certificate); 3 a wss:// URL, --cafile, --certfile and --keyfile "
        "(a client certificate whose common name is --id).",
    )
    parser.add_argument("--url", default="ws://127.0.0.1:9000", help="central system URL, without the charger id")
    parser.add_argument(
        "--id",
        help="charge point id (default: one per version, so they can run side by side: "
        + ", ".join(f"{v}: {i}" for v, i in DEFAULT_IDS.items())
        + ")",
    )
    parser.add_argument("--version", choices=["1.6", "2.0.1", "2.1"], default="1.6", help="OCPP version")
    parser.add_argument("--connectors", type=int, default=1, help="connectors (1.6) or EVSEs (2.x)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between meter values")
    parser.add_argument(
        "--password",
        default=os.environ.get(PASSWORD_ENV),
        help=f"profiles 1 and 2: the HTTP Basic password (default: ${PASSWORD_ENV}, which keeps it out of `ps`)",
    )
    parser.add_argument("--cafile", help="wss://: the CA certificate to trust, PEM (default: the system's CAs)")
    parser.add_argument("--certfile", help="profile 3: the charger's client certificate, PEM")
    parser.add_argument("--keyfile", help="profile 3: its private key, PEM (default: in --certfile)")
    args = parser.parse_args(argv)
    args.id = args.id or DEFAULT_IDS[args.version]
    secure = args.url.startswith("wss://")
    if not secure and (args.cafile or args.certfile or args.keyfile):
        parser.error("--cafile, --certfile and --keyfile need a wss:// URL")
    if args.keyfile and not args.certfile:
        parser.error("--keyfile needs --certfile")
    return args


def connect_options(args: argparse.Namespace) -> ConnectOptions:
    """The password and TLS context the command line asks for (reads the certificate files)."""
    context = None
    if args.url.startswith("wss://"):
        context = ssl.create_default_context(cafile=args.cafile)
        if args.certfile:
            context.load_cert_chain(args.certfile, args.keyfile)
    return ConnectOptions(password=args.password or None, ssl=context)


def main() -> None:
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options = connect_options(args)
    with contextlib.suppress(KeyboardInterrupt):
        try:
            if args.version == "1.6":
                asyncio.run(charger16.run_forever(args.url, args.id, args.connectors, args.interval, options))
            else:
                asyncio.run(
                    charger201.run_forever(args.url, args.id, args.version, args.connectors, args.interval, options)
                )
        except InvalidStatus as err:
            status = err.response.status_code
            sys.exit(f"The central system refused {args.id}: HTTP {status} {err.response.reason_phrase}")


if __name__ == "__main__":
    main()
