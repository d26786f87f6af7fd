"""Service steps that are the same in every OCPP version (their commands share the signature)."""

from __future__ import annotations

from typing import Any, Protocol

from ..errors import Answer
from .fields import _WHOLE_CHARGER_PURPOSES
from .target import Target


class _LogCommands(Protocol):
    async def get_log(
        self,
        log_type: str,
        request_id: int,
        remote_location: str,
        oldest_timestamp: Any = None,
        latest_timestamp: Any = None,
        retries: int | None = None,
        retry_interval: int | None = None,
    ) -> Answer: ...


async def get_log(commands: _LogCommands, target: Target, data: dict[str, Any]) -> Answer:
    """GetLog (1.6 security whitepaper and 2.x alike); the request id is made up when not given and returned."""
    request_id = data.get("request_id")
    if request_id is None:
        request_id = target.central.next_request_id()
    answer = await commands.get_log(
        data["log_type"],
        request_id,
        data["location"],
        data.get("oldest_timestamp"),
        data.get("latest_timestamp"),
        data.get("retries"),
        data.get("retry_interval"),
    )
    return {**answer, "requestId": request_id}


def profile_connector(target: Target, data: dict[str, Any]) -> int:
    """Where a charging profile goes: the whole charger for station-wide purposes, else connector 1 by default."""
    profile: dict[str, Any] = data["charging_profile"]
    default = 0 if profile.get("chargingProfilePurpose") in _WHOLE_CHARGER_PURPOSES else 1
    return target.connector(data, default=default)
