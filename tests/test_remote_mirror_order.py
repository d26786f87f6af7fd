"""The remote mirror against an order of arrival: a command's answer and the add-on's stream are two channels, so
a limit's answer (its state when the add-on answered) can come after the stream already brought a newer state of
the same limit (the charger accepted it).  The mirror keeps the newer one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from custom_components.ocpp_core.csms import LimitStatus
from custom_components.ocpp_core.csms.rpc.timeutil import utcnow
from custom_components.ocpp_core.remote.central import RemoteCentral


class _NoCursor:
    async def load(self) -> tuple[str, int] | None:
        return None

    def save_soon(self, stream: str, seq: int) -> None:
        pass

    async def save_now(self, stream: str, seq: int) -> None:
        pass


def _limit(status: str, amps: float, when: Any) -> dict[str, Any]:
    return {"evse_id": 1, "amps": amps, "watts": amps * 690, "unit_sent": "A", "status": status, "updated": when}


async def test_a_limits_answer_older_than_its_stream_event_does_not_win() -> None:
    central = RemoteCentral(client=None, cursor=_NoCursor())  # type: ignore[arg-type]
    answered = utcnow()
    accepted = answered + timedelta(milliseconds=50)

    async def command(station_id: str, name: str, fields: dict[str, Any]) -> dict[str, Any]:
        # the stream's event of the charger accepting it arrives first; the command's answer (sent) after it
        message = {"seq": 1, "type": "limit", "station_id": "wb", "connector_id": 1}
        central._on_message({**message, "data": _limit("accepted", 16, accepted.isoformat())})
        return _limit("sent", 16, answered.isoformat())

    central.command = command  # type: ignore[method-assign]
    shown = await central.limits.set_limit("wb", 1, amps=16)
    kept = central.limits.get("wb", 1)
    assert kept is not None and kept.status == LimitStatus.ACCEPTED
    assert shown.status == LimitStatus.ACCEPTED  # what the number entity shows next
