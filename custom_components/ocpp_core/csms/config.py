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
    max_frame_size: int = 65536
    # who may register; None accepts every charger (see V16Adapter.on_boot_notification)
    boot_policy: BootPolicy | None = None
    # who may connect; None lets every charger connect (and the boot policy decide)
    admission: Admission | None = None
    # how many ended transactions are kept (and persisted), newest last
    history_size: int = 1000
    # the most recent frames kept per charger, both directions, for diagnostics (bug reports)
    frame_log_size: int = 100
    # load management: at most one batch of limit changes per charger in this many seconds (latest wins)
    limit_interval: float = 10.0
