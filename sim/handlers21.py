"""What the simulated OCPP 2.1 station adds: local cost calculation's tariffs (SetDefaultTariff, GetTariffs,
ClearTariffs, a driver tariff in the AuthorizeResponse), as a station with TariffCostCtrlr.Enabled[Tariff]
true keeps them.  The tariffs are kept in the tariffs' own (camelCase) form in `extra["tariffs"]`
(id -> {"tariff", "evses"}), the driver tariffs by token in `extra["driver_tariffs"]`; a transaction started
with a token that has one, or at an EVSE with a default tariff, reports its tariffId (transactionInfo).

Tests: `extra["refuse_tariff"]` is the status every SetDefaultTariff gets instead (Rejected …)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ocpp.charge_point import snake_to_camel_case
from ocpp.routing import on


class TariffHandlers21:
    """Mixed into the 2.1 station before its 2.0.1 handlers."""

    sim: Any
    _extra: dict[str, Any]
    if TYPE_CHECKING:  # the 2.0.1 handlers' own, after this mixin in the station's classes

        def _result(self, action: str, **fields: Any) -> Any: ...

    @property
    def _tariffs(self) -> dict[str, dict[str, Any]]:
        held: dict[str, dict[str, Any]] = self._extra.setdefault("tariffs", {})
        return held

    def tariff_at(self, evse_id: int) -> str | None:
        """The id of the default tariff at an EVSE (None: none)."""
        return next((tid for tid, held in self._tariffs.items() if evse_id in held["evses"]), None)

    @on("SetDefaultTariff")
    def on_set_default_tariff(self, evse_id: int, tariff: dict[str, Any], **kwargs: Any) -> Any:
        refused = self._extra.get("refuse_tariff")
        if refused:
            return self._result("SetDefaultTariff", status=refused)
        tariff = snake_to_camel_case(tariff)
        tid = tariff["tariffId"]
        known = self._tariffs.get(tid)
        if known is not None and known["tariff"] != tariff:
            return self._result("SetDefaultTariff", status="DuplicateTariffId")
        evses = set(self.sim.evses) if evse_id == 0 else {evse_id}
        for held in self._tariffs.values():  # the new default replaces the one each EVSE had
            held["evses"] -= evses
        self._tariffs[tid] = {"tariff": tariff, "evses": evses | (known["evses"] if known else set())}
        for gone in [t for t, held in self._tariffs.items() if not held["evses"]]:
            del self._tariffs[gone]
        return self._result("SetDefaultTariff", status="Accepted")

    @on("GetTariffs")
    def on_get_tariffs(self, evse_id: int, **kwargs: Any) -> Any:
        assignments = [
            {"tariff_id": tid, "tariff_kind": "DefaultTariff", "evse_ids": sorted(held["evses"])}
            for tid, held in sorted(self._tariffs.items())
            if evse_id == 0 or evse_id in held["evses"]
        ]
        if not assignments:
            return self._result("GetTariffs", status="NoTariff")
        return self._result("GetTariffs", status="Accepted", tariff_assignments=assignments)

    @on("ClearTariffs")
    def on_clear_tariffs(self, tariff_ids: list[str] | None = None, evse_id: int | None = None, **kwargs: Any) -> Any:
        results = []
        for tid in [t for t in list(self._tariffs) if tariff_ids is None or t in tariff_ids]:
            held = self._tariffs[tid]
            if evse_id is None:
                held["evses"] = set()
            else:
                held["evses"].discard(evse_id)
            if not held["evses"]:
                del self._tariffs[tid]
            results.append({"tariff_id": tid, "status": "Accepted"})
        self._extra.setdefault("cleared_tariffs", []).extend(r["tariff_id"] for r in results)
        return self._result("ClearTariffs", clear_tariffs_result=results or [{"status": "NoTariff"}])

    async def authorize(self, id_token: str, *args: Any, **kwargs: Any) -> Any:
        """Authorize; a driver tariff in the answer is kept for the token's next transaction."""
        answer = await super().authorize(id_token, *args, **kwargs)  # type: ignore[misc]
        tariff = getattr(answer, "tariff", None)
        if tariff:
            self._extra.setdefault("driver_tariffs", {})[id_token] = snake_to_camel_case(tariff)
        return answer

    async def start_transaction(
        self,
        evse_id: int,
        id_token: str | None = "TAG-1",
        *args: Any,
        info: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> str:
        """The 2.0.1 start; transactionInfo.tariffId names the tariff it costs the session by (its token's
        driver tariff, else its EVSE's default), unless `info` names one."""
        info = dict(info or {})
        if "tariff_id" not in info:
            driver = self._extra.get("driver_tariffs", {}).get(id_token)
            found = driver["tariffId"] if driver else self.tariff_at(evse_id)
            if found is not None:
                info["tariff_id"] = found
        started: str = await super().start_transaction(evse_id, id_token, *args, info=info, **kwargs)  # type: ignore[misc]
        return started
