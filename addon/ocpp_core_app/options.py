"""The app's options: command-line flags, each also an environment variable OCPP_CORE_<NAME>.

The add-on's run script turns /data/options.json into these flags; scripts/addon passes its own.
A bad option is one clear line on stderr and exit code 2, before anything starts.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

ENV_PREFIX = "OCPP_CORE_"
LOG_LEVELS = ("debug", "info", "warning", "error")
UNKNOWN_CHARGERS = ("accept", "reject", "ask")
UNKNOWN_TAGS = ("accept", "reject")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True, slots=True)
class AppOptions:
    data_dir: Path
    ocpp_port: int
    ui_port: int
    api_token: str | None
    log_level: str
    security_profile: int
    certfile: Path | None
    keyfile: Path | None
    cafile: Path | None
    unknown_chargers: str
    unknown_tags: str
    strict: bool
    heartbeat_interval: int
    meter_interval: int | None
    max_message_rate: float
    max_stations: int
    database_path: Path
    # a PostgreSQL server's URL (None: SQLite, in database_path)
    database_url: str | None
    health: bool
    snapshot: bool
    drop_snapshot: bool
    # card payments of remote starts (None: off); where Stripe's API is (the tests' local one), where the
    # driver lands after paying, how often a checkout is polled
    stripe_secret_key: str | None = None
    stripe_api_base: str = "https://api.stripe.com"
    payment_return_url: str = "https://stripe.com"
    payment_poll_interval: float = 3.0
    # the event journal (the API's resumable stream) keeps the events of this many days, at most this many
    event_retention_days: float = 7.0
    event_retention_count: int = 100_000
    # the web UI on a port of its own, with sign-in (None: only behind ingress, on ui_port)
    web_port: int | None = None
    # the addresses ingress requests may come from (the Supervisor's proxy)
    ingress_proxies: frozenset[str] = frozenset({"172.30.32.2"})
    # Home Assistant Core's WebSocket API through the Supervisor (who is an admin)
    ha_websocket_url: str = "ws://supervisor/core/websocket"
    # s between two batches of limits sent to one charger (flash wear; tests: 0)
    limit_interval: float = 10.0


def _bounded(kind: Callable[[str], float], low: float, high: float, what: str, above_low: bool = False) -> Any:
    """A flag's type: a number of `kind` from low (or above it) to high; `what` names it in argparse's error
    ("invalid number of seconds (1-86400) value: '0'")."""

    def parse(text: str) -> float:
        value = kind(text)
        if not (low < value if above_low else low <= value) or value > high:
            raise ValueError(text)
        return value

    parse.__name__ = what
    return parse


# the highest message rate per charger: the add-on's configuration schema (config.yaml), its API's /options and the
# integration's options flow (const.py) offer the same
MAX_MESSAGE_RATE = 10_000
_port = _bounded(int, 1, 65535, "port (1-65535)")
_seconds = _bounded(int, 1, 86400, "number of seconds (1-86400)")
_interval = _bounded(float, 0, 86400, "number of seconds (0-86400)")
_rate = _bounded(float, 0, MAX_MESSAGE_RATE, f"messages per second (0-{MAX_MESSAGE_RATE}, 0: no limit)")
_stations = _bounded(int, 1, 1_000_000, "number of chargers (1-1000000)")
_poll = _bounded(float, 0.05, 60, "number of seconds (0.05-60)")
_days = _bounded(float, 0, 3650, "number of days (more than 0, up to 3650)", above_low=True)
_events = _bounded(int, 100, 100_000_000, "number of events (100-100000000)")


def postgres_url_problem(url: str) -> str | None:
    """What is wrong with a PostgreSQL URL (None: nothing): it names a server and a database; never its password."""
    shown = url
    try:
        parts = urlsplit(url)
        if parts.password is not None:
            shown = url.replace(":" + parts.password + "@", ":***@", 1)
        parts.port  # noqa: B018 (a port that is no number raises)
    except ValueError as err:
        return f"{shown!r} is no postgresql://USER:PASSWORD@HOST:PORT/DATABASE ({err})"
    if not parts.hostname or not parts.path.strip("/"):
        return f"{shown!r} is no postgresql://USER:PASSWORD@HOST:PORT/DATABASE (it needs a host and a database)"
    return None


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("", "0", "false", "no", "off"):
        return False
    raise ValueError(value)


class _Parser(argparse.ArgumentParser):
    """A bad option: one line (no usage block), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (--help lists the options)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python3 -m ocpp_core_app",
        description="The OCPP Core add-on's central system: csms with a durable SQLite (or PostgreSQL) store. "
        f"Every option can also be given as an environment variable {ENV_PREFIX}<NAME> (e.g. {ENV_PREFIX}OCPP_PORT).",
    )
    add = parser.add_argument
    add("--data-dir", default="./addon-data", help="where the database and the API token live (the add-on: /data)")
    add("--ocpp-port", type=_port, default=9000, help="the chargers' WebSocket port")
    add("--ui-port", type=_port, default=8099, help="the API's port (/api/v1/; the web UI's later)")
    add("--api-token", help="the API's bearer token (default: generated once and kept in the data dir)")
    add("--log-level", type=str.lower, choices=LOG_LEVELS, default="info")
    add("--security-profile", type=int, choices=(0, 1, 2, 3), default=0, help="1 HTTP Basic, 2 TLS + Basic, 3 mTLS")
    add("--certfile", help="profiles 2 and 3: the server certificate (chain), PEM")
    add("--keyfile", help="profiles 2 and 3: its private key, PEM")
    add("--cafile", help="profile 3: the CA of the chargers' client certificates, PEM")
    add("--unknown-chargers", type=str.lower, choices=UNKNOWN_CHARGERS, default="accept",
        help="a charger not accepted before: accept it, reject it, or keep it Pending until accepted")  # fmt: skip
    add("--unknown-tags", type=str.lower, choices=UNKNOWN_TAGS, default="accept",
        help="a tag not in the tag book: let it charge, or refuse it (Invalid); either way it shows in the inbox")  # fmt: skip
    add("--strict", action="store_true", help="reject every schema break (default: tolerate small ones)")
    add("--heartbeat-interval", type=_seconds, default=300, help="seconds")
    add("--meter-interval", type=_seconds, default=None, help="seconds (default: each charger's own)")
    add("--limit-interval", type=_interval, default=10.0, help="seconds between two limit changes sent to a charger")
    add("--max-message-rate", type=_rate, default=50.0, help="messages per second per charger")
    add("--max-stations", type=_stations, default=100,
        help="chargers known at most; a new id beyond it is refused (a flood of made-up ids cannot fill memory)")  # fmt: skip
    add("--database-url", help="sqlite:///PATH (default: sqlite:///<data-dir>/ocpp_core.db)"
        " or postgresql://USER:PASSWORD@HOST:PORT/DATABASE")  # fmt: skip
    add(
        "--stripe-secret-key",
        help="Stripe's secret key (sk_live_… / sk_test_…): remote starts paid by card (default: off)",
    )
    add("--stripe-api-base", default="https://api.stripe.com", help="Stripe's API (tests point it at a local one)")
    add("--payment-return-url", default="https://stripe.com", help="where the driver's browser goes after paying")
    add("--payment-poll-interval", type=_poll, default=3.0, help="seconds between questions about a checkout")
    add("--event-retention-days", type=_days, default=7.0,
        help="the event stream keeps the events of this many days (for clients that were away)")  # fmt: skip
    add("--event-retention-count", type=_events, default=100_000,
        help="… and at most this many of the most recent ones")  # fmt: skip
    add("--web-port", type=_port, default=None,
        help="also serve the web UI on this port, with its own sign-in (default: only behind ingress)")  # fmt: skip
    add("--ingress-proxy", default="172.30.32.2",
        help="the address(es), comma-separated, web UI requests on the UI port may come from (the Supervisor's proxy)")  # fmt: skip
    add("--ha-websocket-url", default="ws://supervisor/core/websocket",
        help="Home Assistant's WebSocket API (through the Supervisor): it says which users are admins")  # fmt: skip
    add("--health", action="store_true", help="exit 0 when the OCPP port answers, else 1 (the HEALTHCHECK)")
    add("--snapshot", action="store_true",
        help="write a consistent copy of the SQLite database beside it for a hot backup and exit (backup_pre)")  # fmt: skip
    add("--drop-snapshot", action="store_true", help="remove that copy again and exit (backup_post)")
    return parser


