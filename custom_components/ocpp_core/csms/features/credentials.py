"""Charger passwords (security profiles 1 and 2): stored hashed, checked in constant time.

A charger sends HTTP Basic credentials: its charge point id and its password.
Chargers disagree on how the password travels: as the text the user typed, as
the hex text of an OCPP 1.6 AuthorizationKey, or as the raw bytes that hex
stands for (often not valid UTF-8).  Every one of these is accepted: a stored
password keeps a hash of each form it can take, and a received one is also
tried hex-decoded.

Nothing here keeps a password in the clear: each is a salted scrypt hash
(slow on purpose, checked in a worker thread).  A charger that got the right
password once is then recognised by a keyed in-memory digest, so reconnects
cost no scrypt.  When a charger's password changes, the one it was last seen
with stays valid until it has connected with the new one, so a charger that
missed the change is not locked out.  An optional password for new chargers
(those without one of their own) lets them be onboarded.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
import os
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..model.events import Event, EventBus, EventType
from ..state.store import StateStore
from ..transport.admission import AuthResult
from .charger import Charger

_LOGGER = logging.getLogger(__name__)

SECTION = "credentials"
# what OCPP allows a password to be when we send it to the charger (2.0.1 BasicAuthPassword:
# 16 to 40 characters; the 1.6 security whitepaper's AuthorizationKey has the same bounds in bytes)
PUSH_MIN_LENGTH = 16
PUSH_MAX_LENGTH = 40
# what we accept to store (a charger configured by hand may have a shorter one)
MAX_LENGTH = 64

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_HEX_DIGITS = frozenset(string.hexdigits.encode())
# answers meaning the charger took the new password (RebootRequired: at its next boot)
_TAKEN = ("Accepted", "RebootRequired")
# charger ids whose refusals in a row are counted at most (each refused id would add one otherwise)
_FAILURES_TRACKED = 1000


class InvalidPassword(ValueError):
    """A password we cannot store or send (the message says why)."""


def _forms(secret: bytes) -> list[bytes]:
    """What a password may stand for: itself, and the AuthorizationKey bytes when it is hex text.

    Both sides use it: a stored password keeps a hash of each form, a presented one is tried in each."""
    forms = [secret]
    if secret and len(secret) % 2 == 0 and set(secret) <= _HEX_DIGITS:
        forms.append(binascii.unhexlify(secret))
    return forms


def _scrypt(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 * 1024 * 1024)


@dataclass(slots=True)
class HashedPassword:
    """One password as stored: a salt and the scrypt hash of each of its forms."""

    salt: bytes
    hashes: list[bytes]
    n: int = _SCRYPT_N
    r: int = _SCRYPT_R
    p: int = _SCRYPT_P
    # the charger has connected with it (only then may the one before it be forgotten)
    confirmed: bool = False

    @classmethod
    def create(cls, password: str) -> HashedPassword:
        salt = os.urandom(16)
        return cls(salt, [_scrypt(form, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P) for form in _forms(password.encode())])

    def matches(self, presented: bytes) -> bool:
        """Slow (scrypt); every stored hash is compared, in constant time."""
        found = False
        for candidate in _forms(presented):
            digest = _scrypt(candidate, self.salt, self.n, self.r, self.p)
            for stored in self.hashes:
                found |= hmac.compare_digest(digest, stored)
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "kdf": "scrypt",
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "salt": self.salt.hex(),
            "hashes": [h.hex() for h in self.hashes],
            "confirmed": self.confirmed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HashedPassword:
        return cls(
            bytes.fromhex(data["salt"]),
            [bytes.fromhex(h) for h in data["hashes"]],
            int(data["n"]),
            int(data["r"]),
            int(data["p"]),
            bool(data.get("confirmed", False)),
        )


@dataclass(slots=True)
class _ChargerCredential:
    current: HashedPassword
    # the password the charger last connected with, valid until it uses `current`
    previous: HashedPassword | None = None


@dataclass(slots=True)
class BasicCredentials:
    user: bytes
    password: bytes


def parse_basic(header: str | None) -> BasicCredentials | None:
    """The user and raw password bytes of an `Authorization: Basic …` header; None when absent or not Basic.

    Raises ValueError when it is Basic but cannot be decoded.
    """
    if header is None:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error as err:
        raise ValueError("not base64") from err
    user, colon, password = decoded.partition(b":")
    if not colon:
        raise ValueError("no colon between user and password")
    return BasicCredentials(user, password)


def validate_password(password: str, *, push: bool) -> None:
    """InvalidPassword unless `password` can be stored (and, with `push`, sent to a charger)."""
    if not password or password != password.strip():
        raise InvalidPassword("a password must not be empty nor start or end with a space")
    if any(ch < " " or ch == "\x7f" for ch in password):
        raise InvalidPassword("a password must not contain control characters")
    if push and not PUSH_MIN_LENGTH <= len(password) <= PUSH_MAX_LENGTH:
        raise InvalidPassword(f"a password sent to a charger has {PUSH_MIN_LENGTH} to {PUSH_MAX_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidPassword(f"a password has at most {MAX_LENGTH} characters")


@dataclass
class _FailureCount:
    count: int = 0
    reasons: set[str] = field(default_factory=set)


class CredentialStore:
    """Per-charger password hashes, persisted with the central state; `check` decides on a connection."""

    def __init__(self, store: StateStore, events: EventBus, charger: Callable[[str], Charger]) -> None:
        self._store = store
        self._events = events
        self._charger = charger  # a connected charger's version-neutral commands (features/charger.py)
        self._chargers: dict[str, _ChargerCredential] = {}
        self._new_chargers: HashedPassword | None = None
        # station id -> keyed digest of the password it last got in with (recognised without scrypt)
        self._known_good: dict[str, bytes] = {}
        self._cache_key = os.urandom(32)
        self._failures: dict[str, _FailureCount] = {}
        store.register_section(SECTION, self._load, self._dump)

    def forget(self, station_id: str) -> None:
        """Drop the charger's password and what was learnt about it (its device was removed)."""
        self._chargers.pop(station_id, None)
        self._known_good.pop(station_id, None)
        self._failures.pop(station_id, None)

    # ---- persistence ------------------------------------------------------------------

    def _load(self, data: Any) -> None:
        data = data or {}
        self._chargers = {
            station_id: _ChargerCredential(
                HashedPassword.from_dict(entry["current"]),
                HashedPassword.from_dict(entry["previous"]) if entry.get("previous") else None,
            )
            for station_id, entry in (data.get("chargers") or {}).items()
        }
        new = data.get("new_chargers")
        self._new_chargers = HashedPassword.from_dict(new) if new else None

    def _dump(self) -> dict[str, Any]:
        return {
            "chargers": {
                station_id: {
                    "current": credential.current.to_dict(),
                    "previous": credential.previous.to_dict() if credential.previous else None,
                }
                for station_id, credential in self._chargers.items()
            },
            "new_chargers": self._new_chargers.to_dict() if self._new_chargers else None,
        }

    # ---- queries ------------------------------------------------------------------------

    def has_password(self, station_id: str) -> bool:
        return station_id in self._chargers

    @property
    def has_new_charger_password(self) -> bool:
        return self._new_chargers is not None

    def failures(self, station_id: str) -> int:
        """Failed attempts of a charger since it last got in (this run)."""
        failures = self._failures.get(station_id)
        return failures.count if failures else 0

    # ---- changes ------------------------------------------------------------------------

    async def set_password(self, station_id: str, password: str | None, *, push: bool = False) -> str | None:
        """Give a charger its own password (None: remove it, the charger then counts as new).

        With `push`, the connected charger is told first (1.6 AuthorizationKey, 2.x BasicAuthPassword) and
        the answer's status is returned; a refusal or a failed call leaves everything as it was (the call's
        exceptions pass through).  The password the charger last connected with stays valid until it has
        connected with the new one.
        """
        if password is None:
            self._chargers.pop(station_id, None)
            self._known_good.pop(station_id, None)
            await self._store.save_now()
            return None
        validate_password(password, push=push)
        hashed = await asyncio.to_thread(HashedPassword.create, password)
        before = self._chargers.get(station_id)
        self._chargers[station_id] = _ChargerCredential(hashed, self._still_valid(before))
        status = None
        if push:
            try:
                status = await self._push(station_id, password)
            except BaseException:
                self._restore(station_id, before)
                raise
            if status not in _TAKEN:
                self._restore(station_id, before)
                return status
        self._known_good.pop(station_id, None)
        await self._store.save_now()
        _LOGGER.info("%s: password %s", station_id, "sent to the charger and stored" if push else "stored")
        return status

    async def set_new_charger_password(self, password: str | None) -> None:
        """The password chargers without one of their own may connect with (None: they may not)."""
        if password is not None:
            validate_password(password, push=False)
        self._new_chargers = await asyncio.to_thread(HashedPassword.create, password) if password else None
        self._known_good = {sid: digest for sid, digest in self._known_good.items() if sid in self._chargers}
        await self._store.save_now()

    def _still_valid(self, before: _ChargerCredential | None) -> HashedPassword | None:
        """Which old password stays valid: the one the charger was last seen with."""
        if before is None:
            return None
        if before.current.confirmed or before.previous is None:
            return before.current
        return before.previous

    def _restore(self, station_id: str, before: _ChargerCredential | None) -> None:
        if before is None:
            self._chargers.pop(station_id, None)
        else:
            self._chargers[station_id] = before

    async def _push(self, station_id: str, password: str) -> str:
        station = self._store.stations.get(station_id)
        version = station.ocpp_version if station is not None else None
        if version is None:
            raise KeyError(station_id)
        answer = await self._charger(station_id).set_password(password)
        return answer.status or "Rejected"

    # ---- checking ----------------------------------------------------------------------

    async def check(self, station_id: str, header: str | None) -> AuthResult:
        """Check a connection's Authorization header against the charger's password."""
        try:
            basic = parse_basic(header)
        except ValueError:
            return AuthResult.MALFORMED
        if basic is None:
            return AuthResult.MISSING
        if not hmac.compare_digest(basic.user, station_id.encode()):
            return AuthResult.WRONG_USER
        fingerprint = hmac.digest(self._cache_key, basic.password, "sha256")
        known = self._known_good.get(station_id)
        if known is not None and hmac.compare_digest(known, fingerprint):
            return AuthResult.OK
        credential = self._chargers.get(station_id)
        if credential is None:
            if self._new_chargers is None:
                return AuthResult.NO_PASSWORD
            if not await asyncio.to_thread(self._new_chargers.matches, basic.password):
                return AuthResult.WRONG_PASSWORD
        elif await asyncio.to_thread(credential.current.matches, basic.password):
            if not credential.current.confirmed or credential.previous is not None:
                credential.current.confirmed, credential.previous = True, None
                self._store.save_soon()
        elif credential.previous is None or not await asyncio.to_thread(credential.previous.matches, basic.password):
            return AuthResult.WRONG_PASSWORD
        self._known_good[station_id] = fingerprint
        return AuthResult.OK

    def failed(self, station_id: str, remote: str, reason: AuthResult) -> int:
        """Count a refused connection and announce it; returns the charger's failures in a row."""
        failures = self._failures.get(station_id)
        if failures is None:
            if len(self._failures) >= _FAILURES_TRACKED:  # a flood of made-up ids forgets the oldest
                del self._failures[next(iter(self._failures))]
            failures = self._failures[station_id] = _FailureCount()
        failures.count += 1
        first = reason not in failures.reasons
        failures.reasons.add(reason)
        # the first refusal of each kind is worth a warning; a charger retrying every few seconds is not
        _LOGGER.log(
            logging.WARNING if first else logging.DEBUG,
            "Refused charger %s from %s: %s (%d in a row)",
            station_id,
            remote,
            reason.value.replace("_", " "),
            failures.count,
        )
        self._events.emit(
            Event(
                EventType.AUTHENTICATION,
                station_id,
                data={"ok": False, "reason": reason.value, "remote": remote, "failures": failures.count},
            )
        )
        return failures.count

    def succeeded(self, station_id: str, remote: str) -> None:
        """A charger got in: its failures are forgotten (announced only when there were any)."""
        failures = self._failures.pop(station_id, None)
        if failures is not None:
            _LOGGER.info("%s authenticated from %s after %d refused attempts", station_id, remote, failures.count)
            self._events.emit(
                Event(
                    EventType.AUTHENTICATION,
                    station_id,
                    data={"ok": True, "reason": AuthResult.OK.value, "remote": remote, "failures": 0},
                )
            )
