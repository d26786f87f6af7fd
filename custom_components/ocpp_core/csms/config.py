"""Settings of the central system (the HA options and the CLI flags map onto these)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# (station id, the BootNotification payload as sent) -> "Accepted" | "Pending" | "Rejected"
BootPolicy = Callable[[str, dict[str, Any]], str]
# station id -> may it open a WebSocket at all (False: HTTP 403 before the upgrade)
Admission = Callable[[str], bool]
# station id -> the hex SHA-1 (40 digits) or SHA-256 (64) thumbprint its client certificate must have, or None
CertificatePin = Callable[[str], str | None]


DEFAULT_MESSAGE_RATE = 50.0
DEFAULT_MESSAGE_BURST = 200
# the burst a rate allows: this many seconds of it (the defaults: 4 s of 50 messages per second)
BURST_SECONDS = 4


@dataclass(slots=True)
class CentralSystemConfig:
    host: str = "0.0.0.0"
    port: int = 9000
    heartbeat_interval: int = 300
    lenient: bool = True
    call_timeout: float = 30.0
    ping_interval: float | None = 60.0
    ping_timeout: float | None = 30.0
    close_timeout: float = 10.0
    # a bigger frame closes that charger's connection (WebSocket close 1009)
    max_frame_size: int = 65536
    # messages a charger may send: on average per second, and in one burst (more closes its connection, 1008);
    # rate 0: no limit.  Set both with `set_message_rate` (the burst grows with the rate)
    max_message_rate: float = DEFAULT_MESSAGE_RATE
    max_message_burst: int = DEFAULT_MESSAGE_BURST
    # messages sent while offline (stamped before the connection, see message_rate.is_replay) a charger may
    # replay beyond the rate; refilled within an hour
    max_replayed_messages: int = 5000
    # a charger closed for flooding (rate, pending calls) has its reconnects refused (HTTP 429) this many
    # seconds, doubling with every further close up to flood_backoff_max (0: never refused)
    flood_backoff: float = 10.0
    flood_backoff_max: float = 600.0
    # calls of one charger we may be working on at once (OCPP allows one; more closes its connection, 1008)
    max_pending_calls: int = 20
    # 0 plain ws://, 1 HTTP Basic, 2 TLS (wss://) and HTTP Basic, 3 TLS with client certificates
    security_profile: int = 0
    # profiles 2 and 3: the server's certificate (chain) and private key; profile 3: the CA of the chargers'
    certfile: str | None = None
    keyfile: str | None = None
    cafile: str | None = None
    # refused connections from one address within the window, after which it gets HTTP 429 until it is over
    auth_failure_limit: int = 10
    auth_failure_window: float = 60.0
    # who may register; None accepts every charger (see V16Adapter.on_boot_notification)
    boot_policy: BootPolicy | None = None
    # who may connect; None lets every charger connect (and the boot policy decide)
    admission: Admission | None = None
    # security profile 3: a charger's client certificate pinned by its thumbprint, beyond the CA and the CN
    certificate_pin: CertificatePin | None = None
    # how many ended transactions are kept (and persisted), newest last
    history_size: int = 1000
    # the most recent frames kept per charger, both directions, for diagnostics (bug reports);
    # once it disconnects, only the last `frame_log_size_offline` of them
    frame_log_size: int = 100
    frame_log_size_offline: int = 20
    # chargers known at most (accepted, awaiting a decision, or connected now): a new id beyond it is
    # refused (HTTP 503) with a warning, so an unauthenticated flood of ids cannot grow memory without bound
    max_stations: int = 100
    # asked about every new id max_stations would refuse: True lets it in all the same (one the user accepted);
    # the add-on's inbox notes the others there, so the user sees who was refused and can accept them
    over_max_stations: Admission | None = None
    # load management: at most one batch of limit changes per charger in this many seconds (latest wins)
    limit_interval: float = 10.0
    # pricing: a charger that shows costs is told a session's running cost at most this often (seconds)
    cost_update_interval: float = 60.0
    # the site's time zone (IANA name) for tariffs' times of day; None: the machine's
    time_zone: str | None = None

    def set_message_rate(self, rate: float) -> None:
        """The per-charger message rate (0: no limit), with a burst of BURST_SECONDS of it (at least the default)."""
        self.max_message_rate = max(float(rate), 0.0)
        self.max_message_burst = max(DEFAULT_MESSAGE_BURST, int(self.max_message_rate * BURST_SECONDS))


@dataclass(slots=True, frozen=True)
class CentralSystemOptions:
    """What may change while chargers stay connected: `CentralSystem.apply_options` puts it in force.

    The defaults are the library's (Home Assistant's options map onto every field)."""

    heartbeat_interval: int = 300
    lenient: bool = True
    # load management: at most one batch of limit changes per charger in this many seconds
    limit_interval: float = 10.0
    # messages per second a charger may send (0: no limit), with a burst of BURST_SECONDS of it
    max_message_rate: float = DEFAULT_MESSAGE_RATE
    # how many ended transactions are kept (the oldest go first when it shrinks)
    history_size: int = 1000
    # the meter value interval (s) of chargers without their own setting; None: each keeps its own
    meter_interval: int | None = None
    # unknown id tags: accepted, or refused (Invalid); an Accepted tag in a session elsewhere refused
    accept_unknown_tags: bool = True
    refuse_concurrent_tags: bool = False
    # tags accepted only for the remote starts asked with them (Home Assistant's own)
    remote_only_tags: tuple[str, ...] = ()
