"""Settings of the central system (the HA options and the CLI flags map onto these)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# (station id, the BootNotification payload as sent) -> "Accepted" | "Pending" | "Rejected"
BootPolicy = Callable[[str, dict[str, Any]], str]
# station id -> may it open a WebSocket at all (False: HTTP 403 before the upgrade)
Admission = Callable[[str], bool]


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
    # messages a charger may send: on average per second, and in one burst (more closes its connection, 1008)
    max_message_rate: float = 50.0
    max_message_burst: int = 200
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
    # how many ended transactions are kept (and persisted), newest last
    history_size: int = 1000
    # the most recent frames kept per charger, both directions, for diagnostics (bug reports);
    # once it disconnects, only the last `frame_log_size_offline` of them
    frame_log_size: int = 100
    frame_log_size_offline: int = 20
    # chargers known at most (accepted, awaiting a decision, or connected now): a new id beyond it is
    # refused (HTTP 503) with a warning, so an unauthenticated flood of ids cannot grow memory without bound
    max_stations: int = 100
    # load management: at most one batch of limit changes per charger in this many seconds (latest wins)
    limit_interval: float = 10.0
