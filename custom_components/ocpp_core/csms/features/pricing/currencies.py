"""ISO 4217 currencies and their minor units (how many decimals an amount is rounded to).

A small table of our own: no package HA and the add-on both carry has the minor units (babel and
pycountry are not requirements of either).  The list is ISO 4217 List One (the active codes, as
published by SIX, amendment 178 of 2024), without the metals and testing codes (XAU, XTS …),
which no charging session is priced in.  tests/csms/test_pricing_currencies.py checks
its exceptions (every code not of 2 decimals), by hand from the list.
"""

from __future__ import annotations

from typing import Final

# the codes whose minor unit is not 2
_MINOR_UNITS_NOT_2: Final[dict[str, int]] = {
    # no decimals
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # three decimals
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # four
    "CLF": 4, "UYW": 4,
}  # fmt: skip

# every other active code has 2
_TWO_DECIMALS: Final = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
    CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
    GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD
    LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN
    PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL
    """.split()  # noqa: SIM905 - the list as ISO prints it, nine lines not 150
)

MINOR_UNITS: Final[dict[str, int]] = {**dict.fromkeys(_TWO_DECIMALS, 2), **_MINOR_UNITS_NOT_2}


def minor_unit(currency: str) -> int | None:
    """The decimals of an ISO 4217 code (upper case); None for a code that is not one."""
    return MINOR_UNITS.get(currency)
