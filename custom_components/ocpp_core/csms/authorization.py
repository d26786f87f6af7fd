"""Who may charge: the decision on an id token, and how each OCPP version answers it.

Tag management comes with its own issue; until then every token is accepted,
as the 1.6 central system does.  The decision carries what 2.x answers can
say (a group token, how long the charger may cache it), so the tag-management
issue only has to fill it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .timeutil import format_timestamp

# no PKI (no OCSP responder, no contract certificate validation) is configured yet: a contract
# certificate, or its OCSP data, cannot be checked, so it is not available for authorisation
NO_PKI_CERTIFICATE_STATUS = "NoCertificateAvailable"


@dataclass(slots=True, frozen=True)
class TokenDecision:
    status: str = "Accepted"
    group_id_token: str | None = None
    group_id_token_type: str = "Central"
    cache_expiry: datetime | None = None


def decide(station_id: str, id_token: str, token_type: str | None = None) -> TokenDecision:
    """Whether this token may charge here (every token may, until tag management)."""
    return TokenDecision()


def id_token_info_v2(decision: TokenDecision) -> dict[str, Any]:
    """IdTokenInfoType (2.0.1 / 2.1)."""
    info: dict[str, Any] = {"status": decision.status}
    if decision.cache_expiry is not None:
        info["cacheExpiryDateTime"] = format_timestamp(decision.cache_expiry)
    if decision.group_id_token is not None:
        info["groupIdToken"] = {"idToken": decision.group_id_token, "type": decision.group_id_token_type}
    return info
