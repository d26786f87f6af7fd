"""Tariffs, the cost of every session, and telling the chargers (see manager.py)."""

from .book import Scope, TariffBook
from .cost import Cost, SessionMeter
from .currencies import MINOR_UNITS, minor_unit
from .manager import MAX_ENERGY, PricingManager
from .notice import CostNotice
from .tariff import Band, Tariff, TariffError

__all__ = [
    "MAX_ENERGY",
    "MINOR_UNITS",
    "Band",
    "Cost",
    "CostNotice",
    "PricingManager",
    "Scope",
    "SessionMeter",
    "Tariff",
    "TariffBook",
    "TariffError",
    "minor_unit",
]
