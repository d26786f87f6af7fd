"""The Open Charge Alliance's "OCPP & California Pricing Requirements" for OCPP 1.6: DataTransfer
messages of vendor org.openchargealliance.costmsg (RunningCost, FinalCost, SetUserPrice), their `data`
a JSON text.  Only a charger whose configuration has CustomDisplayCostAndPrice true takes them."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ..features.pricing.notice import CostNotice, price_text
from ..model.station import Station
from ..rpc.timeutil import format_timestamp

VENDOR_ID = "org.openchargealliance.costmsg"
SUPPORT_KEY = "CustomDisplayCostAndPrice"
RUNNING_COST = "RunningCost"
FINAL_COST = "FinalCost"
SET_USER_PRICE = "SetUserPrice"


def shows_costs(station: Station) -> bool:
    """The charger advertises the California Pricing messages (its CustomDisplayCostAndPrice is true)."""
    entry = station.configuration.get(SUPPORT_KEY) or {}
    return str(entry.get("value") or "").strip().lower() == "true"


def _number(value: Decimal) -> float | int:
    """A JSON number for the charger (the amount is exact to its minor unit already)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _transaction_id(value: str) -> int | str:
    try:
        return int(value)
    except ValueError:
        return value


def running_cost(notice: CostNotice) -> tuple[str, str]:
    """(messageId, data) of a RunningCost."""
    tariff = notice.tariff
    data: dict[str, Any] = {
        "transactionId": _transaction_id(notice.transaction_id),
        "timestamp": format_timestamp(notice.timestamp),
        "meterValue": notice.meter_wh,
        "cost": _number(notice.cost),
        "state": "Charging" if notice.charging else "Idle",
        "chargingPrice": {
            "kWhPrice": _number(tariff.energy_price),
            "hourPrice": _number(tariff.time_price * 60),
            "flatFee": _number(tariff.session_fee),
        },
    }
    if tariff.idle_price:
        data["idlePrice"] = {"graceMinutes": tariff.idle_grace_minutes, "hourPrice": _number(tariff.idle_price * 60)}
    return RUNNING_COST, json.dumps(data)


def final_cost(notice: CostNotice) -> tuple[str, str]:
    """(messageId, data) of a FinalCost."""
    text = f"{notice.cost} {notice.currency} for {notice.energy_kwh:.3f} kWh"
    data = {
        "transactionId": _transaction_id(notice.transaction_id),
        "cost": _number(notice.cost),
        "priceText": text,
        "qrCodeText": "",
    }
    return FINAL_COST, json.dumps(data)


def user_price(id_tag: str, notice: CostNotice) -> tuple[str, str]:
    """(messageId, data) of a SetUserPrice: the tariff of the driver who identified."""
    return SET_USER_PRICE, json.dumps({"idToken": id_tag, "priceText": price_text(notice.tariff)})
