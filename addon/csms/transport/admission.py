"""Why a charger was let in or not, and the password check the server asks (features/credentials.py has it)."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class AuthResult(StrEnum):
    """Why a charger was let in or not (the reason in logs, events and repairs)."""

    OK = "ok"
    MISSING = "missing_credentials"
    MALFORMED = "malformed_credentials"
    WRONG_USER = "wrong_user_name"
    WRONG_PASSWORD = "wrong_password"
    NO_PASSWORD = "no_password_set"
    CERTIFICATE = "certificate_mismatch"
    NOT_ADMITTED = "not_admitted"


class PasswordCheck(Protocol):
    """Security profiles 1 and 2: the chargers' passwords (a CredentialStore)."""

    async def check(self, station_id: str, header: str | None, /) -> AuthResult: ...

    def failed(self, station_id: str, remote: str, reason: AuthResult, /) -> int: ...

    def succeeded(self, station_id: str, remote: str, /) -> None: ...
