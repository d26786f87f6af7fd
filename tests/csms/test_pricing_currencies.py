"""The minor units table (features/pricing/currencies.py) against ISO 4217 List One, by hand."""

from __future__ import annotations

import re

from custom_components.ocpp_core.csms.features.pricing import MINOR_UNITS, minor_unit

# ISO 4217 List One: the active codes whose minor unit is not 2 (amendment 178)
ISO_NOT_TWO = {
    "BHD": 3, "BIF": 0, "CLF": 4, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0,
    "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0, "TND": 3, "UGX": 0, "UYI": 0,
    "UYW": 4, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}  # fmt: skip


def test_the_exceptions_are_as_iso_lists_them() -> None:
    assert {code: units for code, units in MINOR_UNITS.items() if units != 2} == ISO_NOT_TWO


def test_codes_are_three_capitals() -> None:
    assert all(re.fullmatch("[A-Z]{3}", code) for code in MINOR_UNITS)


def test_common_currencies() -> None:
    for code in ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "CAD", "AUD", "CNY", "INR"):
        assert minor_unit(code) == 2
    assert minor_unit("JPY") == 0
    assert minor_unit("eur") is None  # callers upper-case first
    assert minor_unit("XXX") is None  # "no currency" is none to price in
    assert minor_unit("XAU") is None  # gold
