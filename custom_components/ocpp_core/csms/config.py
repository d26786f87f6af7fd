"""Settings of the central system (the HA options and the CLI flags map onto these)."""

from __future__ import annotations

from dataclasses import dataclass


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
