"""A save the charger's answer waits for fails (a full disk): the charger gets an error, and its retry -
answered from memory, as a retransmission - is written before it is answered."""

from __future__ import annotations

from typing import Any

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, MemoryPersistence

from .support.helpers import BOOT, RawCharger

STAMP = "2026-01-01T10:00:00Z"


class FailingPersistence(MemoryPersistence):
    """Writes fail while `failing` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False

    async def async_save(self, data: dict[str, Any]) -> None:
        if self.failing:
            raise OSError(28, "No space left on device")
        await super().async_save(data)


def open_ids(persistence: MemoryPersistence, station_id: str) -> list[str]:
    saved = persistence.saved or {}
    return [tx["transaction_id"] for tx in saved["stations"][station_id]["open_transactions"]]


def ended_ids(persistence: MemoryPersistence) -> list[str]:
    return [record["transaction_id"] for record in (persistence.saved or {}).get("history", [])]


async def _central(persistence: FailingPersistence) -> CentralSystem:
    central = CentralSystem(CentralSystemConfig(host="127.0.0.1", port=0), persistence)
    await central.start()
    return central


async def test_retried_start_and_stop_16() -> None:
    persistence = FailingPersistence()
    central = await _central(persistence)
    cp = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "cp")
    await cp.call("BootNotification", BOOT)
    start = {"connectorId": 1, "idTag": "A", "meterStart": 10, "timestamp": STAMP}
    persistence.failing = True
    assert (await cp.call("StartTransaction", start, "1"))[0] == 4
    persistence.failing = False
    answer = await cp.call("StartTransaction", start, "2")
    tx_id = str(answer[2]["transactionId"])
    assert open_ids(persistence, "cp") == [tx_id]
    stop = {"transactionId": int(tx_id), "meterStop": 510, "timestamp": STAMP}
    persistence.failing = True
    assert (await cp.call("StopTransaction", stop, "3"))[0] == 4
    persistence.failing = False
    assert (await cp.call("StopTransaction", stop, "4"))[0] == 3
    assert open_ids(persistence, "cp") == [] and ended_ids(persistence) == [tx_id]
    await cp.close()
    await central.stop()


async def test_retried_started_and_ended_201() -> None:
    persistence = FailingPersistence()
    central = await _central(persistence)
    cp = await RawCharger.connect(f"ws://127.0.0.1:{central.port}", "st", ["ocpp2.0.1"])
    await cp.call("BootNotification", {"reason": "PowerUp", "chargingStation": {"model": "m", "vendorName": "v"}})

    def event(kind: str, seq_no: int, wh: float) -> dict[str, Any]:
        return {
            "eventType": kind, "timestamp": STAMP, "triggerReason": "Authorized", "seqNo": seq_no,
            "transactionInfo": {"transactionId": "T-1", **({"stoppedReason": "Local"} if kind == "Ended" else {})},
            "evse": {"id": 1, "connectorId": 1}, "idToken": {"idToken": "A", "type": "ISO14443"},
            "meterValue": [{"timestamp": STAMP, "sampledValue": [
                {"value": wh, "measurand": "Energy.Active.Import.Register"}]}],
        }  # fmt: skip

    for kind, seq_no, wh in (("Started", 0, 100.0), ("Ended", 1, 600.0)):
        persistence.failing = True
        assert (await cp.call("TransactionEvent", event(kind, seq_no, wh), f"{kind}1"))[0] == 4
        persistence.failing = False
        before = persistence.writes
        assert (await cp.call("TransactionEvent", event(kind, seq_no, wh), f"{kind}2"))[0] == 3
        assert persistence.writes == before + 1  # written before the answer
    assert open_ids(persistence, "st") == [] and ended_ids(persistence) == ["T-1"]
    assert (persistence.saved or {})["history"][0]["energy_wh"] == 500.0
    await cp.close()
    await central.stop()
