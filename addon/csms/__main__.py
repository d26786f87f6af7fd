"""Run the central system alone: `python -m csms --port 9000` (from custom_components/ocpp_core/)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

from .central import CentralSystem
from .config import CentralSystemConfig, CentralSystemOptions
from .model.events import Event
from .rpc.loglimit import LogLimiter

_LOGGER = logging.getLogger("csms")
# the event log: a busy charger's meter values pass; a flood of one kind of event does not fill the disk
EVENT_LINES_PER_MINUTE = 120


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m csms",
        description="OCPP central system (in-memory, accepts any charger). Id tags are managed by Home Assistant "
        "(Options → Id tags, or the add_tag service); run alone, the tag book is empty.",
    )
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--heartbeat-interval", type=int, default=300)
    parser.add_argument(
        "--strict", action="store_true", help="reject every schema break (default: tolerate small ones)"
    )
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument(
        "--max-message-rate",
        type=float,
        default=CentralSystemConfig().max_message_rate,
        help="messages per second a charger may send on average before it is closed, in bursts of 4 s of it "
        "(0: no limit, for load tests); raise it for chargers replaying much more than 5,000 messages",
    )
    parser.add_argument(
        "--max-stations",
        type=int,
        default=CentralSystemConfig().max_stations,
        help="chargers known at most; a new id beyond it is refused (HTTP 503)",
    )
    parser.add_argument(
        "--security-profile", type=int, choices=(0, 1, 2, 3), default=0, help="1 HTTP Basic, 2 TLS + Basic, 3 mTLS"
    )
    parser.add_argument("--certfile", help="profiles 2, 3: the server certificate (chain), PEM")
    parser.add_argument("--keyfile", help="profiles 2, 3: its private key, PEM")
    parser.add_argument("--cafile", help="profile 3: the CA of the chargers' client certificates, PEM")
    parser.add_argument(
        "--refuse-unknown-tags",
        action="store_true",
        help="answer Invalid to every id tag not in the tag book (default: accept them); the tag book is kept by "
        "Home Assistant, so run alone this refuses every tag but 2.x NoAuthorization",
    )
    return parser.parse_args(argv)


def build_central(args: argparse.Namespace) -> CentralSystem:
    """The central system the command line describes (not started)."""
    central = CentralSystem(
        CentralSystemConfig(
            host=args.host,
            port=args.port,
            security_profile=args.security_profile,
            certfile=args.certfile,
            keyfile=args.keyfile,
            cafile=args.cafile,
            max_stations=args.max_stations,
        )
    )
    central.apply_options(
        CentralSystemOptions(
            heartbeat_interval=args.heartbeat_interval,
            lenient=not args.strict,
            max_message_rate=args.max_message_rate,
            accept_unknown_tags=not args.refuse_unknown_tags,
        )
    )
    return central


async def start_central(args: argparse.Namespace) -> CentralSystem:
    """Build, load, set the password for chargers, and only then listen: no charger is refused (or let in)
    for a password not set yet."""
    central = build_central(args)
    log = logging.getLogger("csms.events")
    logs = LogLimiter(lines=EVENT_LINES_PER_MINUTE)

    def _log_event(event: Event) -> None:
        logs.log(
            log,
            logging.INFO,
            event.station_id,
            "%s %s%s %s",
            event.type,
            event.station_id,
            f"/{event.connector_id}" if event.connector_id else "",
            event.data or "",
            key=event.type,
        )

    if log.isEnabledFor(logging.INFO):  # formatting every event costs more than handling it
        central.events.subscribe(_log_event)
    await central.load()
    # profiles 1 and 2 with the in-memory store: every charger logs in with this one (kept out of `ps`)
    new_charger_password = os.environ.get("OCPP_CHARGER_PASSWORD")
    if new_charger_password:
        await central.credentials.set_new_charger_password(new_charger_password)
    _LOGGER.warning(
        "Running alone, this central system keeps everything in memory: sessions, id tags, chargers and their "
        "passwords are forgotten when it stops. For a durable store use the Home Assistant integration or the add-on"
    )
    await central.start()
    return central


async def _run(args: argparse.Namespace) -> None:
    central = await start_central(args)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await central.stop()


def main() -> None:
    args = parse_args()
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stdout
    )
    asyncio.run(_run(args))


if __name__ == "__main__":
    main()