def _with_environment(parser: argparse.ArgumentParser, environ: Mapping[str, str]) -> None:
    """Environment variables become the flags' defaults (a flag given wins)."""
    for action in parser._actions:
        if not action.option_strings or action.dest == "help":
            continue
        name = ENV_PREFIX + action.dest.upper()
        if name not in environ:
            continue
        raw = environ[name]
        try:
            if action.nargs == 0:  # store_true
                value: object = _flag(raw)
            else:
                value = action.type(raw) if callable(action.type) else raw
            if action.choices is not None and value not in action.choices:
                raise ValueError(raw)
        except (TypeError, ValueError):
            parser.error(f"{name}: invalid value {raw!r}")
        action.default = value


def parse(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> AppOptions:
    """The options; exits 2 with one line on stderr when one is bad."""
    parser = build_parser()
    _with_environment(parser, os.environ if environ is None else environ)
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir).expanduser()
    database_path = data_dir / "ocpp_core.db"
    database_url = None
    url: str = args.database_url or ""
    if url.startswith(POSTGRES_SCHEMES):
        problem = postgres_url_problem(url)
        if problem is not None:
            parser.error(f"--database-url: {problem}")
        database_url = url
    elif url:
        if not url.startswith("sqlite:///") or url == "sqlite:///":
            parser.error(f"--database-url: {url!r} is no sqlite:///PATH (nor postgresql://…)")
        database_path = Path(url.removeprefix("sqlite:///")).expanduser()
        if not database_path.is_absolute():
            database_path = Path.cwd() / database_path
    files = {
        name: Path(getattr(args, name)) if getattr(args, name) else None for name in ("certfile", "keyfile", "cafile")
    }
    if args.security_profile >= 2 and (files["certfile"] is None or files["keyfile"] is None):
        parser.error(f"--security-profile {args.security_profile} needs --certfile and --keyfile")
    if args.security_profile == 3 and files["cafile"] is None:
        parser.error("--security-profile 3 needs --cafile (the CA of the chargers' certificates)")
    for name, path in files.items():
        if path is not None and not path.is_file():
            parser.error(f"--{name}: no file {path}")
    if args.api_token is not None and len(args.api_token) < 16:
        parser.error("--api-token: at least 16 characters")
    key = args.stripe_secret_key or ""
    if key and not key.startswith(("sk_", "rk_")):
        parser.error("--stripe-secret-key: a Stripe secret key starts with sk_ (or a restricted key with rk_)")
    if args.ocpp_port == args.ui_port:
        parser.error("--ocpp-port and --ui-port must differ")
    if args.web_port is not None and args.web_port in (args.ocpp_port, args.ui_port):
        parser.error("--web-port must differ from --ocpp-port and --ui-port")
    proxies = frozenset(a.strip() for a in args.ingress_proxy.split(",") if a.strip())
    if not proxies:
        parser.error("--ingress-proxy: at least one address")
    return AppOptions(
        data_dir=data_dir,
        ocpp_port=args.ocpp_port,
        ui_port=args.ui_port,
        api_token=args.api_token,
        log_level=args.log_level,
        security_profile=args.security_profile,
        certfile=files["certfile"],
        keyfile=files["keyfile"],
        cafile=files["cafile"],
        unknown_chargers=args.unknown_chargers,
        unknown_tags=args.unknown_tags,
        strict=args.strict,
        heartbeat_interval=args.heartbeat_interval,
        meter_interval=args.meter_interval,
        max_message_rate=args.max_message_rate,
        limit_interval=args.limit_interval,
        max_stations=args.max_stations,
        database_path=database_path,
        database_url=database_url,
        health=args.health,
        snapshot=args.snapshot,
        drop_snapshot=args.drop_snapshot,
        stripe_secret_key=args.stripe_secret_key or None,
        stripe_api_base=args.stripe_api_base,
        payment_return_url=args.payment_return_url,
        payment_poll_interval=args.payment_poll_interval,
        event_retention_days=args.event_retention_days,
        event_retention_count=args.event_retention_count,
        web_port=args.web_port,
        ingress_proxies=proxies,
        ha_websocket_url=args.ha_websocket_url,
    )
