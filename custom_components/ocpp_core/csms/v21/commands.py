"""OCPP 2.1's typed commands: 2.0.1's, and the tariffs of the stations that calculate costs themselves."""

from __future__ import annotations

from typing import Any

from ..rpc.endpoint import Payload
from ..rpc.payload import payload as _payload
from ..v201.commands import V201Commands


class V21Commands(V201Commands):
    """2.0.1's commands plus SetDefaultTariff, GetTariffs and ClearTariffs."""

    async def set_default_tariff(self, evse_id: int, tariff: dict[str, Any]) -> Payload:
        return await self._call("SetDefaultTariff", {"evseId": evse_id, "tariff": tariff})

    async def get_tariffs(self, evse_id: int = 0) -> Payload:
        return await self._call("GetTariffs", {"evseId": evse_id})

    async def clear_tariffs(self, tariff_ids: list[str] | None = None, evse_id: int | None = None) -> Payload:
        return await self._call("ClearTariffs", _payload(tariffIds=tariff_ids or None, evseId=evse_id))
